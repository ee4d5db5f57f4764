#include "in_doubt.h"

#include <cstdio>
#include <cstring>
#include <set>

#include "pg_boundary.h"

extern "C" {
#include "access/transam.h"
#include "access/xlog.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
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
// known (older than the commit log keeps, or from another timeline).
int Fate(std::uint64_t xid) {
  volatile int fate = -1;  // set inside PG_TRY, read after it
  const MemoryContext context = CurrentMemoryContext;
  PG_TRY();
  {
    const Datum status = DirectFunctionCall1(
        pg_xact_status, FullTransactionIdGetDatum(FullTransactionIdFromU64(xid)));
    const char* state = TextDatumGetCString(status);
    if (std::strcmp(state, "committed") == 0) fate = 1;
    if (std::strcmp(state, "aborted") == 0) fate = 0;
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(context);
    FlushErrorState();
  }
  PG_END_TRY();
  return fate;
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

void ResolveInDoubt(const ConnectTarget& target) {
  std::uint64_t ids[kAtOnce], xids[kAtOnce];
  int count = 0;
  CppError error;
  if (!RunCpp(error, [&]() -> Status {
        std::uint64_t number = 0;
        LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(target, &number));
        if (!ResolvedSessions().insert(number).second) return Status::Ok();
        LAKE_ASSIGN_OR_RETURN(auto listed,
                              session->Call(protocol::ListPreparedRequest{CoordinatorName()}));
        for (const auto& prepared : listed.transactions) {
          if (count == kAtOnce) break;  // the rest at the next session
          ids[count] = prepared.id;
          xids[count++] = prepared.coordinator_xid;
        }
        return Status::Ok();
      }))
    Raise(error);
  if (count == 0) return;
  int fates[kAtOnce];
  for (int i = 0; i < count; ++i)
    fates[i] = Fate(xids[i]);
  if (!RunCpp(error, [&]() -> Status {
        LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(target));
        for (int i = 0; i < count; ++i) {
          if (fates[i] < 0) continue;
          LAKE_RETURN_IF_ERROR(
              session->Call(protocol::ResolvePreparedRequest{ids[i], fates[i] == 1}).status());
        }
        return Status::Ok();
      }))
    Raise(error);
}

}  // namespace lake::fdw
