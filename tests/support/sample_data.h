// Real embeddings from ../shared/data for tests. A missing file fails the
// test that asked for it (never a silent skip).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lake::testing {

struct Matrix {
  std::size_t rows = 0;
  std::size_t dimension = 0;
  std::vector<float> values;  // row-major
  const float* row(std::size_t i) const { return values.data() + i * dimension; }
};

std::string SharedDataPath(const std::string& relative);

// Cohere multilingual Wikipedia embeddings: 1,000 x 768, not normalised.
Matrix LoadCohere768();
// SIFT descriptors: 5,000 x 128 integer-valued floats.
Matrix LoadSift5k();

}  // namespace lake::testing
