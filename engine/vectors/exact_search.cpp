#include "vectors/exact_search.h"

#include <algorithm>

#include "common/interrupt.h"

namespace lake::vectors {

namespace {

void ScoreSlots(const VectorTable& table, const QueryVector& query, const SlotPredicate& predicate,
                std::uint32_t begin, std::uint32_t end, TopK& top) {
  for (std::uint32_t slot = begin; slot < end; ++slot) {
    if (!predicate.Passes(slot)) continue;
    const float score = table.Score(query, slot);
    if (top.MayAccept(score)) top.Push({score, table.key(slot).id, slot});
  }
}

// Slots of the listed ids that pass the rest of the filter.
std::vector<std::uint32_t> SlotsOfAllowedIds(const VectorTable& table,
                                             const SlotPredicate& predicate) {
  std::vector<std::uint32_t> slots;
  for (std::int64_t id : predicate.filter().allowed_ids) {
    for (std::int32_t version : table.VersionsOf(id)) {
      const auto slot = table.Find({id, version});
      if (slot && predicate.Passes(*slot)) slots.push_back(*slot);
    }
  }
  return slots;
}

bool FewAllowedIds(const VectorTable& table, const SlotPredicate& predicate) {
  return predicate.filter().restricts_ids() &&
         predicate.filter().allowed_ids.size() * 8 < table.slot_count();
}

// Rows per block in a batch search: about 1 MiB, well inside L2.
std::uint32_t BlockRows(const VectorTable& table) {
  const std::size_t rows =
      (std::size_t{1} << 20) / (std::size_t{table.dimension()} * sizeof(float));
  return static_cast<std::uint32_t>(std::max<std::size_t>(rows, 16));
}

}  // namespace

std::vector<Candidate> ExactCandidates(const VectorTable& table, const QueryVector& query,
                                       std::size_t k, const SlotPredicate& predicate) {
  TopK top(k);
  if (FewAllowedIds(table, predicate)) {
    for (std::uint32_t slot : SlotsOfAllowedIds(table, predicate)) {
      top.Push({table.Score(query, slot), table.key(slot).id, slot});
    }
  } else {
    // A block at a time, so that a cancelled request stops (the caller
    // asks CheckInterrupt again and discards what was found).
    const std::uint32_t block = BlockRows(table);
    for (std::uint32_t begin = 0; begin < table.slot_count() && CheckInterrupt().ok();
         begin += block)
      ScoreSlots(table, query, predicate, begin, std::min(begin + block, table.slot_count()), top);
  }
  return top.TakeSorted();
}

std::vector<std::vector<Candidate>> ExactCandidatesBatch(const VectorTable& table,
                                                         const std::vector<QueryVector>& queries,
                                                         std::size_t k,
                                                         const SlotPredicate& predicate) {
  std::vector<std::vector<Candidate>> results;
  if (FewAllowedIds(table, predicate)) {
    for (const QueryVector& query : queries) {
      results.push_back(ExactCandidates(table, query, k, predicate));
    }
    return results;
  }
  std::vector<TopK> tops(queries.size(), TopK(k));
  const std::uint32_t block = BlockRows(table);
  for (std::uint32_t begin = 0; begin < table.slot_count() && CheckInterrupt().ok();
       begin += block) {
    const std::uint32_t end = std::min(begin + block, table.slot_count());
    for (std::size_t q = 0; q < queries.size(); ++q) {
      ScoreSlots(table, queries[q], predicate, begin, end, tops[q]);
    }
  }
  for (TopK& top : tops)
    results.push_back(top.TakeSorted());
  return results;
}

std::vector<Neighbor> ToNeighbors(const VectorTable& table,
                                  const std::vector<Candidate>& candidates) {
  std::vector<Neighbor> neighbors;
  neighbors.reserve(candidates.size());
  for (const Candidate& candidate : candidates) {
    neighbors.push_back(
        {candidate.id, table.key(candidate.row).model_version, table.ToDistance(candidate.score)});
  }
  return neighbors;
}

std::vector<Neighbor> ExactSearch(const VectorTable& table, const float* query, std::size_t k,
                                  const RowFilter& filter) {
  const SlotPredicate predicate(table, filter);
  return ToNeighbors(table, ExactCandidates(table, table.PrepareQuery(query), k, predicate));
}

}  // namespace lake::vectors
