#include "timeseries/reduction.h"

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

}  // namespace lake::timeseries
