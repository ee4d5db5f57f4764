// Recovery of the two-phase commit (writes.cpp): a transaction prepared in
// lake-server whose decision never arrived (PostgreSQL or lake-server
// crashed, or lake-server was unreachable, between the prepare and the
// decision) is resolved from PostgreSQL's own record of its transaction:
// committed there, it is committed in lake-server; aborted (or crashed
// before its commit record), it is aborted; still running, it is left to
// its own backend.
#pragma once

#include <string>

#include "connection.h"

namespace lake::fdw {

// This cluster's name for lake-server: its system identifier, in decimal.
const std::string& CoordinatorName();

// Resolves this cluster's prepared transactions on `target`'s server that
// the target's token may see and PostgreSQL has decided. Once per session
// (when a scan or an insert first reaches the server), and `every_time`
// before a commit prepares its own writes there, so that a decision that
// got lost lands before any later commit. PostgreSQL side of the boundary.
void ResolveInDoubt(const ConnectTarget& target, bool every_time = false);

// lake.fault_injection, for the crash tests: the backend crashes (abort)
// right after lake-server prepared, or right after PostgreSQL committed; or
// the decision is lost on its way to lake-server, as when it is down.
enum FaultInjection { kNoFault, kCrashAfterPrepare, kCrashAfterCommit, kLoseDecision };
extern int fault_injection_setting;

}  // namespace lake::fdw
