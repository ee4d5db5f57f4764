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

HnswIndex::GraphState HnswIndex::ExportState() const {
  return GraphState{levels_, links0_, links_upper_, entry_point_, max_level_};
}

Status HnswIndex::ImportState(GraphState state) {
  const std::size_t slots = state.levels.size();
  const auto corrupt = [](const std::string& what) {
    return Status::Corruption("index snapshot graph: " + what);
  };
  if (state.links0.size() != slots * (max_links0_ + 1) || state.links_upper.size() != slots) {
    return corrupt("array sizes do not match " + std::to_string(slots) + " slots");
  }
  std::size_t nodes = 0;
  const auto valid_list = [&](const std::uint32_t* list, std::size_t capacity) {
    if (list[0] > capacity) return false;
    for (std::size_t i = 1; i <= list[0]; ++i) {
      if (list[i] >= slots || state.levels[list[i]] < 0) return false;
    }
    return true;
  };
  for (std::size_t slot = 0; slot < slots; ++slot) {
    const int level = state.levels[slot];
    if (level < 0) continue;
    ++nodes;
    if (state.links_upper[slot].size() != std::size_t(level) * (max_links_ + 1) ||
        !valid_list(state.links0.data() + slot * (max_links0_ + 1), max_links0_)) {
      return corrupt("node " + std::to_string(slot) + " has malformed links");
    }
    for (int l = 1; l <= level; ++l) {
      if (!valid_list(state.links_upper[slot].data() + std::size_t(l - 1) * (max_links_ + 1),
                      max_links_)) {
        return corrupt("node " + std::to_string(slot) + " has malformed links");
      }
    }
  }
  const bool empty = state.entry_point == kNone;
  if (empty != (nodes == 0) || (!empty && (state.entry_point >= slots ||
                                           state.levels[state.entry_point] != state.max_level))) {
    return corrupt("entry point is invalid");
  }
  levels_ = std::move(state.levels);
  links0_ = std::move(state.links0);
  links_upper_ = std::move(state.links_upper);
  entry_point_ = state.entry_point;
  max_level_ = state.max_level;
  node_count_ = nodes;
  return Status::Ok();
}

}  // namespace lake::vectors
