// Exact k-nearest-neighbour search by SIMD brute force over a VectorTable:
// the fallback for small or tightly filtered sets, and the oracle every
// approximate index is tested against.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vectors/vector_table.h"

namespace lake::vectors {

// A result's distance is the one users see: Euclidean distance for l2,
// 1 - cosine similarity for cosine, the negative inner product for
// inner_product (pgvector's <->, <=>, <#>). Smaller is closer.
struct Neighbor {
  std::int64_t id;
  std::int32_t model_version;
  float distance;
};

// Rows must pass every set field; applied before any distance is computed.
struct RowFilter {
  std::optional<std::int64_t> tenant_id;
  std::optional<std::int32_t> model_version;
};

std::vector<Neighbor> ExactSearch(const VectorTable& table, const float* query, std::size_t k,
                                  const RowFilter& filter);

// `queries` holds `count` rows of table.dimension() floats. Rows of the table
// are visited in cache-sized blocks shared by all queries, so a batch reads
// the table from memory once.
std::vector<std::vector<Neighbor>> ExactSearchBatch(const VectorTable& table, const float* queries,
                                                    std::size_t count, std::size_t k,
                                                    const RowFilter& filter);

}  // namespace lake::vectors
