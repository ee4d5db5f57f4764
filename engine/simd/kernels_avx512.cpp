// Compiled with the AVX-512 F/CD/DQ/BW/VL flags and -mfma; reached only when
// the CPU has them.
#include <immintrin.h>

#include "simd/kernel_tables.h"
#include "simd/kernels_impl.h"

namespace lake::simd::detail {

using Avx512 = xsimd::avx512bw;

template <>
xsimd::batch<float, Avx512> HalfLoader<Avx512>::Load(const std::uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

namespace {
__m512i LoadWidened(const std::int8_t* p) {
  return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
}  // namespace

// Thirty-two int8 lanes widened to int16, then pairwise multiply-add to int32.
template <>
std::int32_t Int8Kernels<Avx512>::L2Squared(const std::int8_t* a, const std::int8_t* b,
                                            std::size_t n) {
  __m512i acc = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512i d = _mm512_sub_epi16(LoadWidened(a + i), LoadWidened(b + i));
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(d, d));
  }
  std::int32_t sum = _mm512_reduce_add_epi32(acc);
  for (; i < n; ++i) {
    const std::int32_t d = std::int32_t{a[i]} - std::int32_t{b[i]};
    sum += d * d;
  }
  return sum;
}

template <>
std::int32_t Int8Kernels<Avx512>::InnerProduct(const std::int8_t* a, const std::int8_t* b,
                                               std::size_t n) {
  __m512i acc = _mm512_setzero_si512();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(LoadWidened(a + i), LoadWidened(b + i)));
  }
  std::int32_t sum = _mm512_reduce_add_epi32(acc);
  for (; i < n; ++i)
    sum += std::int32_t{a[i]} * std::int32_t{b[i]};
  return sum;
}

const KernelTable& KernelTableAvx512() {
  static const KernelTable table = MakeKernelTable<Avx512>(Isa::kAvx512);
  return table;
}

}  // namespace lake::simd::detail
