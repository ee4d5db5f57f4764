#include "common/parallel.h"
#include "vectors/hnsw_layer.h"

namespace lake::vectors {

std::vector<std::uint32_t> HnswIndex::SelectNeighbors(const std::vector<ScoredSlot>& candidates,
                                                      std::size_t max_count) const {
  std::vector<std::uint32_t> selected;
  selected.reserve(max_count);
  for (const ScoredSlot& candidate : candidates) {
    if (selected.size() >= max_count) break;
    bool diverse = true;
    for (std::uint32_t kept : selected) {
      if (table_.WalkScoreBetween(candidate.slot, kept) < candidate.score) {
        diverse = false;
        break;
      }
    }
    if (diverse) selected.push_back(candidate.slot);
  }
  return selected;
}

// Adds `slot` to a neighbour's list; a full list keeps the most diverse set.
void HnswIndex::LinkBack(std::uint32_t neighbor, std::uint32_t slot, float score, int level) {
  std::lock_guard lock(LockOf(neighbor));
  std::uint32_t* links = Links(neighbor, level);
  const std::size_t count = links[0];
  for (std::size_t i = 1; i <= count; ++i) {
    if (links[i] == slot) return;
  }
  const std::size_t max_count = MaxLinks(level);
  if (count < max_count) {
    links[count + 1] = slot;
    links[0] = static_cast<std::uint32_t>(count + 1);
    return;
  }
  std::vector<ScoredSlot> candidates;
  candidates.reserve(count + 1);
  candidates.push_back({score, slot});
  for (std::size_t i = 1; i <= count; ++i) {
    candidates.push_back({table_.WalkScoreBetween(neighbor, links[i]), links[i]});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const ScoredSlot& a, const ScoredSlot& b) { return a.score < b.score; });
  const std::vector<std::uint32_t> kept = SelectNeighbors(candidates, max_count);
  links[0] = static_cast<std::uint32_t>(kept.size());
  std::copy(kept.begin(), kept.end(), links + 1);
}

void HnswIndex::Add(std::uint32_t slot) {
  const bool relink = levels_[slot] >= 0;
  const int level = relink ? levels_[slot] : RandomLevel(slot);
  {
    std::lock_guard lock(LockOf(slot));
    if (!relink) {
      levels_[slot] = static_cast<std::int8_t>(level);
      links_upper_[slot].assign(std::size_t(level) * (max_links_ + 1), 0);
    }
    for (int l = 0; l <= level; ++l)
      Links(slot, l)[0] = 0;
  }
  if (!relink) ++node_count_;

  // A node that becomes the new top holds the entry lock while it links, so
  // no other insert starts from a half-linked entry point.
  std::unique_lock entry_lock(entry_mutex_);
  std::uint32_t entry = entry_point_;
  const int top = max_level_;
  if (entry == kNone) {
    entry_point_ = slot;
    max_level_ = level;
    return;
  }
  if (level <= top) entry_lock.unlock();

  const auto score = [&](std::uint32_t other) { return table_.WalkScoreBetween(slot, other); };
  const auto any = [&](std::uint32_t other) { return other != slot; };
  int descent_top = top;
  if (entry == slot) {
    // Re-linking the entry point itself (its slot was reused): descend from
    // the highest other node instead. Rare, so a scan is fine.
    entry = kNone;
    descent_top = -1;
    for (std::uint32_t other = 0; other < levels_.size(); ++other) {
      if (other != slot && levels_[other] > descent_top) {
        entry = other;
        descent_top = levels_[other];
      }
    }
    if (entry == kNone) return;  // the only node
  }
  float entry_score = table_.WalkScoreBetween(slot, entry);
  entry = GreedyDescend<true>(entry, &entry_score, descent_top, level, score);

  for (int l = std::min(level, descent_top); l >= 0; --l) {
    std::vector<ScoredSlot> found = SearchLayer<true>(
        entry, entry_score, l, static_cast<std::size_t>(params_.ef_construction), score, any);
    if (found.empty()) continue;
    const std::vector<std::uint32_t> neighbors = SelectNeighbors(found, max_links_);
    {
      std::lock_guard lock(LockOf(slot));
      std::uint32_t* links = Links(slot, l);
      links[0] = static_cast<std::uint32_t>(neighbors.size());
      std::copy(neighbors.begin(), neighbors.end(), links + 1);
    }
    for (std::uint32_t neighbor : neighbors) {
      LinkBack(neighbor, slot, table_.WalkScoreBetween(slot, neighbor), l);
    }
    entry = found.front().slot;
    entry_score = found.front().score;
  }
  if (level > top) {
    entry_point_ = slot;
    max_level_ = level;
  }
}

void HnswIndex::AddParallel(const std::vector<std::uint32_t>& slots, int threads,
                            const std::function<void(std::size_t)>& progress) {
  std::uint32_t highest = 0;
  for (std::uint32_t slot : slots)
    highest = std::max(highest, slot + 1);
  Reserve(highest);
  ParallelFor(slots.size(), threads, [&](std::size_t i, int worker) {
    Add(slots[i]);
    if (worker == 0 && progress && i % 1024 == 0) progress(i);
  });
  if (progress) progress(slots.size());
}

}  // namespace lake::vectors
