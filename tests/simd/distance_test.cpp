#include "simd/distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "simd/float16.h"

namespace lake::simd {
namespace {

// Scalar references in double precision.
double ReferenceL2(const float* a, const float* b, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i)
    sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return sum;
}
double ReferenceDot(const float* a, const float* b, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i)
    sum += double(a[i]) * b[i];
  return sum;
}
double ReferenceCosine(const float* a, const float* b, std::size_t n) {
  const double aa = ReferenceDot(a, a, n), bb = ReferenceDot(b, b, n);
  if (aa == 0 || bb == 0) return 1.0;
  return 1.0 - ReferenceDot(a, b, n) / std::sqrt(aa * bb);
}
// Float accumulation error grows with the sum of the magnitudes of the terms.
double Tolerance(const float* a, const float* b, std::size_t n) {
  double magnitude = 0;
  for (std::size_t i = 0; i < n; ++i)
    magnitude += std::abs(double(a[i]) * b[i]) + double(a[i]) * a[i];
  return 1e-5 * magnitude + 1e-37;
}

constexpr std::size_t kDimensions[] = {1, 3, 15, 17, 192, 512, 768, 1536, 4096};

class DistanceTest : public ::testing::TestWithParam<Isa> {
 protected:
  const KernelTable& kernels() const { return *KernelsFor(GetParam()); }

  // `offset` floats into an allocation: exercises unaligned loads.
  static std::vector<float> RandomVector(std::size_t n, std::size_t offset, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<float> values(n + offset);
    for (auto& v : values)
      v = normal(rng);
    return values;
  }
};

TEST_P(DistanceTest, MatchesScalarReferenceOnOddDimensionsAndUnalignedInputs) {
  std::mt19937 rng(42);
  for (std::size_t n : kDimensions) {
    for (std::size_t offset : {0, 1, 3}) {
      const auto va = RandomVector(n, offset, rng);
      const auto vb = RandomVector(n, offset + 1, rng);
      const float* a = va.data() + offset;
      const float* b = vb.data() + offset + 1;
      const double tolerance = Tolerance(a, b, n);
      EXPECT_NEAR(kernels().l2_squared(a, b, n), ReferenceL2(a, b, n), 2 * tolerance) << "n=" << n;
      EXPECT_NEAR(kernels().inner_product(a, b, n), ReferenceDot(a, b, n), tolerance) << "n=" << n;
      EXPECT_NEAR(kernels().cosine_distance(a, b, n), ReferenceCosine(a, b, n), 1e-5) << "n=" << n;
    }
  }
}

TEST_P(DistanceTest, CosineOfZeroVectorIsOneAndNeverNaN) {
  for (std::size_t n : kDimensions) {
    std::vector<float> zero(n, 0.f), ones(n, 1.f);
    EXPECT_EQ(kernels().cosine_distance(zero.data(), ones.data(), n), 1.f);
    EXPECT_EQ(kernels().cosine_distance(ones.data(), zero.data(), n), 1.f);
    EXPECT_EQ(kernels().cosine_distance(zero.data(), zero.data(), n), 1.f);
    EXPECT_NEAR(kernels().cosine_distance(ones.data(), ones.data(), n), 0.f, 1e-6);
    std::vector<float> minus(n, -1.f);
    EXPECT_NEAR(kernels().cosine_distance(ones.data(), minus.data(), n), 2.f, 1e-6);
  }
}

TEST_P(DistanceTest, DenormalInputsAreNotFlushedToZero) {
  const float denormal = std::numeric_limits<float>::denorm_min() * 1000;
  ASSERT_GT(denormal, 0.f);
  ASSERT_LT(denormal, std::numeric_limits<float>::min());
  for (std::size_t n : kDimensions) {
    std::vector<float> tiny(n, denormal), one(n, 1.f), zero(n, 0.f);
    const double expected_dot = double(denormal) * n;
    EXPECT_NEAR(kernels().inner_product(tiny.data(), one.data(), n), expected_dot,
                expected_dot * 1e-5)
        << "n=" << n;
    EXPECT_GT(kernels().l2_squared(one.data(), tiny.data(), n), 0.f);
    // A denormal-only vector still has a direction.
    EXPECT_NEAR(kernels().cosine_distance(tiny.data(), one.data(), n), 0.f, 1e-3) << "n=" << n;
    EXPECT_EQ(kernels().l2_squared(tiny.data(), tiny.data(), n), 0.f);
  }
}

TEST_P(DistanceTest, Float16KernelsMatchReferenceOnDecodedValues) {
  std::mt19937 rng(7);
  for (std::size_t n : kDimensions) {
    const auto query = RandomVector(n, 1, rng);
    const auto original = RandomVector(n, 0, rng);
    std::vector<std::uint16_t> halves(n + 1);
    EncodeFloat16(original.data(), halves.data() + 1, n);
    std::vector<float> decoded(n);
    DecodeFloat16(halves.data() + 1, decoded.data(), n);
    const float* q = query.data() + 1;
    const double tolerance = Tolerance(q, decoded.data(), n);
    EXPECT_NEAR(kernels().l2_squared_f16(q, halves.data() + 1, n),
                ReferenceL2(q, decoded.data(), n), 2 * tolerance)
        << "n=" << n;
    EXPECT_NEAR(kernels().inner_product_f16(q, halves.data() + 1, n),
                ReferenceDot(q, decoded.data(), n), tolerance)
        << "n=" << n;
  }
}

TEST_P(DistanceTest, Int8KernelsAreExactIncludingExtremes) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> any_byte(-128, 127);
  for (std::size_t n : {1, 3, 15, 17, 31, 33, 192, 768, 4096, 16000}) {
    std::vector<std::int8_t> a(n + 1), b(n + 2);
    for (auto& v : a)
      v = static_cast<std::int8_t>(any_byte(rng));
    for (auto& v : b)
      v = static_cast<std::int8_t>(any_byte(rng));
    std::int64_t l2 = 0, dot = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t d = std::int64_t{a[i + 1]} - b[i + 2];
      l2 += d * d;
      dot += std::int64_t{a[i + 1]} * b[i + 2];
    }
    EXPECT_EQ(kernels().l2_squared_i8(a.data() + 1, b.data() + 2, n), l2) << "n=" << n;
    EXPECT_EQ(kernels().inner_product_i8(a.data() + 1, b.data() + 2, n), dot) << "n=" << n;

    // The widest differences at the largest dimension must not overflow.
    std::vector<std::int8_t> low(n, -128), high(n, 127);
    EXPECT_EQ(kernels().l2_squared_i8(low.data(), high.data(), n), std::int64_t{255 * 255} * n);
    EXPECT_EQ(kernels().inner_product_i8(low.data(), low.data(), n), std::int64_t{128 * 128} * n);
  }
}

std::string IsaTestName(const ::testing::TestParamInfo<Isa>& info) {
  return std::string(IsaName(info.param));
}

INSTANTIATE_TEST_SUITE_P(EverySupportedIsa, DistanceTest, ::testing::ValuesIn(SupportedIsas()),
                         IsaTestName);

TEST(KernelSelection, PicksTheWidestSupportedIsaUnlessForced) {
  const std::vector<Isa> supported = SupportedIsas();
  ASSERT_FALSE(supported.empty());
  EXPECT_EQ(supported.front(), Isa::kSse2);
  const char* forced = std::getenv("LAKE_SIMD");
  if (forced == nullptr) {
    EXPECT_EQ(Kernels().isa, supported.back());
  } else {
    EXPECT_EQ(IsaName(Kernels().isa), forced);
  }
  EXPECT_EQ(KernelsFor(Kernels().isa), &Kernels());
  // Set by the emulated-CPU runs of this suite (tests/CMakeLists.txt).
  if (const char* expected = std::getenv("LAKE_EXPECT_ISA")) {
    EXPECT_EQ(IsaName(Kernels().isa), expected);
  }
}

}  // namespace
}  // namespace lake::simd
