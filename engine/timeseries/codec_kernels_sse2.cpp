// The codec loops compiled for sse2 (flags in engine/CMakeLists.txt), with
// looped rows: a machine without AVX2 is rare, the build time is not.
#include "timeseries/codec_kernels_impl.h"

namespace lake::timeseries::detail {

const CodecKernels& CodecKernelsSse2() {
  static const CodecKernels table = MakeCodecKernels<false>(simd::Isa::kSse2);
  return table;
}

}  // namespace lake::timeseries::detail
