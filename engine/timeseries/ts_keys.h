// Where time-series data lives in RocksDB, and the time grid it lives on.
//
//   head    series u64 | sequence u64                    -> packed points
//   chunks  class u8 | partition(last point) | series | first point -> chunk
//   rollups class u8 | level u8 | partition(block) | series | block -> buckets
//
// Partitions lead the chunk and rollup keys, so retention drops everything
// older than a horizon with one range delete per class and level, in time
// proportional to what it drops and never reading it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "timeseries/series_key.h"

namespace lake::timeseries {

inline constexpr std::int64_t kMicrosPerSecond = 1'000'000;
inline constexpr std::int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr std::int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr std::int64_t kMicrosPerDay = 24 * kMicrosPerHour;
// The times keys and grids are computed over: every stored time is inside
// (the wrapper's timestamps stay within ±2^61 µs); wider bounds of a query
// are clamped to it, so no grid arithmetic overflows.
inline constexpr std::int64_t kEarliestTime = -(std::int64_t{1} << 62);
inline constexpr std::int64_t kLatestTime = std::int64_t{1} << 62;

// Raw chunks, then the rollup resolutions, finest first.
enum class Level : std::uint8_t { kRaw = 0, kMinute = 1, kHour = 2, kDay = 3 };
inline constexpr Level kRollupLevels[] = {Level::kMinute, Level::kHour, Level::kDay};

// The width of one rollup bucket (0 for kRaw).
std::int64_t LevelWidth(Level level);
// Keys of one partition span this much time.
std::int64_t PartitionWidth(Level level);

// Floor division: the start of the width-aligned interval holding t.
inline std::int64_t FloorTo(std::int64_t t, std::int64_t width) {
  const std::int64_t q = t / width;
  return (q * width > t ? q - 1 : q) * width;
}

inline std::int64_t CeilTo(std::int64_t t, std::int64_t width) {
  const std::int64_t floor = FloorTo(t, width);
  return floor == t ? t : floor + width;
}

std::string HeadKey(std::uint64_t series, std::uint64_t sequence);
bool ParseHeadKey(std::string_view key, std::uint64_t* series, std::uint64_t* sequence);

std::string ChunkKey(RetentionClass retention, std::int64_t last_ts, std::uint64_t series,
                     std::int64_t first_ts);
bool ParseChunkKey(std::string_view key, std::uint64_t* series, std::int64_t* first_ts);
// Every chunk of `retention` whose last point lies in a partition before the
// one holding `horizon`.
std::string ChunkRangeStart(RetentionClass retention);
std::string ChunkRangeEnd(RetentionClass retention, std::int64_t horizon);

// The block of rollup buckets starting at `block` (rollup_block.h).
std::string RollupKey(RetentionClass retention, Level level, std::uint64_t series,
                      std::int64_t block);
// The rollup keys of one series in the partition holding `block`.
std::string RollupSeriesPrefix(RetentionClass retention, Level level, std::uint64_t series,
                               std::int64_t block);
bool ParseRollupBlock(std::string_view key, std::int64_t* block);
// A rollup key's partition (its first time) and series.
bool ParseRollupOwner(std::string_view key, Level level, std::int64_t* partition_start,
                      std::uint64_t* series);
std::string RollupRangeStart(RetentionClass retention, Level level);
std::string RollupRangeEnd(RetentionClass retention, Level level, std::int64_t horizon);

}  // namespace lake::timeseries
