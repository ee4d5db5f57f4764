// The synchronous client of lake-server: no threads of its own, no global
// state, usable from inside a PostgreSQL backend. One connection, one request
// at a time or a pipelined batch; every wait has a timeout; a dead server is
// a clean kUnavailable, after which the client stays disconnected (make a new
// one to reconnect).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "protocol/frame.h"

namespace lake::protocol {

struct ClientOptions {
  // A Unix socket path, or else host and port over TCP.
  std::string socket_path;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds io_timeout{30000};
  // Asked every 50 ms while the client waits; true abandons the request
  // (kCancelled) and the connection (a PostgreSQL backend passes its
  // cancel flag). Empty: never.
  std::function<bool()> interrupted;
  // Asked as each request is sent: the milliseconds it may run in the
  // server (a PostgreSQL backend passes what is left of its
  // statement_timeout). Empty, or nullopt: no limit but the connection.
  std::function<std::optional<std::uint32_t>()> budget_ms;
  std::uint32_t max_payload_bytes = kDefaultMaxPayloadBytes;
};

struct Request {
  std::uint16_t type = 0;
  std::string payload;
};

class Client {
 public:
  // Connects and exchanges hellos.
  static Result<std::unique_ptr<Client>> Connect(const ClientOptions& options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The answer's payload, or the error the server sent, or kUnavailable.
  Result<std::string> Call(std::uint16_t type, std::string_view payload);
  // Sends every request before reading any answer; the answers come back in
  // request order. The outer error is the connection's; inner ones are the
  // server's per request.
  Result<std::vector<Result<std::string>>> CallBatch(std::span<const Request> requests);

  // False once a call failed, or once the server hung up (seen without
  // waiting, so that a caller can reconnect before sending into a dead
  // socket).
  bool connected() const;
  // What the server said in its hello.
  std::uint16_t server_version() const { return server_version_; }

 private:
  Client(int fd, const ClientOptions& options);
  Status CheckSize(std::string_view payload) const;
  Status SendAll(std::string_view bytes);
  // The server hung up on a send: what it said first, if it said why.
  Status HungUp(Status send_error);
  std::optional<std::uint32_t> Budget() const;
  // The answers to requests first_id, first_id + 1, ... in that order.
  Result<std::vector<Result<std::string>>> ReadAnswers(std::uint64_t first_id, std::size_t count);
  Result<Frame> ReadFrame();
  // Reads what has arrived into the decoder.
  Status Receive();
  Status Fail(Status status);  // closes the connection and returns `status`

  int fd_;
  ClientOptions options_;
  FrameDecoder decoder_;
  std::uint64_t next_request_id_ = 1;
  std::uint16_t server_version_ = 0;
};

}  // namespace lake::protocol
