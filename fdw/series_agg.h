// time_bucket ... GROUP BY over a time-series table, computed by
// lake-server (series_agg.cpp says when).
#pragma once

#include "postgres_headers.h"

extern "C" {
#include "foreign/fdwapi.h"
}

namespace lake::fdw {

void SeriesGetUpperPaths(PlannerInfo* root, UpperRelationKind stage, RelOptInfo* input_rel,
                         RelOptInfo* output_rel, void* extra);
ForeignScan* SeriesGetAggregatePlan(RelOptInfo* output_rel, ForeignPath* path, List* tlist,
                                    Plan* outer_plan);
void SeriesAggregateBegin(ForeignScanState* node, int eflags);
TupleTableSlot* SeriesAggregateIterate(ForeignScanState* node);
void SeriesAggregateReScan(ForeignScanState* node);
void SeriesAggregateExplain(ForeignScanState* node, ExplainState* es);

}  // namespace lake::fdw
