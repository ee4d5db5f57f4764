// lake_fdw_validator: which options each catalog object takes.
//   server:        socket (Unix socket path) | host + port; [batch_size]
//   user mapping:  token
//   foreign table: collection (a vector collection) | series (metrics, ...)
//                  [rollup ('1 minute' | '1 hour' | '1 day', with series 'metrics')]
//                  [batch_size (rows an insert sends lake-server at a time)]
// Contradictory or unusable combinations are refused when declared (CREATE
// or ALTER), not at first use; a table's columns are checked then too, by
// the event trigger lake.check_foreign_table (table_check.cpp).
#include <cstring>
#include <initializer_list>

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

const char* ValueOf(List* options, const char* name) {
  ListCell* cell;
  foreach (cell, options) {
    DefElem* option = lfirst_node(DefElem, cell);
    if (std::strcmp(option->defname, name) == 0) return defGetString(option);
  }
  return nullptr;
}

[[noreturn]] void Refuse(const char* message, const char* hint) {
  ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE), errmsg("lake: %s", message),
                  errhint("%s", hint)));
  pg_unreachable();
}

bool OneOf(const char* value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (std::strcmp(value, a) == 0) return true;
  }
  return false;
}

// The combination of a catalog object's options, once each is known.
void CheckTogether(List* options, Oid context) {
  if (context == ForeignServerRelationId) {
    const char* socket = ValueOf(options, "socket");
    const char* host = ValueOf(options, "host");
    const char* port = ValueOf(options, "port");
    constexpr const char* kHint =
        "OPTIONS (socket '/absolute/path/lake.sock') or "
        "OPTIONS (host '127.0.0.1', port '7432')";
    if (socket != nullptr && (host != nullptr || port != nullptr))
      Refuse("a server takes socket, or host and port, not both", kHint);
    if (socket != nullptr && socket[0] != '/') Refuse("socket must be an absolute path", kHint);
    if (socket != nullptr && std::strlen(socket) >= 108)
      Refuse("socket path is longer than a Unix socket allows (107 bytes)", kHint);
    if ((host != nullptr) != (port != nullptr)) Refuse("host and port go together", kHint);
    if (socket == nullptr && host == nullptr)
      Refuse("a server needs socket, or host and port", kHint);
    if (host != nullptr && (host[0] == '\0' || std::strlen(host) >= 256))
      Refuse("host must be an IPv4 address", kHint);
  }
  if (context == UserMappingRelationId) {
    const char* token = ValueOf(options, "token");
    if (token != nullptr && (token[0] == '\0' || std::strlen(token) >= 256))
      Refuse("token must be a lake-server token (from lakectl token or lake.create_user)",
             "OPTIONS (token '...')");
  }
  if (context == ForeignTableRelationId) {
    const char* collection = ValueOf(options, "collection");
    const char* series = ValueOf(options, "series");
    const char* rollup = ValueOf(options, "rollup");
    constexpr const char* kHint =
        "OPTIONS (collection 'name'), or OPTIONS (series 'metrics' | "
        "'events' | 'states'), with rollup '1 minute' | '1 hour' | "
        "'1 day' for metrics";
    if (collection != nullptr && series != nullptr)
      Refuse("a foreign table is a collection or a series, not both", kHint);
    if (collection != nullptr && (collection[0] == '\0' || std::strlen(collection) >= 64))
      Refuse("collection must be a name of 1 to 63 bytes", kHint);
    if (series != nullptr && !OneOf(series, {"metrics", "events", "states"}))
      Refuse("series must be metrics, events or states", kHint);
    if (rollup != nullptr && (series == nullptr || std::strcmp(series, "metrics") != 0))
      Refuse("rollup is an option of series 'metrics' only", kHint);
    if (rollup != nullptr && !OneOf(rollup, {"1 minute", "1 hour", "1 day"}))
      Refuse("rollup must be '1 minute', '1 hour' or '1 day'", kHint);
  }
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
  CheckTogether(options, context);
  PG_RETURN_VOID();
}

}  // extern "C"
