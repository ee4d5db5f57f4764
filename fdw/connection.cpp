#include "connection.h"

#include "in_doubt.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <unordered_map>

extern "C" {
#include "access/xact.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/timestamp.h"
}

namespace lake::fdw {

namespace {

// The backend's sessions by user mapping.
struct OpenSession {
  std::unique_ptr<protocol::Session> session;
  std::uint64_t number;  // 1, 2, ... in the order this backend opened them
};

std::unordered_map<Oid, OpenSession>& Sessions() {
  static auto* sessions = new std::unordered_map<Oid, OpenSession>();
  return *sessions;
}

void CopyOption(char* to, std::size_t size, const char* name, const char* value) {
  if (std::strlen(value) >= size)
    ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                    errmsg("lake: option \"%s\" is too long", name)));
  std::strcpy(to, value);
}

}  // namespace

void ReadConnectTarget(Oid server_id, Oid user, ConnectTarget* target) {
  ForeignServer* server = GetForeignServer(server_id);
  UserMapping* mapping = GetUserMapping(user, server_id);
  target->user_mapping = mapping->umid;
  ListCell* cell;
  foreach (cell, server->options) {
    DefElem* option = lfirst_node(DefElem, cell);
    if (std::strcmp(option->defname, "socket") == 0)
      CopyOption(target->socket_path, sizeof(target->socket_path), "socket", defGetString(option));
    else if (std::strcmp(option->defname, "host") == 0)
      CopyOption(target->host, sizeof(target->host), "host", defGetString(option));
    else if (std::strcmp(option->defname, "port") == 0)
      target->port = static_cast<int>(strtol(defGetString(option), nullptr, 10));
  }
  foreach (cell, mapping->options) {
    DefElem* option = lfirst_node(DefElem, cell);
    if (std::strcmp(option->defname, "token") == 0)
      CopyOption(target->token, sizeof(target->token), "token", defGetString(option));
  }
  if (target->token[0] == '\0')
    ereport(ERROR, (errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
                    errmsg("lake: the user mapping for \"%s\" on server \"%s\" has no token",
                           GetUserNameFromId(user, true), server->servername)));
  if (target->socket_path[0] == '\0' && target->port == 0)
    ereport(ERROR,
            (errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
             errmsg("lake: server \"%s\" needs a socket or a host and port", server->servername)));
}

void ReadScanTarget(ForeignScanState* node, Index relid, ConnectTarget* target) {
  RangeTblEntry* rte = exec_rt_fetch(relid, node->ss.ps.state);
  ReadConnectTarget(GetForeignTable(rte->relid)->serverid,
                    OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId(), target);
  ResolveInDoubt(*target);
}

namespace {

// What is left of the statement's statement_timeout: lake-server gives up
// on the request when it runs out, as PostgreSQL gives up on the statement.
std::optional<std::uint32_t> StatementBudgetMs() {
  if (StatementTimeout <= 0) return std::nullopt;
  long seconds = 0;
  int microseconds = 0;
  TimestampDifference(GetCurrentStatementStartTimestamp(), GetCurrentTimestamp(), &seconds,
                      &microseconds);
  const long spent_ms = seconds * 1000 + microseconds / 1000;
  return static_cast<std::uint32_t>(std::max(1L, StatementTimeout - spent_ms));
}

}  // namespace

Result<protocol::Session*> SessionFor(const ConnectTarget& target, std::uint64_t* number) {
  static std::uint64_t opened = 0;
  auto& sessions = Sessions();
  auto found = sessions.find(target.user_mapping);
  if (found == sessions.end() || !found->second.session->connected()) {
    protocol::ClientOptions options;
    options.socket_path = target.socket_path;
    if (target.host[0] != '\0') options.host = target.host;
    options.port = static_cast<std::uint16_t>(target.port);
    // A query cancel (or a terminating backend) abandons the wait.
    options.interrupted = [] { return QueryCancelPending || ProcDiePending; };
    options.budget_ms = StatementBudgetMs;
    LAKE_ASSIGN_OR_RETURN(auto session, protocol::Session::Open(options, target.token));
    found =
        sessions.insert_or_assign(target.user_mapping, OpenSession{std::move(session), ++opened})
            .first;
  }
  if (number != nullptr) *number = found->second.number;
  return found->second.session.get();
}

}  // namespace lake::fdw
