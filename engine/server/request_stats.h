// Counters and latency histograms per message type, updated by the workers
// without locks and read by the stats request.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace lake::server {

struct MessageStats {
  std::uint16_t type = 0;
  std::uint64_t count = 0;
  std::uint64_t errors = 0;
  // Service time at a worker, microseconds (bucket upper bounds: within
  // 1/8 of the true value).
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
};

class RequestStats {
 public:
  void Record(std::uint16_t type, std::chrono::nanoseconds took, bool ok);
  // Message types that were seen at least once.
  std::vector<MessageStats> Snapshot() const;

 private:
  static constexpr int kTypes = 64;
  // Buckets of microseconds: 8 per power of two up to 2^40 µs.
  static constexpr int kSubBuckets = 8;
  static constexpr int kBuckets = 41 * kSubBuckets;
  static int BucketOf(std::uint64_t micros);
  static double UpperBound(int bucket);

  struct PerType {
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> max_us{0};
    std::array<std::atomic<std::uint64_t>, kBuckets> buckets{};
  };
  std::array<PerType, kTypes> types_;
};

}  // namespace lake::server
