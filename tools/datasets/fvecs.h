// Row-major float matrices (embeddings) and the .fvecs files that hold them
// (per vector: int32 dimension, then that many float32).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"

namespace lake::datasets {

struct FloatMatrix {
  std::size_t rows = 0;
  std::size_t dimension = 0;
  std::vector<float> values;  // row-major
  const float* row(std::size_t i) const { return values.data() + i * dimension; }
};

Result<FloatMatrix> ReadFvecs(const std::string& path);

}  // namespace lake::datasets
