// Exact k-nearest-neighbour search by SIMD brute force over a VectorTable:
// the path for small or tightly filtered sets, and (on float32 tables) the
// oracle every approximate index is tested against.
#pragma once

#include <cstdint>
#include <vector>

#include "vectors/neighbor.h"
#include "vectors/row_filter.h"
#include "vectors/top_k.h"
#include "vectors/vector_table.h"

namespace lake::vectors {

// The k best passing rows by the table's score (exact for float32 tables),
// after `after` when given (a page of an ordered search: rows further by
// distance, then id and version). When an index or the id list narrows
// the passing rows to few, visits only those.
std::vector<Candidate> ExactCandidates(const VectorTable& table, const QueryVector& query,
                                       std::size_t k, const SlotPredicate& predicate,
                                       const Neighbor* after = nullptr);

// The same for many queries; rows are visited in cache-sized blocks shared by
// all queries, so a batch reads the table from memory once.
std::vector<std::vector<Candidate>> ExactCandidatesBatch(const VectorTable& table,
                                                         const std::vector<QueryVector>& queries,
                                                         std::size_t k,
                                                         const SlotPredicate& predicate,
                                                         const Neighbor* after = nullptr);

// The k best passing rows in another metric than the table's, for a query
// as written: exact from float32 rows, estimates from float16 or int8 ones.
std::vector<Candidate> ExactCandidatesIn(Metric metric, const VectorTable& table,
                                         const float* query, std::size_t k,
                                         const SlotPredicate& predicate,
                                         const Neighbor* after = nullptr);
// The score of two vectors as written in `metric` (squared L2, negative
// inner product, 1 - cosine), smaller is closer; a zero vector's cosine
// score is +infinity, after every other, as PostgreSQL sorts its NaN.
float ScoreIn(Metric metric, const float* query, const float* row, std::uint32_t dimension);
// What users see for a score (DistanceIn(kCosine, inf) is NaN).
float DistanceIn(Metric metric, float score);

std::vector<Neighbor> ToNeighbors(const VectorTable& table,
                                  const std::vector<Candidate>& candidates);

// Convenience for tests and tools: prepare, search, convert.
std::vector<Neighbor> ExactSearch(const VectorTable& table, const float* query, std::size_t k,
                                  const RowFilter& filter);

}  // namespace lake::vectors
