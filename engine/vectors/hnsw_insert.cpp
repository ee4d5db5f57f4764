#include <algorithm>

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
      // Closer to a kept neighbour than to the base, or a copy of one (a
      // duplicate vector adds no way out: lists full of copies of each
      // other would cut a crowd of duplicates off the graph).
      const float between = table_.WalkScoreBetween(candidate.slot, kept);
      if (between < candidate.score || between == 0.0f) {
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

void HnswIndex::Repair(std::uint32_t neighbor, std::uint32_t moved,
                       const std::vector<std::uint32_t>& moved_links, int level) {
  std::lock_guard lock(LockOf(neighbor));
  std::uint32_t* links = Links(neighbor, level);
  std::uint32_t* end = links + 1 + links[0];
  std::uint32_t* at = std::find(links + 1, end, moved);
  if (at == end) return;
  // `moved` left: its link goes, and the nearest of the nodes it linked to
  // (which were around it) take its place. The other links stay as they are:
  // pruning them here could cut off a node that only this one links to.
  std::copy(at + 1, end, at);
  --links[0];
  --end;
  std::vector<ScoredSlot> candidates;
  for (std::uint32_t other : moved_links) {
    if (other != neighbor && std::find(links + 1, end, other) == end)
      candidates.push_back({table_.WalkScoreBetween(neighbor, other), other});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const ScoredSlot& a, const ScoredSlot& b) { return a.score < b.score; });
  constexpr std::size_t kBridges = 2;
  for (std::size_t i = 0; i < candidates.size() && i < kBridges && links[0] < MaxLinks(level);
       ++i) {
    links[++links[0]] = candidates[i].slot;
  }
}

void HnswIndex::Add(std::uint32_t slot) {
  const bool relink = levels_[slot] >= 0;
  const int level = relink ? levels_[slot] : RandomLevel(slot);
  // A relinked node (its slot now holds another vector) keeps its old links
  // while the new ones are found, so searches and concurrent inserts still
  // pass through it; its old neighbours are repaired afterwards.
  std::vector<std::vector<std::uint32_t>> old_links(std::size_t(level) + 1);
  {
    std::lock_guard lock(LockOf(slot));
    if (!relink) {
      levels_[slot] = static_cast<std::int8_t>(level);
      links_upper_[slot].assign(std::size_t(level) * (max_links_ + 1), 0);
    }
    for (int l = 0; l <= level; ++l) {
      std::uint32_t* links = Links(slot, l);
      if (relink) old_links[std::size_t(l)].assign(links + 1, links + 1 + links[0]);
      if (!relink) links[0] = 0;
    }
  }
  if (!relink) ++node_count_;
  Link(slot, level, old_links);
  if (!relink) return;
  // The nodes that link to it are around its old place (links are mostly,
  // not always, both ways): its old neighbours, and the ef_construction
  // nodes nearest to the first of them.
  for (int l = 0; l <= level; ++l) {
    const std::vector<std::uint32_t>& was = old_links[std::size_t(l)];
    if (was.empty()) continue;
    const std::uint32_t center = was.front();
    const auto to_center = [&](std::uint32_t other) {
      return table_.WalkScoreBetween(center, other);
    };
    const auto any = [](std::uint32_t) { return true; };
    std::vector<std::uint32_t> around = was;
    for (const ScoredSlot& near :
         SearchLayer<true>(center, 0.0f, l, std::size_t(params_.ef_construction), to_center, any))
      around.push_back(near.slot);
    std::sort(around.begin(), around.end());
    around.erase(std::unique(around.begin(), around.end()), around.end());
    for (std::uint32_t node : around) {
      if (node != slot) Repair(node, slot, was, l);
    }
    // Each old neighbour lost its link from this node: it gets one from the
    // nearest of the others, so none is left without a way in.
    for (std::uint32_t lost : was) {
      std::uint32_t nearest = kNone;
      float best = std::numeric_limits<float>::infinity();
      for (std::uint32_t other : was) {
        if (other == lost || other == slot) continue;
        const float score = table_.WalkScoreBetween(lost, other);
        if (score < best) {
          best = score;
          nearest = other;
        }
      }
      if (nearest != kNone && lost != slot) LinkBack(nearest, lost, best, l);
    }
  }
}

void HnswIndex::Link(std::uint32_t slot, int level,
                     const std::vector<std::vector<std::uint32_t>>& before) {
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
      // Links that concurrent inserts added while this one searched stay:
      // they may be the only way into those nodes.
      const std::vector<std::uint32_t>& was = before[std::size_t(l)];
      std::vector<ScoredSlot> kept;
      for (std::uint32_t neighbor : neighbors)
        kept.push_back({table_.WalkScoreBetween(slot, neighbor), neighbor});
      for (std::uint32_t i = 1; i <= links[0]; ++i) {
        const std::uint32_t added = links[i];
        const auto is = [added](std::uint32_t x) { return x == added; };
        if (std::none_of(was.begin(), was.end(), is) &&
            std::none_of(neighbors.begin(), neighbors.end(), is))
          kept.push_back({table_.WalkScoreBetween(slot, added), added});
      }
      std::vector<std::uint32_t> list = neighbors;
      if (kept.size() > neighbors.size()) {
        std::sort(kept.begin(), kept.end(),
                  [](const ScoredSlot& a, const ScoredSlot& b) { return a.score < b.score; });
        list.clear();
        for (const ScoredSlot& k : kept)
          list.push_back(k.slot);
        if (list.size() > MaxLinks(l)) list = SelectNeighbors(kept, MaxLinks(l));
      }
      links[0] = static_cast<std::uint32_t>(list.size());
      std::copy(list.begin(), list.end(), links + 1);
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
