// The values a scan pushes to lake-server (its plan's fdw_exprs: constants,
// parameters of prepared statements, initplans, outer references of a
// LATERAL or correlated subquery) are computed when the scan first runs and
// again after a ReScan that changed a parameter they read, as postgres_fdw
// does. Never at BeginForeignScan: PARAM_EXEC values (initplans, nestloop
// parameters) do not exist yet then, and an outer row changes them later.
// Every scan kind (vector scans and kNN, series and rollup scans, pushed
// aggregates, direct modify) goes through these three calls.
#pragma once

#include "postgres_headers.h"

extern "C" {
#include "nodes/execnodes.h"
}

namespace lake::fdw {

struct ScanStateBase;

// At BeginForeignScan: prepares the plan's fdw_exprs for evaluation.
void InitPushedValues(ForeignScanState* node, ScanStateBase* state);

// At IterateForeignScan (and direct modify): when the values are due,
// evaluates every fdw_exprs entry into `values` / `nulls` (palloc'd in the
// current memory context), marks them current and returns true; false when
// the values the scan holds are still current.
bool EvaluatePushedValuesIfDue(ForeignScanState* node, Datum** values, bool** nulls);

// At ReScanForeignScan: the values are due again when a parameter changed.
void RescanPushedValues(ForeignScanState* node);

}  // namespace lake::fdw
