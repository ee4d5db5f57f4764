#include "support/sample_data.h"

#include <gtest/gtest.h>

#include "datasets/shared_data.h"

#include <fstream>
#include <sstream>

namespace lake::testing {

Matrix LoadCohere768() {
  const std::string path = datasets::SharedDataPath("vectors/cohere768_1k/cohere_1k_vectors");
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "missing sample data " << path;
  Matrix matrix;
  matrix.dimension = 768;
  matrix.rows = 1000;
  matrix.values.resize(matrix.rows * matrix.dimension);
  in.read(reinterpret_cast<char*>(matrix.values.data()),
          static_cast<std::streamsize>(matrix.values.size() * sizeof(float)));
  if (!in) ADD_FAILURE() << "short read of " << path;
  return matrix;
}

Matrix LoadSift5k() {
  const std::string path = datasets::SharedDataPath("vectors/sift5k/sift-dataset-5k.tsv");
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "missing sample data " << path;
  Matrix matrix;
  matrix.dimension = 128;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    for (std::size_t d = 0; d < matrix.dimension; ++d) {
      float value = 0;
      fields >> value;
      matrix.values.push_back(value);
    }
    ++matrix.rows;
  }
  if (matrix.rows != 5000)
    ADD_FAILURE() << "expected 5000 rows in " << path << ", got " << matrix.rows;
  return matrix;
}

}  // namespace lake::testing
