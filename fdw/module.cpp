// The lake_fdw shared library's entry: the magic block PostgreSQL checks
// when it loads the module, and the settings it defines.
#include "in_doubt.h"
#include "postgres_headers.h"
#include "vectors_scan.h"
#include "writes.h"

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void) {
  DefineCustomIntVariable("lake.ef_search",
                          "HNSW candidate list size of kNN searches (0: the collection's own).",
                          nullptr, &lake::fdw::ef_search_setting, 0, 0, 10000, PGC_USERSET, 0,
                          nullptr, nullptr, nullptr);
  DefineCustomIntVariable("lake.probes", "IVF lists a kNN search visits (0: the collection's own).",
                          nullptr, &lake::fdw::probes_setting, 0, 0, 100000, PGC_USERSET, 0,
                          nullptr, nullptr, nullptr);
  static const struct config_enum_entry kFaults[] = {
      {"none", lake::fdw::kNoFault, false},
      {"crash_after_prepare", lake::fdw::kCrashAfterPrepare, false},
      {"crash_after_commit", lake::fdw::kCrashAfterCommit, false},
      {"lose_decision", lake::fdw::kLoseDecision, false},
      {nullptr, 0, false}};
  DefineCustomEnumVariable("lake.fault_injection",
                           "For crash tests: crash the backend after lake-server prepared a "
                           "commit, or after PostgreSQL committed it, or lose the decision.",
                           nullptr, &lake::fdw::fault_injection_setting, lake::fdw::kNoFault,
                           kFaults, PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("lake");
  lake::fdw::RegisterTransactionCallbacks();
}
}
