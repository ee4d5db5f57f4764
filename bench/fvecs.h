// Reads .fvecs files (per vector: int32 dimension, then that many float32).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"

namespace lake::bench {

struct Dataset {
  std::size_t rows = 0;
  std::size_t dimension = 0;
  std::vector<float> values;  // row-major
  const float* row(std::size_t i) const { return values.data() + i * dimension; }
};

Result<Dataset> ReadFvecs(const std::string& path);

}  // namespace lake::bench
