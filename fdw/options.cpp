// lake_fdw_validator: which options each catalog object takes.
//   server:        socket (Unix socket path) | host + port; [batch_size]
//   user mapping:  token
//   foreign table: collection (a vector collection) | series (metrics, ...)
//                  [rollup ('1 minute' | '1 hour' | '1 day', with series 'metrics')]
//                  [batch_size (rows an insert sends lake-server at a time)]
#include <cstring>

#include "postgres_headers.h"

extern "C" {
#include "access/reloptions.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
}

namespace {

struct OptionName {
  const char* name;
  Oid context;
};

constexpr OptionName kOptions[] = {
    {"socket", ForeignServerRelationId},    {"host", ForeignServerRelationId},
    {"port", ForeignServerRelationId},      {"token", UserMappingRelationId},
    {"collection", ForeignTableRelationId}, {"series", ForeignTableRelationId},
    {"rollup", ForeignTableRelationId},     {"batch_size", ForeignServerRelationId},
    {"batch_size", ForeignTableRelationId},
};

bool Known(const char* name, Oid context) {
  for (const OptionName& option : kOptions) {
    if (option.context == context && std::strcmp(option.name, name) == 0) return true;
  }
  return false;
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(lake_fdw_validator);
Datum lake_fdw_validator(PG_FUNCTION_ARGS) {
  List* options = untransformRelOptions(PG_GETARG_DATUM(0));
  const Oid context = PG_GETARG_OID(1);
  ListCell* cell;
  foreach (cell, options) {
    DefElem* option = lfirst_node(DefElem, cell);
    if (!Known(option->defname, context)) {
      ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
                      errmsg("lake: invalid option \"%s\" here", option->defname),
                      errhint("servers take socket, or host and port, and batch_size; user "
                              "mappings take token; foreign tables take collection or series, "
                              "and batch_size")));
    }
    if (std::strcmp(option->defname, "port") == 0) {
      char* end = nullptr;
      const long port = strtol(defGetString(option), &end, 10);
      if (*end != '\0' || port < 1 || port > 65535)
        ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
                        errmsg("lake: port must be a number from 1 to 65535")));
    }
    if (std::strcmp(option->defname, "batch_size") == 0) {
      char* end = nullptr;
      const long rows = strtol(defGetString(option), &end, 10);
      if (*end != '\0' || rows < 1 || rows > 1000000)
        ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
                        errmsg("lake: batch_size must be a number of rows from 1 to 1000000")));
    }
  }
  PG_RETURN_VOID();
}

}  // extern "C"
