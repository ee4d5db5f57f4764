// The one way points become bucket aggregates, shared by raw queries, rollup
// maintenance and rollup-served queries: points are summarised per minute,
// minutes fold into hours, hours into days, and those units fold into the
// query's buckets, always in time order. Because a rollup stores exactly
// such a unit, a query answered from rollups returns the same bits as the
// same query over raw points.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "timeseries/aggregate.h"
#include "timeseries/ts_keys.h"

namespace lake::timeseries {

struct UnitAggregate {
  std::int64_t start = 0;
  Aggregate aggregate;
};

// Sorted points reduced to units of `level` (minute, hour or day) through
// the minute → hour → day hierarchy.
std::vector<UnitAggregate> ReduceToUnits(std::span<const std::int64_t> timestamps,
                                         std::span<const double> values, Level level);

// Folds time-ordered units into buckets of `width` aligned to `origin`; each
// unit must lie inside one bucket.
std::vector<UnitAggregate> FoldUnits(std::span<const UnitAggregate> units, std::int64_t width,
                                     std::int64_t origin);

// Sorted points summarised per bucket directly (no unit in between): for
// bucket grids that no rollup level divides.
std::vector<UnitAggregate> ReduceToBuckets(std::span<const std::int64_t> timestamps,
                                           std::span<const double> values, std::int64_t width,
                                           std::int64_t origin);

// The coarsest rollup level whose units nest inside buckets of `width`
// aligned to `origin`; kRaw when none does.
Level FinestCommonLevel(std::int64_t width, std::int64_t origin);

// The start of the bucket holding t.
inline std::int64_t BucketOf(std::int64_t t, std::int64_t width, std::int64_t origin) {
  return origin + FloorTo(t - origin, width);
}

}  // namespace lake::timeseries
