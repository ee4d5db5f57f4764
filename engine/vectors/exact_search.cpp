#include "vectors/exact_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "common/interrupt.h"

namespace lake::vectors {

namespace {

// Whether the row at `distance` comes no later than `after` in an ordered
// search (then a later page must not return it).
bool NotAfter(const VectorTable& table, float distance, std::uint32_t slot, const Neighbor* after) {
  const RecordKey& key = table.key(slot);
  return after != nullptr && std::tuple(distance, key.id, key.model_version) <=
                                 std::tuple(after->distance, after->id, after->model_version);
}

void Score(const VectorTable& table, const QueryVector& query, std::uint32_t slot, TopK& top,
           const Neighbor* after) {
  const float score = table.Score(query, slot);
  if (top.MayAccept(score) && !NotAfter(table, table.ToDistance(score), slot, after))
    top.Push({score, table.key(slot).id, slot});
}

void ScoreSlots(const VectorTable& table, const QueryVector& query, const SlotPredicate& predicate,
                std::uint32_t begin, std::uint32_t end, TopK& top, const Neighbor* after) {
  for (std::uint32_t slot = begin; slot < end; ++slot) {
    if (predicate.Passes(slot)) Score(table, query, slot, top, after);
  }
}

// The score from squared norms and the inner product of vectors as written.
float ScoreFrom(Metric metric, float query_norm_sq, float row_norm_sq, float dot) {
  switch (metric) {
    case Metric::kL2:
      return std::max(query_norm_sq + row_norm_sq - 2 * dot, 0.f);
    case Metric::kInnerProduct:
      return -dot;
    case Metric::kCosine: {
      const float norms = std::sqrt(query_norm_sq * row_norm_sq);
      if (norms == 0) return std::numeric_limits<float>::infinity();
      return 1.f - std::clamp(dot / norms, -1.f, 1.f);
    }
  }
  return 0.f;
}

// Rows per block in a batch search: about 1 MiB, well inside L2.
std::uint32_t BlockRows(const VectorTable& table) {
  const std::size_t rows =
      (std::size_t{1} << 20) / (std::size_t{table.dimension()} * sizeof(float));
  return static_cast<std::uint32_t>(std::max<std::size_t>(rows, 16));
}

}  // namespace

std::vector<Candidate> ExactCandidates(const VectorTable& table, const QueryVector& query,
                                       std::size_t k, const SlotPredicate& predicate,
                                       const Neighbor* after) {
  TopK top(k);
  if (const auto few = predicate.FewSlots()) {
    for (std::uint32_t slot : *few)
      Score(table, query, slot, top, after);
  } else {
    // A block at a time, so that a cancelled request stops (the caller
    // asks CheckInterrupt again and discards what was found).
    const std::uint32_t block = BlockRows(table);
    for (std::uint32_t begin = 0; begin < table.slot_count() && CheckInterrupt().ok();
         begin += block)
      ScoreSlots(table, query, predicate, begin, std::min(begin + block, table.slot_count()), top,
                 after);
  }
  return top.TakeSorted();
}

std::vector<std::vector<Candidate>> ExactCandidatesBatch(const VectorTable& table,
                                                         const std::vector<QueryVector>& queries,
                                                         std::size_t k,
                                                         const SlotPredicate& predicate,
                                                         const Neighbor* after) {
  std::vector<std::vector<Candidate>> results;
  if (predicate.EstimatedMatches() * 8 < table.slot_count()) {  // FewSlots may answer
    for (const QueryVector& query : queries) {
      results.push_back(ExactCandidates(table, query, k, predicate, after));
    }
    return results;
  }
  std::vector<TopK> tops(queries.size(), TopK(k));
  const std::uint32_t block = BlockRows(table);
  for (std::uint32_t begin = 0; begin < table.slot_count() && CheckInterrupt().ok();
       begin += block) {
    const std::uint32_t end = std::min(begin + block, table.slot_count());
    for (std::size_t q = 0; q < queries.size(); ++q) {
      ScoreSlots(table, queries[q], predicate, begin, end, tops[q], after);
    }
  }
  for (TopK& top : tops)
    results.push_back(top.TakeSorted());
  return results;
}

std::vector<Candidate> ExactCandidatesIn(Metric metric, const VectorTable& table,
                                         const float* query, std::size_t k,
                                         const SlotPredicate& predicate, const Neighbor* after) {
  const QueryVector raw = table.PrepareRawQuery(query);
  TopK top(k);
  const auto score = [&](std::uint32_t slot) {
    const float row_norm = table.norm(slot);
    const float value =
        ScoreFrom(metric, raw.squared_norm, row_norm * row_norm, table.RawDot(raw, slot));
    if (top.MayAccept(value) && !NotAfter(table, DistanceIn(metric, value), slot, after))
      top.Push({value, table.key(slot).id, slot});
  };
  if (const auto few = predicate.FewSlots()) {
    for (std::uint32_t slot : *few)
      score(slot);
    return top.TakeSorted();
  }
  const std::uint32_t block = BlockRows(table);
  for (std::uint32_t begin = 0; begin < table.slot_count() && CheckInterrupt().ok();
       begin += block) {
    for (std::uint32_t slot = begin; slot < std::min(begin + block, table.slot_count()); ++slot) {
      if (predicate.Passes(slot)) score(slot);
    }
  }
  return top.TakeSorted();
}

float ScoreIn(Metric metric, const float* query, const float* row, std::uint32_t dimension) {
  const simd::KernelTable& kernels = simd::Kernels();
  return ScoreFrom(metric, kernels.inner_product(query, query, dimension),
                   kernels.inner_product(row, row, dimension),
                   kernels.inner_product(query, row, dimension));
}

float DistanceIn(Metric metric, float score) {
  if (metric == Metric::kL2) return std::sqrt(score);
  if (metric == Metric::kCosine && std::isinf(score))
    return std::numeric_limits<float>::quiet_NaN();
  return score;
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
