// Distance kernels for float32, float16 and int8 vectors, written once with
// xsimd (kernels_impl.h), compiled once per instruction set, and chosen at run
// time: a function-pointer table resolved once, so a hot loop pays one
// indirect call per distance and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace lake::simd {

enum class Isa { kSse2, kAvx2, kAvx512 };

std::string_view IsaName(Isa isa);

struct KernelTable {
  Isa isa;
  // float32 against float32.
  float (*l2_squared)(const float* a, const float* b, std::size_t dim);
  float (*inner_product)(const float* a, const float* b, std::size_t dim);
  // 1 - cos(a, b), clamped to [0, 2]; 1 when either vector is zero.
  float (*cosine_distance)(const float* a, const float* b, std::size_t dim);
  // A float32 query against a stored IEEE half-precision vector.
  float (*l2_squared_f16)(const float* query, const std::uint16_t* stored, std::size_t dim);
  float (*inner_product_f16)(const float* query, const std::uint16_t* stored, std::size_t dim);
  // Scalar-quantized codes; exact in int32 for any dimension up to 16,000.
  std::int32_t (*l2_squared_i8)(const std::int8_t* a, const std::int8_t* b, std::size_t dim);
  std::int32_t (*inner_product_i8)(const std::int8_t* a, const std::int8_t* b, std::size_t dim);
};

// The best table for this CPU. The environment variable LAKE_SIMD (sse2, avx2,
// avx512) can force a narrower one, e.g. to reproduce an AVX2-only machine.
const KernelTable& Kernels();

// The table for one instruction set, or nullptr when this CPU lacks it.
const KernelTable* KernelsFor(Isa isa);

// Every instruction set this CPU can run, narrowest first.
std::vector<Isa> SupportedIsas();

}  // namespace lake::simd
