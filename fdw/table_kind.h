// Which kind of lake table a foreign table is (its options say), and the
// base of every scan's executor state, so the handler can dispatch each
// callback to the code for that kind.
#pragma once

#include "postgres_headers.h"

extern "C" {
#include "nodes/execnodes.h"
}

namespace lake::fdw {

// kSeriesAggregate: a time_bucket aggregate over a time-series table.
enum class TableKind { kVectors, kSeries, kSeriesAggregate };

// OPTIONS (collection '...') or OPTIONS (series '...'); an error otherwise.
TableKind KindOf(Oid foreign_table);
// The value of the table's option `name`, or nullptr.
const char* TableOption(Oid foreign_table, const char* name);

// node->fdw_state points to one of these (as the base), or is null for
// EXPLAIN without ANALYZE.
struct ScanStateBase {
  explicit ScanStateBase(TableKind k) : kind(k) {}
  virtual ~ScanStateBase() = default;
  const TableKind kind;
  bool done = false;  // a direct DELETE has been queued
  MemoryContextCallback cleanup;
  // The plan's fdw_exprs ready to evaluate, and whether the scan holds
  // their current values (scan_values.h).
  List* value_states = nullptr;
  bool values_current = false;
};

// Deletes `state` when `context` (the query's) goes: at the end of the
// query, and on error or cancel. Then stores it as the node's fdw_state.
void AdoptScanState(ForeignScanState* node, ScanStateBase* state, MemoryContext context);

}  // namespace lake::fdw
