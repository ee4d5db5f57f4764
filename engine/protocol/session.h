// A typed, authenticated conversation with lake-server: a Client that has
// presented its token, and calls that take a request struct from
// messages.h and return its reply. Like Client, no threads and no global
// state; a dead server is a kUnavailable and the session stays closed (open a
// new one to reconnect).
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/client.h"
#include "protocol/messages.h"

namespace lake::protocol {

class Session {
 public:
  // Connects and authenticates; a refused token is kPermissionDenied.
  static Result<std::unique_ptr<Session>> Open(const ClientOptions& options,
                                               std::string_view token);

  template <typename Request>
  Result<typename Request::Reply> Call(const Request& request) {
    LAKE_ASSIGN_OR_RETURN(
        std::string payload,
        client_->Call(static_cast<std::uint16_t>(Request::kType), Encode(request)));
    return Decode<typename Request::Reply>(payload);
  }

  // Pipelined: every request is sent before the answers are read. The outer
  // error is the connection's, the inner ones each request's.
  template <typename Request>
  Result<std::vector<Result<typename Request::Reply>>> CallBatch(
      std::span<const Request> requests) {
    std::vector<protocol::Request> frames;
    frames.reserve(requests.size());
    for (const Request& request : requests)
      frames.push_back({static_cast<std::uint16_t>(Request::kType), Encode(request)});
    LAKE_ASSIGN_OR_RETURN(auto answers, client_->CallBatch(frames));
    std::vector<Result<typename Request::Reply>> replies;
    replies.reserve(answers.size());
    for (auto& answer : answers) {
      if (answer.ok())
        replies.push_back(Decode<typename Request::Reply>(*answer));
      else
        replies.push_back(answer.status());
    }
    return replies;
  }

  const AuthenticateReply& identity() const { return identity_; }
  bool connected() const { return client_->connected(); }

 private:
  Session(std::unique_ptr<Client> client, AuthenticateReply identity)
      : client_(std::move(client)), identity_(identity) {}

  std::unique_ptr<Client> client_;
  AuthenticateReply identity_;
};

}  // namespace lake::protocol
