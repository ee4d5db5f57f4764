// The distance kernels, written once against xsimd and instantiated once per
// instruction set by kernels_<isa>.cpp. Include only from those files: the
// code here must be compiled with the flags of the architecture it names.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include <xsimd/xsimd.hpp>

#include "simd/distance.h"
#include "simd/float16.h"

namespace lake::simd::detail {

// Loads batch::size halves as floats; each kernels_<isa>.cpp defines it with
// that architecture's conversion instruction.
template <class Arch>
struct HalfLoader {
  static xsimd::batch<float, Arch> Load(const std::uint16_t* p);
};

// int8 kernels: scalar by default (the compiler vectorises it for the
// baseline), specialised with widening multiply-add where the ISA has it.
template <class Arch>
struct Int8Kernels {
  static std::int32_t L2Squared(const std::int8_t* a, const std::int8_t* b, std::size_t n) {
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t d = std::int32_t{a[i]} - std::int32_t{b[i]};
      sum += d * d;
    }
    return sum;
  }
  static std::int32_t InnerProduct(const std::int8_t* a, const std::int8_t* b, std::size_t n) {
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < n; ++i)
      sum += std::int32_t{a[i]} * std::int32_t{b[i]};
    return sum;
  }
};

template <class Arch>
inline xsimd::batch<float, Arch> LoadFloats(const float* p) {
  return xsimd::batch<float, Arch>::load_unaligned(p);
}
template <class Arch>
inline xsimd::batch<float, Arch> LoadFloats(const std::uint16_t* p) {
  return HalfLoader<Arch>::Load(p);
}
static inline float ToFloat(float v) {
  return v;
}
static inline float ToFloat(std::uint16_t v) {
  return HalfToFloat(v);
}

// Four independent accumulators hide the FMA latency; the tail is scalar.
template <class Arch, class Stored>
float L2SquaredKernel(const float* a, const Stored* b, std::size_t n) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr std::size_t kWidth = Batch::size;
  Batch s0(0.f), s1(0.f), s2(0.f), s3(0.f);
  std::size_t i = 0;
  for (; i + 4 * kWidth <= n; i += 4 * kWidth) {
    const Batch d0 = Batch::load_unaligned(a + i) - LoadFloats<Arch>(b + i);
    const Batch d1 = Batch::load_unaligned(a + i + kWidth) - LoadFloats<Arch>(b + i + kWidth);
    const Batch d2 =
        Batch::load_unaligned(a + i + 2 * kWidth) - LoadFloats<Arch>(b + i + 2 * kWidth);
    const Batch d3 =
        Batch::load_unaligned(a + i + 3 * kWidth) - LoadFloats<Arch>(b + i + 3 * kWidth);
    s0 = xsimd::fma(d0, d0, s0);
    s1 = xsimd::fma(d1, d1, s1);
    s2 = xsimd::fma(d2, d2, s2);
    s3 = xsimd::fma(d3, d3, s3);
  }
  for (; i + kWidth <= n; i += kWidth) {
    const Batch d = Batch::load_unaligned(a + i) - LoadFloats<Arch>(b + i);
    s0 = xsimd::fma(d, d, s0);
  }
  float sum = xsimd::hadd((s0 + s1) + (s2 + s3));
  for (; i < n; ++i) {
    const float d = a[i] - ToFloat(b[i]);
    sum += d * d;
  }
  return sum;
}

template <class Arch, class Stored>
float InnerProductKernel(const float* a, const Stored* b, std::size_t n) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr std::size_t kWidth = Batch::size;
  Batch s0(0.f), s1(0.f), s2(0.f), s3(0.f);
  std::size_t i = 0;
  for (; i + 4 * kWidth <= n; i += 4 * kWidth) {
    s0 = xsimd::fma(Batch::load_unaligned(a + i), LoadFloats<Arch>(b + i), s0);
    s1 = xsimd::fma(Batch::load_unaligned(a + i + kWidth), LoadFloats<Arch>(b + i + kWidth), s1);
    s2 = xsimd::fma(Batch::load_unaligned(a + i + 2 * kWidth), LoadFloats<Arch>(b + i + 2 * kWidth),
                    s2);
    s3 = xsimd::fma(Batch::load_unaligned(a + i + 3 * kWidth), LoadFloats<Arch>(b + i + 3 * kWidth),
                    s3);
  }
  for (; i + kWidth <= n; i += kWidth) {
    s0 = xsimd::fma(Batch::load_unaligned(a + i), LoadFloats<Arch>(b + i), s0);
  }
  float sum = xsimd::hadd((s0 + s1) + (s2 + s3));
  for (; i < n; ++i)
    sum += a[i] * ToFloat(b[i]);
  return sum;
}

// Exact enough for vectors whose squared norms underflow float; 1 when
// either vector is truly zero.
// Non-template helpers are static: each instruction set keeps its own copy, so
// the linker can never hand an AVX-512 body to a baseline caller.
static inline float CosineDistanceInDouble(const float* a, const float* b, std::size_t n) {
  double dot = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    dot += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  if (aa == 0 || bb == 0) return 1.f;
  const double distance = 1.0 - dot / (std::sqrt(aa) * std::sqrt(bb));
  return static_cast<float>(distance < 0.0 ? 0.0 : (distance > 2.0 ? 2.0 : distance));
}

// One pass for the dot product and both norms.
template <class Arch>
float CosineDistanceKernel(const float* a, const float* b, std::size_t n) {
  using Batch = xsimd::batch<float, Arch>;
  constexpr std::size_t kWidth = Batch::size;
  Batch dot0(0.f), dot1(0.f), aa0(0.f), aa1(0.f), bb0(0.f), bb1(0.f);
  std::size_t i = 0;
  for (; i + 2 * kWidth <= n; i += 2 * kWidth) {
    const Batch a0 = Batch::load_unaligned(a + i);
    const Batch b0 = Batch::load_unaligned(b + i);
    const Batch a1 = Batch::load_unaligned(a + i + kWidth);
    const Batch b1 = Batch::load_unaligned(b + i + kWidth);
    dot0 = xsimd::fma(a0, b0, dot0);
    aa0 = xsimd::fma(a0, a0, aa0);
    bb0 = xsimd::fma(b0, b0, bb0);
    dot1 = xsimd::fma(a1, b1, dot1);
    aa1 = xsimd::fma(a1, a1, aa1);
    bb1 = xsimd::fma(b1, b1, bb1);
  }
  for (; i + kWidth <= n; i += kWidth) {
    const Batch a0 = Batch::load_unaligned(a + i);
    const Batch b0 = Batch::load_unaligned(b + i);
    dot0 = xsimd::fma(a0, b0, dot0);
    aa0 = xsimd::fma(a0, a0, aa0);
    bb0 = xsimd::fma(b0, b0, bb0);
  }
  float dot = xsimd::hadd(dot0 + dot1);
  float aa = xsimd::hadd(aa0 + aa1);
  float bb = xsimd::hadd(bb0 + bb1);
  for (; i < n; ++i) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  // A zero norm in float may be an underflow (a vector of denormals still
  // has a direction): settle it in double, off the hot path.
  if (aa == 0.f || bb == 0.f) return CosineDistanceInDouble(a, b, n);
  // In double: the product of two large float norms would overflow.
  const double similarity = static_cast<double>(dot) / (std::sqrt(static_cast<double>(aa)) *
                                                        std::sqrt(static_cast<double>(bb)));
  const double distance = 1.0 - similarity;
  return static_cast<float>(distance < 0.0 ? 0.0 : (distance > 2.0 ? 2.0 : distance));
}

template <class Arch>
KernelTable MakeKernelTable(Isa isa) {
  return KernelTable{
      .isa = isa,
      .l2_squared = &L2SquaredKernel<Arch, float>,
      .inner_product = &InnerProductKernel<Arch, float>,
      .cosine_distance = &CosineDistanceKernel<Arch>,
      .l2_squared_f16 = &L2SquaredKernel<Arch, std::uint16_t>,
      .inner_product_f16 = &InnerProductKernel<Arch, std::uint16_t>,
      .l2_squared_i8 = &Int8Kernels<Arch>::L2Squared,
      .inner_product_i8 = &Int8Kernels<Arch>::InnerProduct,
  };
}

}  // namespace lake::simd::detail
