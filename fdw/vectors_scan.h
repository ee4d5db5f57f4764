// Scans of vector foreign tables (OPTIONS (collection '...')): the planner
// callbacks (conditions on every column go to the engine, vector_filters.h;
// `ORDER BY embedding <op> $q LIMIT k` becomes an engine kNN, paged in
// distance order while PostgreSQL's own check of other conditions wants
// rows) and the executor callbacks that page rows in from lake-server.
#pragma once

#include "postgres_headers.h"

extern "C" {
#include "foreign/fdwapi.h"
}

namespace lake::fdw {

// Checks the table's columns (names and types, as the collection gives
// them) and fills attno (kColumnCount entries) with their numbers.
void VectorsReadColumns(Oid table, AttrNumber* attno);

void VectorsGetRelSize(PlannerInfo* root, RelOptInfo* baserel, Oid foreign_table);
void VectorsGetPaths(PlannerInfo* root, RelOptInfo* baserel, Oid foreign_table);
ForeignScan* VectorsGetPlan(PlannerInfo* root, RelOptInfo* baserel, Oid foreign_table,
                            ForeignPath* best_path, List* tlist, List* scan_clauses,
                            Plan* outer_plan);
void VectorsBeginScan(ForeignScanState* node, int eflags);
TupleTableSlot* VectorsIterateScan(ForeignScanState* node);
void VectorsReScan(ForeignScanState* node);
void VectorsEndScan(ForeignScanState* node);
void VectorsExplainScan(ForeignScanState* node, ExplainState* es);

// DELETE: whether the engine applies every condition of the scan; the
// records the (begun) scan matches, queued for deletion at commit; their
// number.
bool VectorsAllPushed(ForeignScan* plan);
double VectorsQueueDelete(ForeignScanState* node);

// UPDATE ... SET metadata = <value computed before the scan>: whether the
// plan can do it (then it carries the value); the records matched, queued
// for the change at commit; their number.
bool VectorsPlanMetadataUpdate(ForeignScan* plan, List* target_columns);
double VectorsQueueMetadataUpdate(ForeignScanState* node);

// The GUCs lake.ef_search and lake.probes (0: the collection's own).
extern int ef_search_setting;
extern int probes_setting;

}  // namespace lake::fdw
