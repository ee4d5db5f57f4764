#include "timeseries/reduction.h"

#include <cstring>

namespace lake::timeseries {

std::vector<UnitAggregate> ReduceToBuckets(std::span<const std::int64_t> timestamps,
                                           std::span<const double> values, std::int64_t width,
                                           std::int64_t origin) {
  std::vector<UnitAggregate> buckets;
  std::size_t begin = 0;
  while (begin < timestamps.size()) {
    const std::int64_t bucket = BucketOf(timestamps[begin], width, origin);
    std::size_t end = begin + 1;
    while (end < timestamps.size() && timestamps[end] < bucket + width)
      ++end;
    buckets.push_back({bucket, Summarize(&timestamps[begin], &values[begin], end - begin)});
    begin = end;
  }
  return buckets;
}

std::vector<UnitAggregate> FoldUnits(std::span<const UnitAggregate> units, std::int64_t width,
                                     std::int64_t origin) {
  std::vector<UnitAggregate> buckets;
  for (const UnitAggregate& unit : units) {
    const std::int64_t bucket = BucketOf(unit.start, width, origin);
    if (buckets.empty() || buckets.back().start != bucket) {
      buckets.push_back({bucket, unit.aggregate});
    } else {
      Merge(buckets.back().aggregate, unit.aggregate);
    }
  }
  return buckets;
}

std::vector<UnitAggregate> ReduceToUnits(std::span<const std::int64_t> timestamps,
                                         std::span<const double> values, Level level) {
  std::vector<UnitAggregate> units = ReduceToBuckets(timestamps, values, kMicrosPerMinute, 0);
  if (level == Level::kMinute) return units;
  units = FoldUnits(units, kMicrosPerHour, 0);
  if (level == Level::kHour) return units;
  return FoldUnits(units, kMicrosPerDay, 0);
}

Level FinestCommonLevel(std::int64_t width, std::int64_t origin) {
  for (Level level : {Level::kDay, Level::kHour, Level::kMinute}) {
    const std::int64_t unit = LevelWidth(level);
    if (width % unit == 0 && origin % unit == 0) return level;
  }
  return Level::kRaw;
}

std::string EncodeAggregate(const Aggregate& a) {
  std::string bytes(72, '\0');
  char* p = bytes.data();
  std::memcpy(p, &a.count, 8);
  std::memcpy(p + 8, &a.sum, 8);
  std::memcpy(p + 16, &a.m2, 8);
  std::memcpy(p + 24, &a.min, 8);
  std::memcpy(p + 32, &a.max, 8);
  std::memcpy(p + 40, &a.first_ts, 8);
  std::memcpy(p + 48, &a.first, 8);
  std::memcpy(p + 56, &a.last_ts, 8);
  std::memcpy(p + 64, &a.last, 8);
  return bytes;
}

Status DecodeAggregate(std::string_view bytes, Aggregate* a) {
  if (bytes.size() != 72) return Status::Corruption("rollup: bad bucket size");
  const char* p = bytes.data();
  std::memcpy(&a->count, p, 8);
  std::memcpy(&a->sum, p + 8, 8);
  std::memcpy(&a->m2, p + 16, 8);
  std::memcpy(&a->min, p + 24, 8);
  std::memcpy(&a->max, p + 32, 8);
  std::memcpy(&a->first_ts, p + 40, 8);
  std::memcpy(&a->first, p + 48, 8);
  std::memcpy(&a->last_ts, p + 56, 8);
  std::memcpy(&a->last, p + 64, 8);
  if (a->count == 0) return Status::Corruption("rollup: empty bucket");
  return Status::Ok();
}

}  // namespace lake::timeseries
