#include "datasets/fvecs.h"

#include <cstdint>
#include <fstream>

namespace lake::datasets {

Result<FloatMatrix> ReadFvecs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  FloatMatrix data;
  std::int32_t dimension = 0;
  while (in.read(reinterpret_cast<char*>(&dimension), sizeof(dimension))) {
    if (dimension <= 0 || (data.dimension != 0 && std::size_t(dimension) != data.dimension)) {
      return Status::Corruption(path + ": row " + std::to_string(data.rows) + " has dimension " +
                                std::to_string(dimension));
    }
    data.dimension = std::size_t(dimension);
    const std::size_t offset = data.values.size();
    data.values.resize(offset + data.dimension);
    if (!in.read(reinterpret_cast<char*>(data.values.data() + offset),
                 std::streamsize(data.dimension * sizeof(float)))) {
      return Status::Corruption(path + ": truncated row " + std::to_string(data.rows));
    }
    ++data.rows;
  }
  return data;
}

}  // namespace lake::datasets
