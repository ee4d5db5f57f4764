#include "in_doubt.h"

#include <cstdio>
#include <cstring>
#include <set>

#include "pg_boundary.h"

extern "C" {
#include "access/transam.h"
#include "access/xlog.h"
#include "fmgr.h"
#include "utils/fmgrprotos.h"
#include "utils/xid8.h"
}

namespace lake::fdw {

int fault_injection_setting = kNoFault;

namespace {

constexpr int kAtOnce = 256;  // prepared transactions resolved per session start

// The sessions (numbers, SessionFor) whose server was already asked.
std::set<std::uint64_t>& ResolvedSessions() {
  static auto* sessions = new std::set<std::uint64_t>();
  return *sessions;
}

// What PostgreSQL's commit log says of a transaction: 1 committed, 0
// aborted (or crashed before its commit record), -1 still running or not
// known (older than the commit log keeps, or not yet given: a clone or a
// restore of this cluster). Raises no error (pg_xact_status would for an
// id not yet given, while holding a lock).
int Fate(std::uint64_t xid) {
  const FullTransactionId full = FullTransactionIdFromU64(xid);
  if (!FullTransactionIdPrecedes(full, ReadNextFullTransactionId())) return -1;
  LOCAL_FCINFO(call, 1);
  InitFunctionCallInfoData(*call, nullptr, 1, InvalidOid, nullptr, nullptr);
  call->args[0].value = FullTransactionIdGetDatum(full);
  call->args[0].isnull = false;
  const Datum status = pg_xact_status(call);
  if (call->isnull) return -1;
  const char* state = TextDatumGetCString(status);
  if (std::strcmp(state, "committed") == 0) return 1;
  if (std::strcmp(state, "aborted") == 0) return 0;
  return -1;
}

}  // namespace

const std::string& CoordinatorName() {
  static const std::string* name = [] {
    char text[24];
    snprintf(text, sizeof(text), "%llu", static_cast<unsigned long long>(GetSystemIdentifier()));
    return new std::string(text);
  }();
  return *name;
}

void ResolveInDoubt(const ConnectTarget& target, bool every_time) {
  if (RecoveryInProgress()) return;  // a standby decides nothing
  std::uint64_t ids[kAtOnce], xids[kAtOnce];
  int count = 0;
  CppError error;
  if (!RunCpp(error, [&]() -> Status {
        std::uint64_t number = 0;
        LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(target, &number));
        if (!ResolvedSessions().insert(number).second && !every_time) return Status::Ok();
        LAKE_ASSIGN_OR_RETURN(auto listed,
                              session->Call(protocol::ListPreparedRequest{CoordinatorName()}));
        for (const auto& prepared : listed.transactions) {
          if (count == kAtOnce) break;  // the rest at the next session
          ids[count] = prepared.id;
          xids[count++] = prepared.coordinator_xid;
        }
        return Status::Ok();
      })) {
    // Before a commit, the prepare that follows fails the same way, with
    // the commit's own message.
    if (every_time) return;
    Raise(error);
  }
  if (count == 0) return;
  int fates[kAtOnce];
  for (int i = 0; i < count; ++i)
    fates[i] = Fate(xids[i]);
  for (int i = 0; i < count; ++i) {
    if (fates[i] < 0) continue;
    // One that cannot be resolved (lake-server refuses the writes now)
    // must not stop the others, nor the query that reached the server.
    if (!RunCpp(error, [&]() -> Status {
          LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(target));
          return session->Call(protocol::ResolvePreparedRequest{ids[i], fates[i] == 1}).status();
        }))
      ereport(WARNING,
              (errmsg("lake: prepared transaction %llu could not be %s: %s",
                      static_cast<unsigned long long>(ids[i]),
                      fates[i] == 1 ? "committed" : "aborted", error.text),
               errhint("Its PostgreSQL transaction %s; lake-server keeps it prepared until "
                       "it can be.",
                       fates[i] == 1 ? "committed" : "aborted")));
  }
}

}  // namespace lake::fdw
