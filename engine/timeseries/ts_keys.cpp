#include "timeseries/ts_keys.h"

#include "storage/key_codec.h"

namespace lake::timeseries {

using storage::AppendI64;
using storage::AppendU64;

std::int64_t LevelWidth(Level level) {
  switch (level) {
    case Level::kRaw:
      return 0;
    case Level::kMinute:
      return kMicrosPerMinute;
    case Level::kHour:
      return kMicrosPerHour;
    case Level::kDay:
      return kMicrosPerDay;
  }
  return 0;
}

std::int64_t PartitionWidth(Level level) {
  switch (level) {
    case Level::kRaw:
    case Level::kMinute:
      return kMicrosPerDay;
    case Level::kHour:
      return 32 * kMicrosPerDay;
    case Level::kDay:
      return 1024 * kMicrosPerDay;
  }
  return kMicrosPerDay;
}

namespace {

std::int64_t PartitionOf(Level level, std::int64_t t) {
  return FloorTo(t, PartitionWidth(level)) / PartitionWidth(level);
}

std::string RollupLevelPrefix(RetentionClass retention, Level level) {
  std::string key;
  key.push_back(static_cast<char>(retention));
  key.push_back(static_cast<char>(level));
  return key;
}

}  // namespace

std::string HeadKey(std::uint64_t series, std::uint64_t sequence) {
  std::string key;
  AppendU64(&key, series);
  AppendU64(&key, sequence);
  return key;
}

bool ParseHeadKey(std::string_view key, std::uint64_t* series, std::uint64_t* sequence) {
  storage::KeyReader reader(key);
  *series = reader.ReadU64();
  *sequence = reader.ReadU64();
  return reader.done();
}

std::string ChunkKey(RetentionClass retention, std::int64_t last_ts, std::uint64_t series,
                     std::int64_t first_ts) {
  std::string key = ChunkRangeStart(retention);
  AppendI64(&key, PartitionOf(Level::kRaw, last_ts));
  AppendU64(&key, series);
  AppendI64(&key, first_ts);
  return key;
}

bool ParseChunkKey(std::string_view key, std::uint64_t* series, std::int64_t* first_ts) {
  if (key.empty()) return false;
  storage::KeyReader reader(key.substr(1));
  reader.ReadI64();
  *series = reader.ReadU64();
  *first_ts = reader.ReadI64();
  return reader.done();
}

std::string ChunkRangeStart(RetentionClass retention) {
  return std::string(1, static_cast<char>(retention));
}

std::string ChunkRangeEnd(RetentionClass retention, std::int64_t horizon) {
  std::string key = ChunkRangeStart(retention);
  AppendI64(&key, PartitionOf(Level::kRaw, horizon));
  return key;
}

std::string RollupKey(RetentionClass retention, Level level, std::uint64_t series,
                      std::int64_t block) {
  std::string key = RollupSeriesPrefix(retention, level, series, block);
  AppendI64(&key, block);
  return key;
}

std::string RollupSeriesPrefix(RetentionClass retention, Level level, std::uint64_t series,
                               std::int64_t block) {
  std::string key = RollupLevelPrefix(retention, level);
  AppendI64(&key, PartitionOf(level, block));
  AppendU64(&key, series);
  return key;
}

bool ParseRollupBlock(std::string_view key, std::int64_t* block) {
  if (key.size() < 8) return false;
  storage::KeyReader reader(key.substr(key.size() - 8));
  *block = reader.ReadI64();
  return reader.done();
}

bool ParseRollupOwner(std::string_view key, Level level, std::int64_t* partition_start,
                      std::uint64_t* series) {
  if (key.size() < 2) return false;
  storage::KeyReader reader(key.substr(2));
  *partition_start = reader.ReadI64() * PartitionWidth(level);
  *series = reader.ReadU64();
  reader.ReadI64();
  return reader.done();
}

std::string RollupRangeStart(RetentionClass retention, Level level) {
  return RollupLevelPrefix(retention, level);
}

std::string RollupRangeEnd(RetentionClass retention, Level level, std::int64_t horizon) {
  std::string key = RollupLevelPrefix(retention, level);
  AppendI64(&key, PartitionOf(level, horizon));
  return key;
}

}  // namespace lake::timeseries
