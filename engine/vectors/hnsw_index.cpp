#include "vectors/hnsw_index.h"

#include <cmath>

namespace lake::vectors {

namespace {
std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
}  // namespace

HnswIndex::HnswIndex(const VectorTable& table, HnswParams params)
    : table_(table),
      params_(params),
      max_links_(static_cast<std::size_t>(params.m)),
      max_links0_(static_cast<std::size_t>(params.m) * 2),
      level_multiplier_(1.0 / std::log(static_cast<double>(params.m))) {}

int HnswIndex::RandomLevel(std::uint32_t slot) const {
  // Uniform in (0, 1] from 53 bits of a hash.
  const double uniform =
      (static_cast<double>(SplitMix64(params_.seed ^ slot) >> 11) + 1.0) / 9007199254740992.0;
  const int level = static_cast<int>(-std::log(uniform) * level_multiplier_);
  return std::min(level, 32);
}

void HnswIndex::Reserve(std::uint32_t slots) {
  if (levels_.size() >= slots) return;
  links0_.resize(std::size_t{slots} * (max_links0_ + 1), 0);
  links_upper_.resize(slots);
  levels_.resize(slots, -1);
}

std::size_t HnswIndex::MemoryBytes() const {
  std::size_t bytes = links0_.capacity() * sizeof(std::uint32_t) + levels_.capacity() +
                      links_upper_.capacity() * sizeof(std::vector<std::uint32_t>);
  for (const auto& upper : links_upper_)
    bytes += upper.capacity() * sizeof(std::uint32_t);
  return bytes;
}

}  // namespace lake::vectors
