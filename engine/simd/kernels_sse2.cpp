// Baseline x86-64: compiled without extra flags.
#include "simd/kernel_tables.h"
#include "simd/kernels_impl.h"

namespace lake::simd::detail {

using Sse2 = xsimd::sse2;

// SSE2 has no half-precision conversion: convert four values in scalar code.
template <>
xsimd::batch<float, Sse2> HalfLoader<Sse2>::Load(const std::uint16_t* p) {
  alignas(16) float values[4] = {HalfToFloat(p[0]), HalfToFloat(p[1]), HalfToFloat(p[2]),
                                 HalfToFloat(p[3])};
  return xsimd::batch<float, Sse2>::load_aligned(values);
}

const KernelTable& KernelTableSse2() {
  static const KernelTable table = MakeKernelTable<Sse2>(Isa::kSse2);
  return table;
}

}  // namespace lake::simd::detail
