// INSERT, COPY and DELETE on lake foreign tables. Changes are held by the backend
// until the transaction commits: then each table's rows go to lake-server
// (a vector table's as upserts, a time-series table's as points, after the
// series are created), and a failure there fails the commit. A rollback, or
// the rollback of a savepoint, drops the rows written since. A transaction
// does not see its own uncommitted rows in the foreign tables.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "connection.h"
#include "postgres_headers.h"

extern "C" {
#include "foreign/fdwapi.h"
}

namespace lake::fdw {

void RegisterTransactionCallbacks();

// Deletes held like the inserts (C++ side of the boundary): the records
// `matching` selects at commit, or the points in [start, end) of the series
// `series` selects at commit (its kind set).
void QueueRecordDelete(const ConnectTarget& target, const std::string& collection,
                       vectors::RecordScan matching);
// The records `matching` selects at commit get `metadata` (a JSON object).
void QueueMetadataUpdate(const ConnectTarget& target, const std::string& collection,
                         vectors::RecordScan matching, std::string metadata);
void QueueRangeDelete(const ConnectTarget& target, timeseries::SeriesFilter series,
                      std::int64_t start, std::int64_t end);

// INSERT, and UPDATE (of metadata) and DELETE that go to the engine whole
// (PlanDirectModify); one that would need rows fetched and changed one by
// one is refused with the reason.
int Updatable(Relation relation);
[[noreturn]] void RefuseRowChange();
TupleTableSlot* RowChange(EState* estate, ResultRelInfo* rinfo, TupleTableSlot* slot,
                          TupleTableSlot* plan_slot);
void BeginInsert(ModifyTableState* mtstate, ResultRelInfo* rinfo);
TupleTableSlot* ExecInsert(EState* estate, ResultRelInfo* rinfo, TupleTableSlot* slot,
                           TupleTableSlot* plan_slot);
TupleTableSlot** ExecBatchInsert(EState* estate, ResultRelInfo* rinfo, TupleTableSlot** slots,
                                 TupleTableSlot** plan_slots, int* count);
int InsertBatchSize(ResultRelInfo* rinfo);
void EndInsert(EState* estate, ResultRelInfo* rinfo);

}  // namespace lake::fdw
