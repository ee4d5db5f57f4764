#include "vectors/hnsw_layer.h"

namespace lake::vectors {

std::vector<Candidate> HnswIndex::Search(const QueryVector& query, std::size_t k, std::size_t ef,
                                         const SlotPredicate& predicate) const {
  if (entry_point_ == kNone || k == 0) return {};
  const auto score = [&](std::uint32_t slot) { return table_.WalkScore(query, slot); };
  const auto passes = [&](std::uint32_t slot) { return predicate.Passes(slot); };

  float entry_score = table_.WalkScore(query, entry_point_);
  const std::uint32_t entry =
      GreedyDescend<false>(entry_point_, &entry_score, max_level_, 0, score);
  const std::vector<ScoredSlot> found =
      SearchLayer<false>(entry, entry_score, 0, std::max(ef, k), score, passes);

  TopK top(k);
  for (const ScoredSlot& s : found)
    top.Push({s.score, table_.key(s.slot).id, s.slot});
  return top.TakeSorted();
}

}  // namespace lake::vectors
