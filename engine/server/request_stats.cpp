#include "server/request_stats.h"

#include <bit>

namespace lake::server {

int RequestStats::BucketOf(std::uint64_t micros) {
  if (micros < kSubBuckets) return static_cast<int>(micros);
  const int power = std::bit_width(micros) - 1;  // >= 3
  const auto fraction = static_cast<int>((micros >> (power - 3)) & (kSubBuckets - 1));
  const int bucket = (power - 2) * kSubBuckets + fraction;
  return bucket < kBuckets ? bucket : kBuckets - 1;
}

double RequestStats::UpperBound(int bucket) {
  if (bucket < kSubBuckets) return bucket + 1;
  const int power = bucket / kSubBuckets + 2;
  const int fraction = bucket % kSubBuckets;
  return static_cast<double>((std::uint64_t{kSubBuckets} + fraction + 1) << (power - 3));
}

void RequestStats::Record(std::uint16_t type, std::chrono::nanoseconds took, bool ok) {
  PerType& t = types_[type % kTypes];
  const auto micros = static_cast<std::uint64_t>(took.count() / 1000);
  t.count.fetch_add(1, std::memory_order_relaxed);
  if (!ok) t.errors.fetch_add(1, std::memory_order_relaxed);
  t.buckets[BucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
  std::uint64_t seen = t.max_us.load(std::memory_order_relaxed);
  while (micros > seen && !t.max_us.compare_exchange_weak(seen, micros)) {
  }
}

std::vector<MessageStats> RequestStats::Snapshot() const {
  std::vector<MessageStats> out;
  for (int type = 0; type < kTypes; ++type) {
    const PerType& t = types_[type];
    MessageStats stats;
    stats.type = static_cast<std::uint16_t>(type);
    stats.count = t.count.load(std::memory_order_relaxed);
    if (stats.count == 0) continue;
    stats.errors = t.errors.load(std::memory_order_relaxed);
    stats.max_us = static_cast<double>(t.max_us.load(std::memory_order_relaxed));
    std::array<std::uint64_t, kBuckets> counts;
    std::uint64_t total = 0;
    for (int b = 0; b < kBuckets; ++b)
      total += counts[b] = t.buckets[b].load(std::memory_order_relaxed);
    const auto percentile = [&](double q) {
      const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total - 1));
      std::uint64_t seen = 0;
      for (int b = 0; b < kBuckets; ++b) {
        seen += counts[b];
        if (seen > rank) return std::min(UpperBound(b), stats.max_us);
      }
      return stats.max_us;
    };
    stats.p50_us = percentile(0.50);
    stats.p99_us = percentile(0.99);
    stats.p999_us = percentile(0.999);
    out.push_back(stats);
  }
  return out;
}

}  // namespace lake::server
