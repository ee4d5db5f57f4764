// INSERT, COPY, UPDATE of metadata and DELETE on lake foreign tables. A
// transaction's writes through one user mapping are one lake-server
// transaction: the backend holds them, and sends them to be staged there
// once an insert holds batch_size rows (outside savepoints) and at commit;
// lake-server applies them all or none at commit (a vector table's rows as
// upserts, a time-series table's as points after the series are created,
// deletes and updates with their conditions evaluated then), and a failure
// there fails the commit. A rollback, or the rollback of a savepoint, drops
// the writes made since. A transaction does not see its own uncommitted
// writes in the foreign tables.
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
// `series` selects when they are sent (its kind set).
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
