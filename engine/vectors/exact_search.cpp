#include "vectors/exact_search.h"

#include <cmath>

#include "simd/distance.h"
#include "vectors/top_k.h"

namespace lake::vectors {

namespace {

// The ranking score of a row for one query: squared L2, negative inner
// product, or cosine distance from the stored row norm (one stream, not three).
class Scorer {
 public:
  Scorer(const VectorTable& table, const float* query)
      : table_(table), query_(query), kernels_(simd::Kernels()) {
    if (table.metric() == Metric::kCosine) {
      query_norm_ = std::sqrt(kernels_.inner_product(query, query, table.dimension()));
    }
  }

  float Score(std::size_t row) const {
    const float* values = table_.row(row);
    const std::size_t dimension = table_.dimension();
    switch (table_.metric()) {
      case Metric::kL2:
        return kernels_.l2_squared(query_, values, dimension);
      case Metric::kInnerProduct:
        return -kernels_.inner_product(query_, values, dimension);
      case Metric::kCosine: {
        const float norms = query_norm_ * table_.norm(row);
        if (norms == 0.f) return 1.f;
        const float distance = 1.f - kernels_.inner_product(query_, values, dimension) / norms;
        return distance < 0.f ? 0.f : distance;
      }
    }
    return 0.f;
  }

  // Scores rank; the user-visible distance for l2 is the root of the score.
  float Distance(float score) const {
    return table_.metric() == Metric::kL2 ? std::sqrt(score) : score;
  }

 private:
  const VectorTable& table_;
  const float* query_;
  const simd::KernelTable& kernels_;
  float query_norm_ = 0.f;
};

class RowPredicate {
 public:
  RowPredicate(const VectorTable& table, const RowFilter& filter) : table_(table), filter_(filter) {
    // When every row has the requested version, skip the per-row check.
    const auto& versions = table.version_counts();
    if (filter_.model_version && versions.size() == 1 &&
        versions.begin()->first == *filter_.model_version) {
      filter_.model_version.reset();
    }
    passes_all_ = !filter_.tenant_id && !filter_.model_version;
  }

  bool passes_all() const { return passes_all_; }
  bool Passes(std::size_t row) const {
    if (filter_.tenant_id && table_.tenant(row) != *filter_.tenant_id) return false;
    if (filter_.model_version && table_.key(row).model_version != *filter_.model_version) {
      return false;
    }
    return true;
  }

 private:
  const VectorTable& table_;
  RowFilter filter_;
  bool passes_all_;
};

void ScoreRange(const VectorTable& table, const Scorer& scorer, const RowPredicate& predicate,
                std::size_t begin, std::size_t end, TopK& top) {
  for (std::size_t row = begin; row < end; ++row) {
    if (!predicate.passes_all() && !predicate.Passes(row)) continue;
    const float score = scorer.Score(row);
    if (top.MayAccept(score)) {
      top.Push({score, table.key(row).id, static_cast<std::uint32_t>(row)});
    }
  }
}

std::vector<Neighbor> ToNeighbors(const VectorTable& table, const Scorer& scorer, TopK& top) {
  std::vector<Neighbor> neighbors;
  for (const Candidate& candidate : top.TakeSorted()) {
    neighbors.push_back(
        {candidate.id, table.key(candidate.row).model_version, scorer.Distance(candidate.score)});
  }
  return neighbors;
}

// Rows per block in a batch search: about 1 MiB, well inside L2.
std::size_t BlockRows(std::uint32_t dimension) {
  const std::size_t rows = (std::size_t{1} << 20) / (dimension * sizeof(float));
  return rows < 16 ? 16 : rows;
}

}  // namespace

std::vector<Neighbor> ExactSearch(const VectorTable& table, const float* query, std::size_t k,
                                  const RowFilter& filter) {
  const Scorer scorer(table, query);
  const RowPredicate predicate(table, filter);
  TopK top(k);
  ScoreRange(table, scorer, predicate, 0, table.size(), top);
  return ToNeighbors(table, scorer, top);
}

std::vector<std::vector<Neighbor>> ExactSearchBatch(const VectorTable& table, const float* queries,
                                                    std::size_t count, std::size_t k,
                                                    const RowFilter& filter) {
  const RowPredicate predicate(table, filter);
  std::vector<Scorer> scorers;
  std::vector<TopK> tops;
  scorers.reserve(count);
  tops.reserve(count);
  for (std::size_t q = 0; q < count; ++q) {
    scorers.emplace_back(table, queries + q * table.dimension());
    tops.emplace_back(k);
  }
  const std::size_t block = BlockRows(table.dimension());
  for (std::size_t begin = 0; begin < table.size(); begin += block) {
    const std::size_t end = std::min(begin + block, table.size());
    for (std::size_t q = 0; q < count; ++q) {
      ScoreRange(table, scorers[q], predicate, begin, end, tops[q]);
    }
  }
  std::vector<std::vector<Neighbor>> results;
  results.reserve(count);
  for (std::size_t q = 0; q < count; ++q)
    results.push_back(ToNeighbors(table, scorers[q], tops[q]));
  return results;
}

}  // namespace lake::vectors
