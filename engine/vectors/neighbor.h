// One search result: a record (id and model version) and its distance to
// the query. The distance is the one users see: Euclidean distance for l2,
// 1 - cosine similarity for cosine, the negative inner product for
// inner_product (pgvector's <->, <=>, <#>). Smaller is closer.
#pragma once

#include <cstdint>

namespace lake::vectors {

struct Neighbor {
  std::int64_t id;
  std::int32_t model_version;
  float distance;
};

}  // namespace lake::vectors
