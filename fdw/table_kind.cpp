#include "table_kind.h"

#include <cstring>

extern "C" {
#include "commands/defrem.h"
#include "foreign/foreign.h"
}

namespace lake::fdw {

const char* TableOption(Oid foreign_table, const char* name) {
  ListCell* cell;
  foreach (cell, GetForeignTable(foreign_table)->options) {
    DefElem* option = lfirst_node(DefElem, cell);
    if (std::strcmp(option->defname, name) == 0) return defGetString(option);
  }
  return nullptr;
}

TableKind KindOf(Oid foreign_table) {
  if (TableOption(foreign_table, "collection") != nullptr) return TableKind::kVectors;
  if (TableOption(foreign_table, "series") != nullptr) return TableKind::kSeries;
  ereport(ERROR, (errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
                  errmsg("lake: foreign table \"%s\" needs OPTIONS (collection '...') or "
                         "OPTIONS (series 'metrics' | 'events' | 'states')",
                         get_rel_name(foreign_table))));
  pg_unreachable();
}

namespace {
void DeleteScanState(void* state) {
  delete static_cast<ScanStateBase*>(state);
}
}  // namespace

void AdoptScanState(ForeignScanState* node, ScanStateBase* state, MemoryContext context) {
  state->cleanup.func = DeleteScanState;
  state->cleanup.arg = state;
  MemoryContextRegisterResetCallback(context, &state->cleanup);
  node->fdw_state = state;
}

}  // namespace lake::fdw
