// lake.check_foreign_table(regclass): the check an event trigger runs when
// a lake foreign table is declared or altered, so a table whose columns its
// collection or series cannot give is refused then, with the reason, and
// not at its first query or insert.
#include "postgres_headers.h"
#include "series_scan.h"
#include "table_kind.h"
#include "vectors_scan.h"

extern "C" {

PG_FUNCTION_INFO_V1(lake_check_foreign_table);
Datum lake_check_foreign_table(PG_FUNCTION_ARGS) {
  const Oid table = PG_GETARG_OID(0);
  AttrNumber attno[32];  // more than either kind has columns
  if (lake::fdw::KindOf(table) == lake::fdw::TableKind::kVectors)
    lake::fdw::VectorsReadColumns(table, attno);
  else
    lake::fdw::SeriesReadColumns(table, attno);
  PG_RETURN_VOID();
}

}  // extern "C"
