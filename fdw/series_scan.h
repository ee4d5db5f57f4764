// Scans of time-series foreign tables (OPTIONS (series 'metrics' | 'events'
// | 'states')): a row per point, (user_id, metric, tags, ts, value).
// Conditions on user_id, metric, `tags @> '{...}'` and ts ranges choose the
// series and the time range in the engine; the rest is evaluated locally.
#pragma once

#include "postgres_headers.h"

extern "C" {
#include "foreign/fdwapi.h"
}

namespace lake::fdw {

// Checks the table's options and columns (names and types, as the series
// kind or rollup gives them) and fills attno (kColumnCount entries).
void SeriesReadColumns(Oid table, AttrNumber* attno);

void SeriesGetRelSize(PlannerInfo* root, RelOptInfo* baserel, Oid foreign_table);
void SeriesGetPaths(PlannerInfo* root, RelOptInfo* baserel, Oid foreign_table);
ForeignScan* SeriesGetPlan(PlannerInfo* root, RelOptInfo* baserel, Oid foreign_table,
                           ForeignPath* best_path, List* tlist, List* scan_clauses,
                           Plan* outer_plan);
void SeriesBeginScan(ForeignScanState* node, int eflags);
TupleTableSlot* SeriesIterateScan(ForeignScanState* node);
void SeriesReScan(ForeignScanState* node);
void SeriesEndScan(ForeignScanState* node);
void SeriesExplainScan(ForeignScanState* node, ExplainState* es);

// DELETE: whether the engine applies every condition; the points the
// (begun) scan covers, queued as range deletes at commit; their number.
bool SeriesAllPushed(ForeignScan* plan);
double SeriesQueueDelete(ForeignScanState* node);

}  // namespace lake::fdw
