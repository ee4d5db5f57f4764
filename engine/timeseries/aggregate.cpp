#include "timeseries/aggregate.h"

#include <cmath>
#include <limits>

#include "timeseries/codec_kernels.h"

namespace lake::timeseries {

Aggregate Summarize(const std::int64_t* timestamps, const double* values, std::size_t count) {
  Aggregate a;
  a.count = count;
  ActiveCodecKernels().summarize(values, count, &a.sum, &a.m2, &a.min, &a.max);
  a.first_ts = timestamps[0];
  a.first = values[0];
  a.last_ts = timestamps[count - 1];
  a.last = values[count - 1];
  return a;
}

void Merge(Aggregate& into, const Aggregate& later) {
  if (later.count == 0) return;
  if (into.count == 0) {
    into = later;
    return;
  }
  const double n_a = static_cast<double>(into.count);
  const double n_b = static_cast<double>(later.count);
  const double delta = later.sum / n_b - into.sum / n_a;
  into.m2 = into.m2 + later.m2 + delta * delta * (n_a * n_b / (n_a + n_b));
  into.sum += later.sum;
  into.count += later.count;
  if (std::isnan(into.min) || later.min < into.min) into.min = later.min;
  if (!std::isnan(into.max) && (std::isnan(later.max) || later.max > into.max))
    into.max = later.max;
  // By time, not by call order: series merged into one group (GROUP BY
  // all or a tag) arrive in series order. Ties: the one merged later, as
  // PostgreSQL's last() keeps the later of equal times.
  if (later.first_ts < into.first_ts) {
    into.first_ts = later.first_ts;
    into.first = later.first;
  }
  if (later.last_ts >= into.last_ts) {
    into.last_ts = later.last_ts;
    into.last = later.last;
  }
}

}  // namespace lake::timeseries
