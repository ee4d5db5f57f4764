// Private to the HNSW files: the layer search shared by insertion (locked,
// during concurrent builds) and queries (unlocked).
#pragma once

#include <cstring>
#include <queue>

#include "vectors/hnsw_index.h"

namespace lake::vectors {

// Which slots one search has seen: a tag per slot, cleared by bumping the
// epoch, one per thread.
class VisitedSet {
 public:
  static VisitedSet& ForThread(std::size_t slots) {
    thread_local VisitedSet set;
    set.Reset(slots);
    return set;
  }
  // True the first time a slot is seen.
  bool Visit(std::uint32_t slot) {
    if (tags_[slot] == epoch_) return false;
    tags_[slot] = epoch_;
    return true;
  }
  void Prefetch(std::uint32_t slot) const { __builtin_prefetch(&tags_[slot]); }

 private:
  void Reset(std::size_t slots) {
    if (tags_.size() < slots) tags_.resize(slots, 0);
    if (++epoch_ == 0) {
      std::fill(tags_.begin(), tags_.end(), 0);
      epoch_ = 1;
    }
  }
  std::vector<std::uint16_t> tags_;
  std::uint16_t epoch_ = 0;
};

template <bool kLocked, typename ScoreFn, typename PassFn>
std::vector<HnswIndex::ScoredSlot> HnswIndex::SearchLayer(std::uint32_t entry, float entry_score,
                                                          int level, std::size_t ef,
                                                          const ScoreFn& score,
                                                          const PassFn& passes,
                                                          bool two_hop) const {
  struct Closer {
    bool operator()(const ScoredSlot& a, const ScoredSlot& b) const { return a.score > b.score; }
  };
  struct Farther {
    bool operator()(const ScoredSlot& a, const ScoredSlot& b) const { return a.score < b.score; }
  };
  std::vector<ScoredSlot> candidate_storage, result_storage;
  candidate_storage.reserve(ef * 4);
  result_storage.reserve(ef + 1);
  std::priority_queue<ScoredSlot, std::vector<ScoredSlot>, Closer> candidates(
      Closer(), std::move(candidate_storage));
  std::priority_queue<ScoredSlot, std::vector<ScoredSlot>, Farther> results(
      Farther(), std::move(result_storage));
  VisitedSet& visited = VisitedSet::ForThread(levels_.size());

  visited.Visit(entry);
  candidates.push({entry_score, entry});
  if (passes(entry)) results.push({entry_score, entry});
  float bound = results.size() >= ef ? results.top().score : std::numeric_limits<float>::max();

  std::uint32_t neighbors[257];
  thread_local std::vector<std::uint32_t> fresh;
  while (!candidates.empty()) {
    const ScoredSlot current = candidates.top();
    if (current.score > bound) break;
    candidates.pop();

    std::size_t count;
    {
      std::unique_lock<std::mutex> lock;
      if constexpr (kLocked) lock = std::unique_lock(LockOf(current.slot));
      const std::uint32_t* links = Links(current.slot, level);
      count = links[0];
      std::memcpy(neighbors, links + 1, count * sizeof(std::uint32_t));
    }
    // Unvisited neighbours first, then their rows are fetched two ahead of
    // the one being scored, so several memory reads are in flight at once.
    for (std::size_t i = 0; i < count; ++i)
      visited.Prefetch(neighbors[i]);
    fresh.clear();
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t neighbor = neighbors[i];
      if (!visited.Visit(neighbor)) continue;
      if (!two_hop || passes(neighbor)) {
        fresh.push_back(neighbor);
        continue;
      }
      // Two-hop: a row the filter rejects is not scored; the walk steps
      // over it to its neighbours that pass.
      const std::uint32_t* links = Links(neighbor, level);
      for (std::uint32_t j = 1; j <= links[0]; ++j) {
        const std::uint32_t next = links[j];
        if (passes(next) && visited.Visit(next)) fresh.push_back(next);
      }
    }
    const std::size_t fresh_count = fresh.size();
    for (std::size_t i = 0; i < fresh_count && i < 2; ++i)
      table_.Prefetch(fresh[i]);
    for (std::size_t i = 0; i < fresh_count; ++i) {
      const std::uint32_t neighbor = fresh[i];
      if (i + 2 < fresh_count) table_.Prefetch(fresh[i + 2]);
      const float s = score(neighbor);
      if (results.size() < ef || s < bound) {
        candidates.push({s, neighbor});
        if (passes(neighbor)) {
          results.push({s, neighbor});
          if (results.size() > ef) results.pop();
          if (results.size() >= ef) bound = results.top().score;
        }
      }
    }
  }
  std::vector<ScoredSlot> sorted(results.size());
  for (std::size_t i = sorted.size(); i-- > 0;) {
    sorted[i] = results.top();
    results.pop();
  }
  return sorted;
}

template <bool kLocked, typename ScoreFn>
std::uint32_t HnswIndex::GreedyDescend(std::uint32_t entry, float* entry_score, int from_level,
                                       int to_level, const ScoreFn& score) const {
  std::uint32_t current = entry;
  std::uint32_t neighbors[257];
  for (int level = from_level; level > to_level; --level) {
    bool improved = true;
    while (improved) {
      improved = false;
      std::size_t count;
      {
        std::unique_lock<std::mutex> lock;
        if constexpr (kLocked) lock = std::unique_lock(LockOf(current));
        const std::uint32_t* links = Links(current, level);
        count = links[0];
        std::memcpy(neighbors, links + 1, count * sizeof(std::uint32_t));
      }
      for (std::size_t i = 0; i < count; ++i) {
        const float s = score(neighbors[i]);
        if (s < *entry_score) {
          *entry_score = s;
          current = neighbors[i];
          improved = true;
        }
      }
    }
  }
  return current;
}

}  // namespace lake::vectors
