// The conditions of a vector scan that lake-server applies (vector_types.h,
// RecordConditions): recognised in a query's WHERE at plan time, their
// values read when the scan runs, and turned into the engine's request.
#pragma once

#include "postgres_headers.h"
#include "vector_type.h"
#include "vectors/vector_types.h"

extern "C" {
#include "nodes/pathnodes.h"
}

namespace lake::fdw {

// The columns a vector table may have, found by name (kColumns).
enum Column { kId, kUserId, kModelVersion, kEmbedding, kMetadata, kCreatedAt, kColumnCount };

// A filter the engine applies; its value is the matching fdw_exprs entry.
enum Filter {
  kKnnQuery,  // not a filter: the kNN's query vector
  kIdEquals,
  kIdIn,
  kUserEquals,
  kVersionEquals,
  kUserIn,
  kVersionIn,
  kIdAbove,  // id > value
  kIdFrom,   // id >= value
  kIdBelow,  // id < value
  kIdUpTo,   // id <= value
  kCreatedAbove,
  kCreatedFrom,
  kCreatedBelow,
  kCreatedUpTo,
  kMetadataText,      // metadata->>key = value
  kMetadataTextIn,    // metadata->>key = ANY (value)
  kMetadataContains,  // metadata @> value
  kFilterCount,
};
// How EXPLAIN names each (a metadata filter's key goes in the %s).
extern const char* const kFilterNames[kFilterCount];
// The engine's metadata filters may pass rows PostgreSQL's would not (see
// vectors/metadata_tokens.h): they narrow, the local recheck decides.
bool IsExactFilter(Filter filter);

// The filters a scan pushes, parallel lists: kinds (int), values (Expr*:
// the scan's fdw_exprs) and keys (String: a metadata filter's key, or "").
struct PushedFilters {
  List* kinds = NIL;
  List* values = NIL;
  List* keys = NIL;
};

// Adds `clause` to `pushed` when lake-server applies it exactly (or, for
// metadata, narrows to a superset that PostgreSQL checks again); `attno`
// holds the table's column numbers (kColumnCount, 0: absent).
bool PushVectorFilter(RelOptInfo* baserel, const AttrNumber* attno, Expr* clause,
                      PushedFilters* pushed);

// A set of integers a scan narrows to (ids, tenants, versions), ANDed over
// the conditions that name it: `id = 1 AND id IN (2, 3)` matches nothing.
struct IntegerSet {
  bool restricted = false;
  int64* values = nullptr;  // sorted, unique
  int count = 0;

  void Keep(const int64* more, int more_count);
};

// What the pushed values say, gathered before they become the engine's
// request (RecordConditions and the scan's own fields).
struct FilterValues {
  bool contradiction = false;  // e.g. id = NULL: no row can pass
  IntegerSet ids, tenants, versions;
  int64 id_min = PG_INT64_MIN, id_max = PG_INT64_MAX;
  int64 created_min = PG_INT64_MIN, created_max = PG_INT64_MAX;
  List* text_keys = NIL;    // char*, parallel to text_values
  List* text_values = NIL;  // List* of char*
  List* contains = NIL;     // char*: JSON objects
  const PgVector* query = nullptr;

  // x > bound: the lowest integer above it (none above the largest).
  void Above(int64 bound, int64* low) {
    if (bound == PG_INT64_MAX)
      contradiction = true;
    else
      *low = std::max(*low, bound + 1);
  }
  void Below(int64 bound, int64* high) {
    if (bound == PG_INT64_MIN)
      contradiction = true;
    else
      *high = std::min(*high, bound - 1);
  }
};

// Adds one pushed filter's value (not NULL) to `values`.
void TakeFilterValue(Filter filter, Datum value, Oid type, const char* key, FilterValues* values);
// Whether no row can pass (id = NULL, an empty IN list, an empty range).
bool NothingPasses(const FilterValues& values);
// The engine's form of the conditions (C++: call inside RunCpp).
void ToEngine(const FilterValues& values, vectors::RecordScan* scan);

}  // namespace lake::fdw
