// The mergeable partial state of every time_bucket aggregate: count, sum,
// min, max, first, last and the sum of squared deviations from the mean (M2,
// merged with Chan's formula: the numerically stable form of "sum of
// squares"). Chunk headers and rollup buckets store it; queries merge it.
//
// Determinism: Summarize reduces a run of points with a fixed lane structure
// (the same bits on every instruction set) and Merge folds states in time
// order, so a bucket computed from rollups and one computed from raw points
// through the same units agree to the last bit.
//
// NaN follows PostgreSQL: it sorts above every number (max is NaN when any
// value is, min ignores it unless every value is NaN); sum and M2 propagate it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace lake::timeseries {

struct Aggregate {
  std::uint64_t count = 0;
  double sum = 0;
  double m2 = 0;
  double min = 0;
  double max = 0;
  std::int64_t first_ts = 0;
  double first = 0;
  std::int64_t last_ts = 0;
  double last = 0;

  double Mean() const { return sum / static_cast<double>(count); }
  // Sample standard deviation, as PostgreSQL's stddev(); NaN below 2 points.
  double Stddev() const {
    if (count < 2) return std::numeric_limits<double>::quiet_NaN();
    return std::sqrt(m2 / static_cast<double>(count - 1));
  }
};

// The state of `count` > 0 points in time order.
Aggregate Summarize(const std::int64_t* timestamps, const double* values, std::size_t count);

// Folds `later` into `into`: in time order within a series; first and last
// are chosen by time, so states of several series merge in any order.
void Merge(Aggregate& into, const Aggregate& later);

}  // namespace lake::timeseries
