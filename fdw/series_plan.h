// What planning learns about a time-series table, shared by its scans
// (series_scan.cpp) and its aggregates (series_agg.cpp), and the pushed
// conditions evaluated at execution.
#pragma once

#include <cstdint>
#include <limits>

#include "connection.h"
#include "postgres_headers.h"
#include "protocol/session.h"
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

struct SeriesRel {
  int kind;                   // timeseries::SeriesKind
  std::int64_t rollup_width;  // µs; 0 for a table of points
  ConnectTarget target;
  AttrNumber attno[kColumnCount];
  List* pushed_filters;
  List* pushed_values;
  List* local_clauses;
  // The engine's estimate for the pushed conditions: rows (points, or
  // rollup buckets), series, and the first and last time they hold.
  double rows;
  double series;
  std::int64_t first, last;
};

// Buckets of `width` µs that the times first..last touch.
double BucketsBetween(std::int64_t first, std::int64_t last, std::int64_t width);

// The pushed conditions' values, in plain C (PostgreSQL side).
struct SeriesFilterValues {
  bool contradiction = false;  // a NULL compared: no row passes
  bool has_tenant = false;
  int64 tenant = 0;
  char* metric = nullptr;
  List* tags = nullptr;  // JSON text of each @> value
  std::int64_t start = std::numeric_limits<std::int64_t>::min();
  std::int64_t end = std::numeric_limits<std::int64_t>::max();
};
// Adds one pushed condition's value (filter: a Filter).
void ApplySeriesFilter(int filter, Datum value, bool is_null, SeriesFilterValues* out);
// When the scan's pushed values are due (scan_values.h): adds each of
// `filters` to `out` and returns true.
bool EvaluateSeriesFiltersIfDue(ForeignScanState* node, List* filters, SeriesFilterValues* out);
// Narrows [start, end) to the span in which the filter's series hold
// points (from chunk headers and heads: no point is read), so a request
// costs what the data costs, never the width of the range a query names;
// an empty range when no point lies in it. The points in it are the same.
Status NarrowToData(protocol::Session& session, const timeseries::SeriesFilter& filter,
                    std::int64_t* start, std::int64_t* end);

// The engine's filter for them (C++ side); sets values.contradiction when
// a tags condition can match no series.
timeseries::SeriesFilter ToSeriesFilter(SeriesFilterValues& values, int kind);

}  // namespace lake::fdw
