// The codec loops compiled for avx2 (flags in engine/CMakeLists.txt).
#include "timeseries/codec_kernels_impl.h"

namespace lake::timeseries::detail {

const CodecKernels& CodecKernelsAvx2() {
  static const CodecKernels table = MakeCodecKernels<true>(simd::Isa::kAvx2);
  return table;
}

}  // namespace lake::timeseries::detail
