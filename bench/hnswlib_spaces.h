// hnswlib 0.6.2's distance functions, behind a header that does not include
// hnswlib (which must be compiled with its own flags, see CMakeLists.txt).
#pragma once

#include <cstddef>

namespace lake::bench {

struct HnswlibDistance {
  float (*function)(const void*, const void*, const void*);
  std::size_t dimension;
  float operator()(const float* a, const float* b) const { return function(a, b, &dimension); }
};

HnswlibDistance HnswlibL2(std::size_t dimension);
// hnswlib's inner-product space returns 1 - a.b.
HnswlibDistance HnswlibInnerProduct(std::size_t dimension);

}  // namespace lake::bench
