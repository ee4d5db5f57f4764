// What planning learns about a time-series table, shared by its scans
// (series_scan.cpp) and its aggregates (series_agg.cpp), and the pushed
// conditions evaluated at execution.
#pragma once

#include <cstdint>
#include <limits>

#include "connection.h"
#include "postgres_headers.h"
#include "timeseries/timeseries_types.h"

extern "C" {
#include "nodes/execnodes.h"
}

namespace lake::fdw {

// Points tables have user_id, metric, tags, ts and value; rollup tables
// (OPTIONS (series 'metrics', rollup '1 hour')) have bucket and the
// aggregates in place of ts and value.
enum Column {
  kUserId,
  kMetric,
  kTags,
  kTs,
  kValue,
  kBucket,
  kCount,
  kSum,
  kMin,
  kMax,
  kAvg,
  kFirst,
  kLast,
  kColumnCount
};

// What the engine applies; each value is the matching fdw_exprs entry.
enum Filter { kUserEquals, kMetricEquals, kTagsContain, kTsGe, kTsGt, kTsLt, kTsLe, kTsEq };
const char* const kFilterNames[] = {
    "user_id =", "metric =", "tags @>", "ts >=", "ts >", "ts <", "ts <=", "ts ="};

constexpr std::size_t kSeriesPerRequest = 16;
// Points a table is guessed to hold, lacking statistics; each engine filter
// is guessed to keep a tenth.
constexpr double kGuessedPoints = 1e6;

struct SeriesRel {
  int kind;                   // timeseries::SeriesKind
  std::int64_t rollup_width;  // µs; 0 for a table of points
  ConnectTarget target;
  AttrNumber attno[kColumnCount];
  List* pushed_filters;
  List* pushed_values;
  List* local_clauses;
};

// The pushed conditions' values, in plain C (PostgreSQL side).
struct SeriesFilterValues {
  bool contradiction = false;  // a NULL compared: no row passes
  bool has_tenant = false;
  int64 tenant = 0;
  char* metric = nullptr;
  char* tags = nullptr;  // JSON text of the @> value
  std::int64_t start = std::numeric_limits<std::int64_t>::min();
  std::int64_t end = std::numeric_limits<std::int64_t>::max();
};
void EvaluateSeriesFilters(ForeignScanState* node, List* filters, SeriesFilterValues* out);
// The engine's filter for them (C++ side).
timeseries::SeriesFilter ToSeriesFilter(const SeriesFilterValues& values, int kind);

}  // namespace lake::fdw
