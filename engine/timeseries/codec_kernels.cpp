#include "timeseries/codec_kernels.h"

namespace lake::timeseries {

namespace detail {
const CodecKernels& CodecKernelsSse2();
const CodecKernels& CodecKernelsAvx2();
const CodecKernels& CodecKernelsAvx512();
}  // namespace detail

const CodecKernels* CodecKernelsFor(simd::Isa isa) {
  if (simd::KernelsFor(isa) == nullptr) return nullptr;
  switch (isa) {
    case simd::Isa::kSse2:
      return &detail::CodecKernelsSse2();
    case simd::Isa::kAvx2:
      return &detail::CodecKernelsAvx2();
    case simd::Isa::kAvx512:
      return &detail::CodecKernelsAvx512();
  }
  return nullptr;
}

// Follows the distance kernels' choice, so LAKE_SIMD narrows both.
const CodecKernels& ActiveCodecKernels() {
  static const CodecKernels& chosen = *CodecKernelsFor(simd::Kernels().isa);
  return chosen;
}

}  // namespace lake::timeseries
