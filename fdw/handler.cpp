// lake_fdw_handler: the callbacks PostgreSQL calls for lake foreign tables.
// Vector tables (OPTIONS (collection '...')) are served by vectors_scan;
// time-series tables arrive next.
#include "postgres_headers.h"
#include "vectors_scan.h"

extern "C" {
PG_FUNCTION_INFO_V1(lake_fdw_handler);
Datum lake_fdw_handler(PG_FUNCTION_ARGS) {
  FdwRoutine* routine = makeNode(FdwRoutine);
  routine->GetForeignRelSize = lake::fdw::VectorsGetRelSize;
  routine->GetForeignPaths = lake::fdw::VectorsGetPaths;
  routine->GetForeignPlan = lake::fdw::VectorsGetPlan;
  routine->BeginForeignScan = lake::fdw::VectorsBeginScan;
  routine->IterateForeignScan = lake::fdw::VectorsIterateScan;
  routine->ReScanForeignScan = lake::fdw::VectorsReScan;
  routine->EndForeignScan = lake::fdw::VectorsEndScan;
  routine->ExplainForeignScan = lake::fdw::VectorsExplainScan;
  PG_RETURN_POINTER(routine);
}
}
