// Compiled with -mavx2 -mfma -mf16c; reached only when the CPU has all three.
#include <immintrin.h>

#include "simd/kernel_tables.h"
#include "simd/kernels_impl.h"

namespace lake::simd::detail {

using Avx2 = xsimd::fma3<xsimd::avx2>;

template <>
xsimd::batch<float, Avx2> HalfLoader<Avx2>::Load(const std::uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

namespace {
std::int32_t HorizontalSum(__m256i v) {
  __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4e));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xb1));
  return _mm_cvtsi128_si32(sum);
}

__m256i LoadWidened(const std::int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
}  // namespace

// Sixteen int8 lanes widened to int16, then pairwise multiply-add to int32.
template <>
std::int32_t Int8Kernels<Avx2>::L2Squared(const std::int8_t* a, const std::int8_t* b,
                                          std::size_t n) {
  __m256i acc = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i d = _mm256_sub_epi16(LoadWidened(a + i), LoadWidened(b + i));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(d, d));
  }
  std::int32_t sum = HorizontalSum(acc);
  for (; i < n; ++i) {
    const std::int32_t d = std::int32_t{a[i]} - std::int32_t{b[i]};
    sum += d * d;
  }
  return sum;
}

template <>
std::int32_t Int8Kernels<Avx2>::InnerProduct(const std::int8_t* a, const std::int8_t* b,
                                             std::size_t n) {
  __m256i acc = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(LoadWidened(a + i), LoadWidened(b + i)));
  }
  std::int32_t sum = HorizontalSum(acc);
  for (; i < n; ++i)
    sum += std::int32_t{a[i]} * std::int32_t{b[i]};
  return sum;
}

const KernelTable& KernelTableAvx2() {
  static const KernelTable table = MakeKernelTable<Avx2>(Isa::kAvx2);
  return table;
}

}  // namespace lake::simd::detail
