// The values the time-series engine takes and returns: points, series
// filters, bucket queries and their rows, retention settings. Plain structs,
// shared by the engine, the protocol and its clients.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "timeseries/aggregate.h"
#include "timeseries/series_key.h"
#include "timeseries/ts_keys.h"

namespace lake::timeseries {

// How long each resolution is kept, in microseconds; 0 keeps it forever.
struct RetentionPolicy {
  std::int64_t raw = 0;
  std::int64_t minute = 0;  // 1-minute rollups
  std::int64_t hour = 0;    // 1-hour rollups
  std::int64_t day = 0;     // 1-day rollups

  std::int64_t For(Level level) const {
    switch (level) {
      case Level::kRaw:
        return raw;
      case Level::kMinute:
        return minute;
      case Level::kHour:
        return hour;
      case Level::kDay:
        return day;
    }
    return raw;
  }
};

// Per retention class; the seed's defaults.
struct RetentionSettings {
  RetentionPolicy standard{30 * kMicrosPerDay, 365 * kMicrosPerDay, 365 * kMicrosPerDay,
                           365 * kMicrosPerDay};
  RetentionPolicy compliance{7 * 365 * kMicrosPerDay, 7 * 365 * kMicrosPerDay,
                             7 * 365 * kMicrosPerDay, 7 * 365 * kMicrosPerDay};

  const RetentionPolicy& For(RetentionClass c) const {
    return c == RetentionClass::kCompliance ? compliance : standard;
  }
};

struct Point {
  std::int64_t timestamp = 0;
  double value = 0;
};

// Points for one series; timestamps in any order, a repeated timestamp
// keeps the last value given (here or in any earlier write).
struct SeriesPoints {
  std::uint64_t series = 0;
  std::span<const std::int64_t> timestamps;
  std::span<const double> values;
};

// Texts for one event or state series (each at most 16 KiB).
struct TextPoints {
  std::uint64_t series = 0;
  std::span<const std::int64_t> timestamps;
  std::span<const std::string_view> texts;
};

struct SeriesInfo {
  std::uint64_t id = 0;
  SeriesKey key;
};

// Which series a read covers: a tenant's series of one metric whose tags
// include every pair in `tags`.
struct SeriesFilter {
  std::optional<std::int64_t> tenant;  // nullopt: every tenant's
  std::optional<std::string> metric;   // nullopt: every metric
  Tags tags;                           // each pair must be among the series' tags
  std::optional<SeriesKind> kind;      // nullopt: every kind
};

enum class GroupBy { kSeries, kTag, kAll };

struct BucketQuery {
  std::vector<std::uint64_t> series;
  std::int64_t start = 0;  // [start, end) in microseconds
  std::int64_t end = 0;
  std::int64_t width = kMicrosPerHour;
  std::int64_t origin = 0;  // bucket = origin + k * width
  GroupBy group_by = GroupBy::kSeries;
  std::string group_tag;  // for kTag; series without it form group ""
  // false: always from raw points (tests compare the two).
  bool use_rollups = true;
};

struct BucketRow {
  std::string group;  // series id, tag value, or "" for kAll
  std::int64_t bucket = 0;
  Aggregate aggregate;
  // Event and state series: the first and last text (count is meaningful
  // too; the numeric fields are not).
  std::string first_text;
  std::string last_text;
};

struct SeriesScan {
  std::uint64_t series = 0;
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
  std::vector<std::string> texts;  // event and state series, instead of values
};

// What the planner learns of some series over [start, end): how many
// points (chunks cut by the range counted pro rata) between which times.
struct PointEstimate {
  std::uint64_t series = 0;  // those with points in range
  double points = 0;
  std::int64_t first = 0;  // the earliest and latest point in range (0 when none)
  std::int64_t last = 0;
  // Where data may lie in range, when any may (else `any` is false):
  // [first, last], and, where the range reaches below the raw horizon, the
  // time down to the oldest rollup horizon, which rollups alone hold. A
  // request narrowed to it reads the same data.
  bool any = false;
  std::int64_t data_first = 0;
  std::int64_t data_last = 0;
};

struct TimeSeriesStats {
  std::size_t series = 0;
  std::size_t chunks = 0;
  std::size_t sealed_points = 0;
  std::size_t head_points = 0;
  std::size_t chunk_bytes = 0;
};

}  // namespace lake::timeseries
