// SQL functions run with the caller's user mapping on a lake server:
//   lake.create_tenant_token(server name, user_id bigint) -> text
//     (the mapping must carry the admin token; the token is revoked again
//     if the transaction that made it aborts);
//   lake.transaction_status(server name, id bigint) -> text
//     'committed', 'pending' or 'aborted': what became of a transaction
//     whose COMMIT said its outcome was unknown (a tenant asks of its own).
#include <cstring>
#include <string>
#include <vector>

#include "connection.h"
#include "pg_boundary.h"

extern "C" {
#include "access/xact.h"
#include "foreign/foreign.h"
#include "miscadmin.h"

namespace {

// Tokens made by the running transaction, revoked if it aborts: a token
// is a live credential in lake-server, and the role and user mapping that
// would hold it are rolled back.
struct MadeToken {
  lake::fdw::ConnectTarget target;
  std::string token;
};
std::vector<MadeToken>& MadeTokens() {
  static auto* made = new std::vector<MadeToken>();
  return *made;
}

void RevokeOnAbort(XactEvent event, void*) {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
    for (const MadeToken& made : MadeTokens()) {
      lake::fdw::CppError ignored;  // best effort: an abort cannot fail
      lake::fdw::RunCpp(ignored, [&]() -> lake::Status {
        LAKE_ASSIGN_OR_RETURN(lake::protocol::Session * session,
                              lake::fdw::SessionFor(made.target));
        return session->Call(lake::protocol::RevokeTokenRequest{made.token}).status();
      });
    }
  }
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
      event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT)
    MadeTokens().clear();
}

}  // namespace

// Where the calling role reaches the named lake server, and with what token.
static lake::fdw::ConnectTarget CallersTarget(Name server) {
  lake::fdw::ConnectTarget target;
  lake::fdw::ReadConnectTarget(GetForeignServerByName(NameStr(*server), false)->serverid,
                               GetUserId(), &target);
  return target;
}

PG_FUNCTION_INFO_V1(lake_create_tenant_token);
Datum lake_create_tenant_token(PG_FUNCTION_ARGS) {
  const lake::fdw::ConnectTarget target = CallersTarget(PG_GETARG_NAME(0));
  const int64 tenant = PG_GETARG_INT64(1);
  char token[256] = {};
  static bool registered = false;
  if (!registered) {
    RegisterXactCallback(RevokeOnAbort, nullptr);
    registered = true;
  }
  lake::fdw::CppError error;
  if (!lake::fdw::RunCpp(error, [&]() -> lake::Status {
        LAKE_ASSIGN_OR_RETURN(lake::protocol::Session * session, lake::fdw::SessionFor(target));
        LAKE_ASSIGN_OR_RETURN(auto reply,
                              session->Call(lake::protocol::CreateTokenRequest{tenant}));
        snprintf(token, sizeof(token), "%s", reply.text.c_str());
        MadeTokens().push_back({target, reply.text});
        return lake::Status::Ok();
      }))
    lake::fdw::Raise(error);
  PG_RETURN_TEXT_P(cstring_to_text(token));
}

PG_FUNCTION_INFO_V1(lake_transaction_status);
Datum lake_transaction_status(PG_FUNCTION_ARGS) {
  const lake::fdw::ConnectTarget target = CallersTarget(PG_GETARG_NAME(0));
  const int64 id = PG_GETARG_INT64(1);
  const char* state = nullptr;
  lake::fdw::CppError error;
  if (!lake::fdw::RunCpp(error, [&]() -> lake::Status {
        LAKE_ASSIGN_OR_RETURN(lake::protocol::Session * session, lake::fdw::SessionFor(target));
        LAKE_ASSIGN_OR_RETURN(auto reply, session->Call(lake::protocol::TransactionStatusRequest{
                                              static_cast<std::uint64_t>(id)}));
        using lake::protocol::TransactionState;
        state = reply.state == TransactionState::kCommitted ? "committed"
                : reply.state == TransactionState::kPending ? "pending"
                                                            : "aborted";
        return lake::Status::Ok();
      }))
    lake::fdw::Raise(error);
  PG_RETURN_TEXT_P(cstring_to_text(state));
}
}
