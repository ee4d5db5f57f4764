// Every codec round-trips every real data set bit for bit, special values
// included, and rejects truncated or corrupt input with an error.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "datasets/timeseries_datasets.h"
#include "timeseries/alp_codec.h"
#include "timeseries/chunk.h"
#include "timeseries/codec_kernels.h"
#include "timeseries/gorilla_codec.h"
#include "timeseries/rollup_block.h"
#include "timeseries/timestamp_codec.h"

namespace lake::timeseries {
namespace {

void ExpectSameBits(const std::vector<double>& expected, const std::vector<double>& actual,
                    const std::string& what) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(expected[i]), std::bit_cast<std::uint64_t>(actual[i]))
        << what << " value " << i << ": " << expected[i] << " came back as " << actual[i];
  }
}

using FloatEncoder = void (*)(std::span<const double>, ByteWriter&);
using FloatDecoder = Status (*)(ByteReader&, std::span<double>);

void ExpectFloatRoundTrip(FloatEncoder encode, FloatDecoder decode,
                          const std::vector<double>& values, const std::string& what) {
  std::string bytes;
  ByteWriter out(&bytes);
  encode(values, out);
  ByteReader in(bytes);
  std::vector<double> decoded(values.size());
  ASSERT_TRUE(decode(in, decoded).ok()) << what;
  EXPECT_EQ(in.remaining(), 0u) << what;
  ExpectSameBits(values, decoded, what);
}

// ALP's size for `values`, in bits per value; checks the round trip too.
double AlpBitsPerValue(const std::vector<double>& values, const std::string& what) {
  std::string bytes;
  ByteWriter out(&bytes);
  EncodeAlp(values, out);
  ExpectFloatRoundTrip(&EncodeAlp, &DecodeAlp, values, what);
  return bytes.size() * 8.0 / values.size();
}

std::vector<double> SpecialValues() {
  std::vector<double> v = {0.0,
                           -0.0,
                           std::numeric_limits<double>::quiet_NaN(),
                           -std::numeric_limits<double>::quiet_NaN(),
                           std::bit_cast<double>(std::uint64_t{0x7ff0000000000123}),  // payload
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::lowest(),
                           1e300,
                           -1e-300,
                           0.1,
                           123456789012345678.0,
                           2251799813685248.0,
                           -2251799813685249.0};
  for (int i = 0; i < 3000; ++i)
    v.push_back(i % 7 == 0 ? -0.0 : i * 0.01);
  return v;
}

class RealData : public ::testing::TestWithParam<std::string> {};

TEST_P(RealData, EveryCodecRoundTripsBitExact) {
  auto series = datasets::LoadTimeseriesDataset(GetParam());
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  for (const auto& s : *series) {
    ExpectFloatRoundTrip(&EncodeAlp, &DecodeAlp, s.values, s.name + " (ALP)");
    ExpectFloatRoundTrip(&EncodeGorilla, &DecodeGorilla, s.values, s.name + " (Gorilla)");
    std::string bytes;
    ByteWriter out(&bytes);
    EncodeTimestamps(s.timestamps, out);
    ByteReader in(bytes);
    std::vector<std::int64_t> timestamps(s.timestamps.size());
    ASSERT_TRUE(DecodeTimestamps(in, timestamps).ok()) << s.name;
    ASSERT_EQ(timestamps, s.timestamps) << s.name;
    for (bool zstd : {false, true}) {
      const std::string chunk = EncodeChunk(s.timestamps, s.values, {.zstd = zstd});
      DecodedChunk decoded;
      ASSERT_TRUE(DecodeChunk(chunk, &decoded).ok()) << s.name;
      ASSERT_EQ(decoded.timestamps, s.timestamps) << s.name;
      ExpectSameBits(s.values, decoded.values, s.name + " (chunk)");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sets, RealData, ::testing::ValuesIn(datasets::TimeseriesDatasets()));

TEST(FloatCodecs, SpecialValuesRoundTrip) {
  const auto values = SpecialValues();
  ExpectFloatRoundTrip(&EncodeAlp, &DecodeAlp, values, "ALP");
  ExpectFloatRoundTrip(&EncodeGorilla, &DecodeGorilla, values, "Gorilla");
}

TEST(FloatCodecs, RandomBitsRoundTripThroughAlpRd) {
  std::mt19937_64 random(7);
  std::vector<double> values(5000);
  for (auto& v : values)
    v = std::bit_cast<double>(random() & 0x3fffffffffffffffULL);
  ExpectFloatRoundTrip(&EncodeAlp, &DecodeAlp, values, "ALP-RD");
  ExpectFloatRoundTrip(&EncodeGorilla, &DecodeGorilla, values, "Gorilla");
}

TEST(FloatCodecs, EveryBlockLengthRoundTrips) {
  std::vector<double> values;
  for (std::size_t n : {1u, 2u, 15u, 16u, 17u, 1023u, 1024u, 1025u, 2049u}) {
    values.clear();
    for (std::size_t i = 0; i < n; ++i)
      values.push_back(20.5 + 0.25 * static_cast<double>(i % 13));
    ExpectFloatRoundTrip(&EncodeAlp, &DecodeAlp, values, "ALP n=" + std::to_string(n));
    ExpectFloatRoundTrip(&EncodeGorilla, &DecodeGorilla, values, "Gorilla n=" + std::to_string(n));
  }
}

// Decimals printed from arithmetic (51.846000000000004) keep their decimal
// integer plus an ulp correction instead of becoming 80-bit exceptions.
TEST(FloatCodecs, DecimalsWithUlpNoiseStayCompact) {
  std::mt19937_64 random(9);
  std::vector<double> values;
  for (int i = 0; i < 4096; ++i) {
    const double decimal = static_cast<double>(random() % 100000) / 1000.0;
    const auto nudged = std::bit_cast<std::uint64_t>(decimal) + random() % 3 - 1;
    values.push_back(std::bit_cast<double>(nudged));
  }
  EXPECT_LT(AlpBitsPerValue(values, "ALP with ulps"), 22.0);
}

// float32 sensor readings stored as doubles (5.827000141143799) decode
// through float32 and stay decimals.
TEST(FloatCodecs, Float32ReadingsStayCompact) {
  std::mt19937_64 random(4);
  std::vector<double> values;
  for (int i = 0; i < 4096; ++i) {
    const float reading = static_cast<float>(random() % 30000) / 1000.0f;
    const auto bits = std::bit_cast<std::uint64_t>(static_cast<double>(reading));
    values.push_back(std::bit_cast<double>(bits + (i % 4 == 0 ? 1 : 0)));  // printing noise
  }
  EXPECT_LT(AlpBitsPerValue(values, "float32 readings"), 20.0);
}

TEST(FloatCodecs, FewDistinctValuesUseADictionary) {
  std::vector<double> values;
  for (int i = 0; i < 4096; ++i)
    values.push_back(i % 5 == 0 ? 0.1 + 0.2 : std::sqrt(double(i % 3)));
  EXPECT_LT(AlpBitsPerValue(values, "dictionary"), 4.0);
}

TEST(TimestampCodec, RegularIntervalsCostWellUnderOneBitPerPoint) {
  std::vector<std::int64_t> ts;
  for (std::int64_t i = 0; i < 100000; ++i)
    ts.push_back(1'600'000'000'000'000 + i * 10'000'000);
  std::string bytes;
  ByteWriter out(&bytes);
  EncodeTimestamps(ts, out);
  EXPECT_LT(bytes.size() * 8.0 / ts.size(), 0.1);
}

TEST(TimestampCodec, GapsJitterAndExtremesRoundTrip) {
  std::mt19937_64 random(3);
  std::vector<std::int64_t> ts = {-5'000'000'000'000'000};
  for (int i = 0; i < 10000; ++i) {
    const std::int64_t step = random() % 50 == 0 ? 1'000'000'000'000 : 1'000'000 + random() % 7;
    ts.push_back(ts.back() + step);
  }
  std::string bytes;
  ByteWriter out(&bytes);
  EncodeTimestamps(ts, out);
  ByteReader in(bytes);
  std::vector<std::int64_t> decoded(ts.size());
  ASSERT_TRUE(DecodeTimestamps(in, decoded).ok());
  EXPECT_EQ(decoded, ts);
}

TEST(Chunk, HeaderCarriesTheAggregate) {
  const std::vector<std::int64_t> ts = {10, 20, 30, 40};
  const std::vector<double> values = {3.5, -1.0, 8.25, 2.0};
  auto header = ReadChunkHeader(EncodeChunk(ts, values, {}));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->stats.count, 4u);
  EXPECT_EQ(header->stats.sum, 12.75);
  EXPECT_EQ(header->stats.min, -1.0);
  EXPECT_EQ(header->stats.max, 8.25);
  EXPECT_EQ(header->stats.first_ts, 10);
  EXPECT_EQ(header->stats.first, 3.5);
  EXPECT_EQ(header->stats.last_ts, 40);
  EXPECT_EQ(header->stats.last, 2.0);
}

TEST(Chunk, TruncatedOrFlippedBytesAreErrorsNotCrashes) {
  std::vector<std::int64_t> ts;
  std::vector<double> values;
  for (int i = 0; i < 3000; ++i) {
    ts.push_back(i * 1000 + (i % 5));
    values.push_back(std::sin(i * 0.01) * 100);
  }
  for (bool zstd : {false, true}) {
    const std::string chunk = EncodeChunk(ts, values, {.zstd = zstd});
    DecodedChunk decoded;
    for (std::size_t cut = 0; cut < chunk.size(); cut += 7)
      EXPECT_FALSE(DecodeChunk(chunk.substr(0, cut), &decoded).ok()) << "cut at " << cut;
    std::mt19937 random(1);
    for (int trial = 0; trial < 2000; ++trial) {
      std::string damaged = chunk;
      damaged[random() % damaged.size()] ^= static_cast<char>(1 + random() % 255);
      (void)DecodeChunk(damaged, &decoded);  // any Status; must not crash
    }
  }
}

TEST(RollupBlock, RoundTripsAndRejectsDamage) {
  const std::int64_t hour = 1'700'000'000'000'000 / kMicrosPerHour * kMicrosPerHour;
  std::vector<UnitAggregate> units;
  for (int minute : {0, 1, 7, 59}) {
    const std::int64_t start = hour + minute * kMicrosPerMinute;
    const std::int64_t ts[] = {start + 5, start + 20'000'000};
    const double values[] = {minute * 1.5, -0.0};
    units.push_back({start, Summarize(ts, values, 2)});
  }
  const std::string bytes = EncodeRollupBlock(units, Level::kMinute, hour);
  EXPECT_LT(bytes.size(), units.size() * 40);
  std::vector<UnitAggregate> decoded;
  ASSERT_TRUE(DecodeRollupBlock(bytes, Level::kMinute, hour, &decoded).ok());
  ASSERT_EQ(decoded.size(), units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    EXPECT_EQ(decoded[i].start, units[i].start);
    EXPECT_EQ(decoded[i].aggregate.count, 2u);
    EXPECT_EQ(decoded[i].aggregate.first_ts, units[i].aggregate.first_ts);
    EXPECT_EQ(decoded[i].aggregate.last_ts, units[i].aggregate.last_ts);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(decoded[i].aggregate.m2),
              std::bit_cast<std::uint64_t>(units[i].aggregate.m2));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(decoded[i].aggregate.last),
              std::bit_cast<std::uint64_t>(units[i].aggregate.last));
  }
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    std::vector<UnitAggregate> partial;
    EXPECT_FALSE(DecodeRollupBlock(bytes.substr(0, cut), Level::kMinute, hour, &partial).ok());
  }
}

TEST(CodecKernels, EveryIsaUnpacksAndSummarisesTheSame) {
  std::mt19937_64 random(5);
  std::vector<double> values(1000);
  for (auto& v : values)
    v = static_cast<double>(random() % 100000) / 100.0 - 300.0;
  const CodecKernels& reference = *CodecKernelsFor(simd::Isa::kSse2);
  double ref[4];
  reference.summarize(values.data(), values.size(), &ref[0], &ref[1], &ref[2], &ref[3]);
  for (simd::Isa isa : simd::SupportedIsas()) {
    double got[4];
    CodecKernelsFor(isa)->summarize(values.data(), values.size(), &got[0], &got[1], &got[2],
                                    &got[3]);
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(ref[i]), std::bit_cast<std::uint64_t>(got[i]))
          << simd::IsaName(isa) << " statistic " << i;
  }
}

}  // namespace
}  // namespace lake::timeseries

// Series merged into one group arrive in series order, not time order: the
// first and last values are still the earliest and latest (found by the
// differential SQL tester: time_bucket ... last(value, ts) over all series).
TEST(Aggregate, MergeChoosesFirstAndLastByTimeInAnyOrder) {
  const std::int64_t late_ts[] = {300, 400};
  const double late_values[] = {3, 4};
  const std::int64_t early_ts[] = {100, 200};
  const double early_values[] = {1, 2};
  lake::timeseries::Aggregate merged = lake::timeseries::Summarize(late_ts, late_values, 2);
  lake::timeseries::Merge(merged, lake::timeseries::Summarize(early_ts, early_values, 2));
  EXPECT_EQ(merged.count, 4u);
  EXPECT_EQ(merged.first, 1);
  EXPECT_EQ(merged.first_ts, 100);
  EXPECT_EQ(merged.last, 4);
  EXPECT_EQ(merged.last_ts, 400);
}
