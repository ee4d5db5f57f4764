// The codec loops compiled for avx512 (flags in engine/CMakeLists.txt).
#include "timeseries/codec_kernels_impl.h"

namespace lake::timeseries::detail {

const CodecKernels& CodecKernelsAvx512() {
  static const CodecKernels table = MakeCodecKernels<true>(simd::Isa::kAvx512);
  return table;
}

}  // namespace lake::timeseries::detail
