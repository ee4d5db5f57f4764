// hnswlib 0.6.2, the baseline, behind a header that does not include hnswlib
// (its header must be compiled with its own flags, see CMakeLists.txt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace lake::bench {

struct HnswlibDistance {
  float (*function)(const void*, const void*, const void*);
  std::size_t dimension;
  float operator()(const float* a, const float* b) const { return function(a, b, &dimension); }
};

HnswlibDistance HnswlibL2(std::size_t dimension);
// hnswlib's inner-product space returns 1 - a.b.
HnswlibDistance HnswlibInnerProduct(std::size_t dimension);

// An L2 HierarchicalNSW over row-major float32 data; labels are row numbers.
class HnswlibIndex {
 public:
  HnswlibIndex(std::size_t dimension, std::size_t capacity, int m, int ef_construction);
  ~HnswlibIndex();
  void Add(const float* rows, std::size_t count, int threads);
  void SetEf(std::size_t ef);
  // Labels of the k nearest rows, nearest first.
  std::vector<std::int64_t> Search(const float* query, std::size_t k) const;
  std::size_t MemoryBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lake::bench
