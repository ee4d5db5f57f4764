#include "protocol/session.h"

namespace lake::protocol {

Result<std::unique_ptr<Session>> Session::Open(const ClientOptions& options,
                                               std::string_view token) {
  LAKE_ASSIGN_OR_RETURN(auto client, Client::Connect(options));
  LAKE_ASSIGN_OR_RETURN(std::string payload,
                        client->Call(static_cast<std::uint16_t>(MessageType::kAuthenticate),
                                     Encode(AuthenticateRequest{std::string(token)})));
  LAKE_ASSIGN_OR_RETURN(auto identity, Decode<AuthenticateReply>(payload));
  return std::unique_ptr<Session>(new Session(std::move(client), identity));
}

}  // namespace lake::protocol
