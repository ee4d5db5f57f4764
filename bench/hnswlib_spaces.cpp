#include "hnswlib_spaces.h"

#include <hnswlib/hnswlib.h>

namespace lake::bench {

HnswlibDistance HnswlibL2(std::size_t dimension) {
  hnswlib::L2Space space(dimension);
  return {space.get_dist_func(), dimension};
}

HnswlibDistance HnswlibInnerProduct(std::size_t dimension) {
  hnswlib::InnerProductSpace space(dimension);
  return {space.get_dist_func(), dimension};
}

}  // namespace lake::bench
