// INSERT and COPY into lake foreign tables. Rows are held by the backend
// until the transaction commits: then each table's rows go to lake-server
// (a vector table's as upserts, a time-series table's as points, after the
// series are created), and a failure there fails the commit. A rollback, or
// the rollback of a savepoint, drops the rows written since. A transaction
// does not see its own uncommitted rows in the foreign tables.
#pragma once

#include "postgres_headers.h"

extern "C" {
#include "foreign/fdwapi.h"
}

namespace lake::fdw {

void RegisterTransactionCallbacks();

int InsertsOnly(Relation relation);
void BeginInsert(ModifyTableState* mtstate, ResultRelInfo* rinfo);
TupleTableSlot* ExecInsert(EState* estate, ResultRelInfo* rinfo, TupleTableSlot* slot,
                           TupleTableSlot* plan_slot);
TupleTableSlot** ExecBatchInsert(EState* estate, ResultRelInfo* rinfo, TupleTableSlot** slots,
                                 TupleTableSlot** plan_slots, int* count);
int InsertBatchSize(ResultRelInfo* rinfo);
void EndInsert(EState* estate, ResultRelInfo* rinfo);

}  // namespace lake::fdw
