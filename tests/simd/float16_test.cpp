#include "simd/float16.h"

#include <gtest/gtest.h>
#include <immintrin.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

namespace lake::simd {
namespace {

TEST(Float16, ExactValuesRoundTrip) {
  for (float v : {0.f, -0.f, 1.f, -1.f, 0.5f, 2048.f, 65504.f, -65504.f, 6.103515625e-05f,
                  5.960464477539063e-08f /* smallest subnormal half */}) {
    EXPECT_EQ(std::bit_cast<std::uint32_t>(HalfToFloat(FloatToHalf(v))),
              std::bit_cast<std::uint32_t>(v))
        << v;
  }
}

TEST(Float16, SpecialValues) {
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(FloatToHalf(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_EQ(FloatToHalf(1e6f), 0x7c00);  // overflow becomes infinity
  EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(FloatToHalf(1e-9f), 0);  // underflow becomes zero
  EXPECT_EQ(FloatToHalf(-0.f), 0x8000);
}

TEST(Float16, RoundsToNearestEven) {
  // 1 + 2^-11 lies exactly between 1 and the next half (1 + 2^-10): ties to even (1).
  EXPECT_EQ(FloatToHalf(1.f + std::ldexp(1.f, -11)), 0x3c00);
  // 1 + 3 * 2^-11 lies between 1 + 2^-10 (odd) and 1 + 2^-9 (even).
  EXPECT_EQ(FloatToHalf(1.f + 3 * std::ldexp(1.f, -11)), 0x3c02);
  // Just above the tie rounds up.
  EXPECT_EQ(FloatToHalf(std::nextafter(1.f + std::ldexp(1.f, -11), 2.f)), 0x3c01);
}

__attribute__((target("f16c"))) float HardwareHalfToFloat(std::uint16_t h) {
  return _cvtsh_ss(h);
}
__attribute__((target("f16c"))) std::uint16_t HardwareFloatToHalf(float f) {
  return static_cast<std::uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

TEST(Float16, AgreesWithTheF16cInstructionsEverywhere) {
  ASSERT_TRUE(__builtin_cpu_supports("f16c")) << "this check needs a CPU with F16C";
  for (std::uint32_t h = 0; h <= 0xffff; ++h) {
    const float ours = HalfToFloat(static_cast<std::uint16_t>(h));
    const float hardware = HardwareHalfToFloat(static_cast<std::uint16_t>(h));
    if (std::isnan(hardware)) {
      EXPECT_TRUE(std::isnan(ours)) << h;
    } else {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(ours), std::bit_cast<std::uint32_t>(hardware)) << h;
    }
  }
  std::mt19937 rng(3);
  // Random signs and mantissas with exponents from 2^-30 (below the smallest
  // half) to 2^17 (above the largest), so every rounding path is taken.
  std::uniform_int_distribution<std::uint32_t> mantissa(0, 0x7fffff), exponent(97, 144), sign(0, 1);
  for (int i = 0; i < 2'000'000; ++i) {
    const std::uint32_t bits = (sign(rng) << 31) | (exponent(rng) << 23) | mantissa(rng);
    const float f = std::bit_cast<float>(bits);
    ASSERT_EQ(FloatToHalf(f), HardwareFloatToHalf(f)) << f;
  }
}

}  // namespace
}  // namespace lake::simd
