// Planner helpers both kinds of lake table use: recognising columns and
// values a condition compares, mapping a table's columns by name.
#pragma once

#include "postgres_headers.h"

extern "C" {
#include "nodes/pathnodes.h"
}

namespace lake::fdw {

// The columns a kind of table may have: names, and the type each must have
// (InvalidOid: any type with a text input; kVectorType: lake.vector).
struct ColumnSpec {
  const char* name;
  Oid type;
};
inline constexpr Oid kVectorType = InvalidOid - 1;

// Fills attno[i] with the attribute number of specs[i] (0 when absent; a
// spec without a name is a column this table cannot have);
// any other column, or a column of the wrong type, is an error naming the
// table's kind (`what`) and the columns it may have (`hint`).
void ReadColumns(Oid table, const ColumnSpec* specs, int count, const char* what, const char* hint,
                 AttrNumber* attno);

// `node` (under a binary-compatible cast) is column `attno` of `baserel`.
bool IsColumn(Node* node, const RelOptInfo* baserel, AttrNumber attno);
// A value the executor can compute before the scan: constants, parameters,
// stable functions of them (now()), no columns, no subplans.
bool IsScanValue(Node* node);
// The operator's name ("=", "<", ...).
const char* OperatorName(Oid op);
// The role whose user mapping a scan of `baserel` uses at plan time.
Oid PlanningUser(const RelOptInfo* baserel);

}  // namespace lake::fdw
