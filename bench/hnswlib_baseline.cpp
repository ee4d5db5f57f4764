#include "hnswlib_baseline.h"

#include <hnswlib/hnswlib.h>

#include "common/parallel.h"

namespace lake::bench {

HnswlibDistance HnswlibL2(std::size_t dimension) {
  hnswlib::L2Space space(dimension);
  return {space.get_dist_func(), dimension};
}

HnswlibDistance HnswlibInnerProduct(std::size_t dimension) {
  hnswlib::InnerProductSpace space(dimension);
  return {space.get_dist_func(), dimension};
}

struct HnswlibIndex::Impl {
  Impl(std::size_t dim, std::size_t capacity, int m, int ef_construction)
      : space(dim), index(&space, capacity, m, ef_construction), dimension(dim) {}
  hnswlib::L2Space space;
  hnswlib::HierarchicalNSW<float> index;
  std::size_t dimension;
};

HnswlibIndex::HnswlibIndex(std::size_t dimension, std::size_t capacity, int m, int ef_construction)
    : impl_(std::make_unique<Impl>(dimension, capacity, m, ef_construction)) {}
HnswlibIndex::~HnswlibIndex() = default;

void HnswlibIndex::Add(const float* rows, std::size_t count, int threads) {
  ParallelFor(count, threads,
              [&](std::size_t i, int) { impl_->index.addPoint(rows + i * impl_->dimension, i); });
}

void HnswlibIndex::SetEf(std::size_t ef) {
  impl_->index.setEf(ef);
}

std::vector<std::int64_t> HnswlibIndex::Search(const float* query, std::size_t k) const {
  auto queue = impl_->index.searchKnn(query, k);
  std::vector<std::int64_t> labels(queue.size());
  for (std::size_t i = labels.size(); i-- > 0;) {
    labels[i] = static_cast<std::int64_t>(queue.top().second);
    queue.pop();
  }
  return labels;
}

std::size_t HnswlibIndex::MemoryBytes() const {
  const auto& index = impl_->index;
  std::size_t bytes = index.max_elements_ * index.size_data_per_element_;
  for (std::size_t i = 0; i < index.cur_element_count; ++i) {
    bytes += index.element_levels_[i] * index.size_links_per_element_;
  }
  return bytes + index.max_elements_ * (sizeof(int) + sizeof(void*));
}

}  // namespace lake::bench
