#include "scan_values.h"

#include "table_kind.h"

extern "C" {
#include "executor/executor.h"
#include "nodes/bitmapset.h"
}

namespace lake::fdw {

void InitPushedValues(ForeignScanState* node, ScanStateBase* state) {
  state->value_states =
      ExecInitExprList(castNode(ForeignScan, node->ss.ps.plan)->fdw_exprs, &node->ss.ps);
  state->values_current = false;
}

bool EvaluatePushedValuesIfDue(ForeignScanState* node, Datum** values, bool** nulls) {
  auto* state = static_cast<ScanStateBase*>(node->fdw_state);
  if (state->values_current) return false;
  const int count = list_length(state->value_states);
  *values = static_cast<Datum*>(palloc0(sizeof(Datum) * (count + 1)));
  *nulls = static_cast<bool*>(palloc0(sizeof(bool) * (count + 1)));
  ExprContext* econtext = node->ss.ps.ps_ExprContext;
  ListCell* cell;
  foreach (cell, state->value_states) {
    const int i = foreach_current_index(cell);
    (*values)[i] = ExecEvalExpr(static_cast<ExprState*>(lfirst(cell)), econtext, &(*nulls)[i]);
  }
  state->values_current = true;
  return true;
}

void RescanPushedValues(ForeignScanState* node) {
  auto* state = static_cast<ScanStateBase*>(node->fdw_state);
  if (node->ss.ps.chgParam != nullptr) state->values_current = false;
}

}  // namespace lake::fdw
