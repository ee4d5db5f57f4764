#include "timeseries/alp_codec.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "timeseries/packed_block.h"

namespace lake::timeseries {

namespace {

enum BlockScheme : std::uint8_t { kAlp = 0, kAlpRd = 1, kDictionary = 2 };

constexpr int kMaxExponent = 18;
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                             1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
constexpr double kInversePow10[] = {1e0,   1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,
                                    1e-7,  1e-8,  1e-9,  1e-10, 1e-11, 1e-12, 1e-13,
                                    1e-14, 1e-15, 1e-16, 1e-17, 1e-18};
// Encoded integers stay below 2^51 in magnitude, so the rounding trick and
// the decoder's exact integer-to-double conversion both hold.
constexpr double kEncodeLimit = 2251799813685248.0;
constexpr double kRoundMagic = 6755399441055744.0;  // 2^52 + 2^51
constexpr std::size_t kSampleSize = 64;
constexpr std::size_t kCandidates = 6;
constexpr int kMaxDictionary = 8;
constexpr int kExceptionBits = 64 + 16;
// Larger ulp distances are not decimals: they become exceptions.
constexpr std::int64_t kMaxUlps = 1 << 12;
constexpr std::size_t kMaxDictionaryValues = 256;

struct Factors {
  int exponent = 0;
  int factor = 0;
  // Decoded values are rounded through float32: float32 sensor readings
  // stored as doubles (5.827000141143799) are then plain decimals (5.827).
  bool float32 = false;
};

constexpr std::uint8_t kFloat32Flag = 0x80;  // in the exponent byte

// The integer for `v` under `f` and how many units in the last place the
// decoded value is off by (values printed from arithmetic, 51.846000000000004,
// are a decimal plus an ulp or two); false when that is not small.
bool EncodeOne(double v, Factors f, std::int64_t* encoded, std::int64_t* ulps) {
  const double scaled = v * kPow10[f.exponent] * kInversePow10[f.factor];
  if (!(std::fabs(scaled) < kEncodeLimit)) return false;
  const std::int64_t rounded = static_cast<std::int64_t>(scaled + kRoundMagic - kRoundMagic);
  double decoded = static_cast<double>(rounded) * kPow10[f.factor] * kInversePow10[f.exponent];
  if (f.float32) decoded = static_cast<double>(static_cast<float>(decoded));
  const auto want = std::bit_cast<std::int64_t>(v);
  const auto got = std::bit_cast<std::int64_t>(decoded);
  // Same sign and both finite: the difference of the bits counts ulps.
  if ((want ^ got) < 0 || !std::isfinite(v)) return false;
  const std::int64_t difference = want - got;
  if (difference < -kMaxUlps || difference > kMaxUlps) return false;
  *encoded = rounded;
  *ulps = difference;
  return true;
}

// Estimated bits of a block under `f`, from an evenly spaced sample.
std::size_t EstimateBits(std::span<const double> sample, Factors f) {
  std::int64_t lo = INT64_MAX, hi = INT64_MIN;
  std::uint64_t widest_ulps = 0;
  std::size_t exceptions = 0;
  for (double v : sample) {
    std::int64_t e, ulps;
    if (!EncodeOne(v, f, &e, &ulps)) {
      ++exceptions;
      continue;
    }
    lo = std::min(lo, e);
    hi = std::max(hi, e);
    widest_ulps |= ZigZag(ulps);
  }
  const int width = lo > hi ? 0 : BitWidth(static_cast<std::uint64_t>(hi - lo));
  return sample.size() * static_cast<std::size_t>(width + BitWidth(widest_ulps)) +
         exceptions * kExceptionBits;
}

// The few most promising factor pairs for `values`, judged on an evenly
// spaced sample of the whole input; each block is then encoded with every
// candidate and keeps the smallest (ALP's two sampling levels).
std::vector<Factors> CandidateFactors(std::span<const double> values) {
  double sample[kSampleSize];
  const std::size_t n = std::min(values.size(), kSampleSize);
  for (std::size_t i = 0; i < n; ++i)
    sample[i] = values[i * values.size() / n];
  // float32 decoding is worth scoring when most values are float32s (give
  // or take the ulp that printing them with 16 digits costs).
  std::size_t near_float32 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double rounded = static_cast<double>(static_cast<float>(sample[i]));
    const std::int64_t ulps =
        std::bit_cast<std::int64_t>(sample[i]) - std::bit_cast<std::int64_t>(rounded);
    near_float32 += ulps >= -2 && ulps <= 2;
  }
  std::vector<std::pair<std::size_t, Factors>> scored;
  for (bool float32 : {false, true}) {
    if (float32 && near_float32 * 2 < n) break;
    for (int e = 0; e <= kMaxExponent; ++e) {
      for (int f = 0; f <= e; ++f) {
        const Factors factors{e, f, float32};
        scored.push_back({EstimateBits({sample, n}, factors), factors});
      }
    }
  }
  // Stable: among equal estimates the smaller exponents (listed first) win;
  // they multiply by smaller powers of ten and round exactly more often.
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Factors> best;
  for (std::size_t i = 0; i < std::min(scored.size(), kCandidates); ++i)
    best.push_back(scored[i].second);
  return best;
}

// Whether a block may have few enough distinct values for a dictionary,
// judged on a sample (sorting every block would cost more than it saves).
bool MayBeFewDistinct(std::span<const double> values) {
  std::uint64_t sample[kSampleSize];
  const std::size_t n = std::min(values.size(), kSampleSize);
  for (std::size_t i = 0; i < n; ++i)
    sample[i] = std::bit_cast<std::uint64_t>(values[i * values.size() / n]);
  std::sort(sample, sample + n);
  return static_cast<std::size_t>(std::unique(sample, sample + n) - sample) <= n / 2;
}

// One block in ALP form, ready to write; its size decides against ALP-RD.
struct AlpBlock {
  Factors factors;
  std::int64_t base = 0;
  int width = 0;
  std::vector<std::uint64_t> offsets;
  int ulp_width = 0;                // 0: every value decodes exactly
  std::vector<std::uint64_t> ulps;  // zig-zagged corrections
  std::vector<std::uint16_t> exception_positions;
  std::vector<double> exception_values;

  std::size_t Bytes() const {
    return 16 + PackedWords(offsets.size(), width) * 8 + PackedWords(ulps.size(), ulp_width) * 8 +
           exception_positions.size() * 10;
  }
};

AlpBlock MakeAlpBlock(std::span<const double> values, Factors factors) {
  AlpBlock block;
  block.factors = factors;
  std::vector<std::int64_t> encoded(values.size());
  block.ulps.resize(values.size());
  std::vector<bool> ok(values.size());
  std::int64_t filler = 0;
  bool have_filler = false;
  std::uint64_t widest_ulps = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::int64_t ulps = 0;
    ok[i] = EncodeOne(values[i], block.factors, &encoded[i], &ulps);
    block.ulps[i] = ok[i] ? ZigZag(ulps) : 0;
    widest_ulps |= block.ulps[i];
    if (ok[i] && !have_filler) {
      filler = encoded[i];
      have_filler = true;
    }
  }
  block.ulp_width = BitWidth(widest_ulps);
  std::int64_t lo = filler, hi = filler;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!ok[i]) {
      block.exception_positions.push_back(static_cast<std::uint16_t>(i));
      block.exception_values.push_back(values[i]);
      encoded[i] = filler;
    }
    lo = std::min(lo, encoded[i]);
    hi = std::max(hi, encoded[i]);
  }
  block.base = lo;
  block.width = BitWidth(static_cast<std::uint64_t>(hi - lo));
  block.offsets.resize(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    block.offsets[i] = static_cast<std::uint64_t>(encoded[i] - lo);
  return block;
}

void WriteAlpBlock(const AlpBlock& block, ByteWriter& out) {
  out.Fixed<std::uint8_t>(kAlp);
  out.Fixed<std::uint8_t>(static_cast<std::uint8_t>(block.factors.exponent) |
                          (block.factors.float32 ? kFloat32Flag : 0));
  out.Fixed<std::uint8_t>(static_cast<std::uint8_t>(block.factors.factor));
  out.Fixed<std::uint8_t>(static_cast<std::uint8_t>(block.width));
  out.Varint(ZigZag(block.base));
  out.Fixed<std::uint8_t>(static_cast<std::uint8_t>(block.ulp_width));
  out.Varint(block.exception_positions.size());
  WritePackedBlock(block.offsets.data(), block.offsets.size(), block.width, out);
  WritePackedBlock(block.ulps.data(), block.ulps.size(), block.ulp_width, out);
  out.Bytes(block.exception_positions.data(), block.exception_positions.size() * 2);
  out.Bytes(block.exception_values.data(), block.exception_values.size() * 8);
}

// Few distinct values (flags, states, counters that sit still): each value
// is a code into a per-block dictionary of raw doubles.
struct DictionaryBlock {
  std::vector<double> dictionary;
  int code_width = 0;
  std::vector<std::uint64_t> codes;

  std::size_t Bytes() const {
    return 4 + dictionary.size() * 8 + PackedWords(codes.size(), code_width) * 8;
  }
};

// nullopt when the block has more than kMaxDictionaryValues distinct values.
std::optional<DictionaryBlock> MakeDictionaryBlock(std::span<const double> values) {
  std::vector<std::uint64_t> bits(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    bits[i] = std::bit_cast<std::uint64_t>(values[i]);
  std::vector<std::uint64_t> distinct = bits;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() > kMaxDictionaryValues) return std::nullopt;
  DictionaryBlock block;
  for (std::uint64_t b : distinct)
    block.dictionary.push_back(std::bit_cast<double>(b));
  block.code_width = BitWidth(distinct.size() - 1);
  block.codes.resize(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    block.codes[i] = static_cast<std::uint64_t>(
        std::lower_bound(distinct.begin(), distinct.end(), bits[i]) - distinct.begin());
  }
  return block;
}

void WriteDictionaryBlock(const DictionaryBlock& block, ByteWriter& out) {
  out.Fixed<std::uint8_t>(kDictionary);
  out.Varint(block.dictionary.size());
  out.Bytes(block.dictionary.data(), block.dictionary.size() * 8);
  WritePackedBlock(block.codes.data(), block.codes.size(), block.code_width, out);
}

Status DecodeDictionaryBlock(ByteReader& in, std::span<double> out, std::uint64_t* scratch) {
  std::uint64_t size;
  LAKE_RETURN_IF_ERROR(in.Varint(&size));
  if (size == 0 || size > kMaxDictionaryValues)
    return Status::Corruption("chunk: bad dictionary size");
  double dictionary[kMaxDictionaryValues];
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(size * 8, &data));
  std::memcpy(dictionary, data, size * 8);
  alignas(64) std::uint64_t codes[kBlockValues];
  LAKE_RETURN_IF_ERROR(ReadPackedBlock(in, out.size(), BitWidth(size - 1), scratch, codes));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (codes[i] >= size) return Status::Corruption("chunk: bad dictionary code");
    out[i] = dictionary[codes[i]];
  }
  return Status::Ok();
}

// ALP-RD: value bits split at `right_width`; the left parts found in the
// dictionary are stored as codes, the others as exceptions.
struct RdBlock {
  int right_width = 0;
  int trailing_zeros = 0;  // low bits zero in every value (float32 data)
  std::vector<std::uint16_t> dictionary;
  int code_width = 0;
  std::vector<std::uint64_t> rights;
  std::vector<std::uint64_t> codes;
  std::vector<std::uint16_t> exception_positions;
  std::vector<std::uint16_t> exception_lefts;

  std::size_t Bytes() const {
    return 8 + dictionary.size() * 2 +
           PackedWords(rights.size(), right_width - trailing_zeros) * 8 +
           PackedWords(codes.size(), code_width) * 8 + exception_positions.size() * 4;
  }
};

// The most frequent left parts at this split, most frequent first.
std::vector<std::pair<std::size_t, std::uint16_t>> LeftFrequencies(std::span<const double> values,
                                                                   int right_width) {
  std::vector<std::uint16_t> lefts(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    lefts[i] = static_cast<std::uint16_t>(std::bit_cast<std::uint64_t>(values[i]) >> right_width);
  std::sort(lefts.begin(), lefts.end());
  std::vector<std::pair<std::size_t, std::uint16_t>> counts;
  for (std::size_t i = 0; i < lefts.size();) {
    std::size_t j = i;
    while (j < lefts.size() && lefts[j] == lefts[i])
      ++j;
    counts.emplace_back(j - i, lefts[i]);
    i = j;
  }
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  return counts;
}

RdBlock MakeRdBlock(std::span<const double> values) {
  // Choose the split on every 4th value: left widths of 1 to 16 bits.
  std::vector<double> sample;
  for (std::size_t i = 0; i < values.size(); i += 4)
    sample.push_back(values[i]);
  int best_right = 48;
  double best_bits = 1e300;
  for (int right = 48; right <= 63; ++right) {
    const auto counts = LeftFrequencies(sample, right);
    const int dictionary = std::min<int>(kMaxDictionary, static_cast<int>(counts.size()));
    std::size_t covered = 0;
    for (int d = 0; d < dictionary; ++d)
      covered += counts[static_cast<std::size_t>(d)].first;
    const double exception_share = double(sample.size() - covered) / double(sample.size());
    const double bits = right + BitWidth(static_cast<std::uint64_t>(dictionary - 1)) +
                        exception_share * 32.0 + dictionary * 16.0 / double(kBlockValues);
    if (bits < best_bits) {
      best_bits = bits;
      best_right = right;
    }
  }
  RdBlock block;
  block.right_width = best_right;
  const auto counts = LeftFrequencies(values, best_right);
  const std::size_t dictionary = std::min<std::size_t>(kMaxDictionary, counts.size());
  for (std::size_t d = 0; d < dictionary; ++d)
    block.dictionary.push_back(counts[d].second);
  block.code_width = BitWidth(dictionary - 1);
  const std::uint64_t right_mask = (std::uint64_t{1} << best_right) - 1;
  std::uint64_t any_bits = 0;
  for (double v : values)
    any_bits |= std::bit_cast<std::uint64_t>(v) & right_mask;
  block.trailing_zeros = any_bits == 0 ? best_right : std::countr_zero(any_bits);
  block.rights.resize(values.size());
  block.codes.resize(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(values[i]);
    block.rights[i] = (bits & right_mask) >> block.trailing_zeros;
    const auto left = static_cast<std::uint16_t>(bits >> best_right);
    const auto found = std::find(block.dictionary.begin(), block.dictionary.end(), left);
    if (found == block.dictionary.end()) {
      block.codes[i] = 0;
      block.exception_positions.push_back(static_cast<std::uint16_t>(i));
      block.exception_lefts.push_back(left);
    } else {
      block.codes[i] = static_cast<std::uint64_t>(found - block.dictionary.begin());
    }
  }
  return block;
}

void WriteRdBlock(const RdBlock& block, ByteWriter& out) {
  out.Fixed<std::uint8_t>(kAlpRd);
  out.Fixed<std::uint8_t>(static_cast<std::uint8_t>(block.right_width));
  out.Fixed<std::uint8_t>(static_cast<std::uint8_t>(block.trailing_zeros));
  out.Fixed<std::uint8_t>(static_cast<std::uint8_t>(block.dictionary.size()));
  out.Varint(block.exception_positions.size());
  out.Bytes(block.dictionary.data(), block.dictionary.size() * 2);
  WritePackedBlock(block.rights.data(), block.rights.size(),
                   block.right_width - block.trailing_zeros, out);
  WritePackedBlock(block.codes.data(), block.codes.size(), block.code_width, out);
  out.Bytes(block.exception_positions.data(), block.exception_positions.size() * 2);
  out.Bytes(block.exception_lefts.data(), block.exception_lefts.size() * 2);
}

Status ReadExceptionPositions(ByteReader& in, std::size_t exceptions, std::size_t count,
                              std::uint16_t* positions) {
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(exceptions * 2, &data));
  std::memcpy(positions, data, exceptions * 2);
  for (std::size_t i = 0; i < exceptions; ++i) {
    if (positions[i] >= count) return Status::Corruption("chunk: exception outside its block");
  }
  return Status::Ok();
}

Status DecodeAlpBlock(ByteReader& in, std::span<double> out, std::uint64_t* scratch,
                      double* decoded) {
  std::uint8_t exponent, factor, width, ulp_width;
  std::uint64_t base, exceptions;
  LAKE_RETURN_IF_ERROR(in.Fixed(&exponent));
  LAKE_RETURN_IF_ERROR(in.Fixed(&factor));
  LAKE_RETURN_IF_ERROR(in.Fixed(&width));
  LAKE_RETURN_IF_ERROR(in.Varint(&base));
  LAKE_RETURN_IF_ERROR(in.Fixed(&ulp_width));
  LAKE_RETURN_IF_ERROR(in.Varint(&exceptions));
  const bool float32 = (exponent & kFloat32Flag) != 0;
  exponent &= static_cast<std::uint8_t>(~kFloat32Flag);
  if (exponent > kMaxExponent || factor > exponent || width > 52 || ulp_width > 14 ||
      exceptions > out.size())
    return Status::Corruption("chunk: bad ALP block header");
  LAKE_RETURN_IF_ERROR(LoadPackedBlock(in, out.size(), width, scratch));
  ActiveCodecKernels().alp_decode(scratch, width, UnZigZag(base), kPow10[factor],
                                  kInversePow10[exponent], decoded);
  if (float32) {
    for (std::size_t i = 0; i < kBlockValues; ++i)
      decoded[i] = static_cast<double>(static_cast<float>(decoded[i]));
  }
  if (ulp_width > 0) {
    alignas(64) std::uint64_t ulps[kBlockValues];
    LAKE_RETURN_IF_ERROR(ReadPackedBlock(in, out.size(), ulp_width, scratch, ulps));
    for (std::size_t i = 0; i < kBlockValues; ++i) {
      decoded[i] =
          std::bit_cast<double>(std::bit_cast<std::int64_t>(decoded[i]) + UnZigZag(ulps[i]));
    }
  }
  std::uint16_t positions[kBlockValues];
  LAKE_RETURN_IF_ERROR(ReadExceptionPositions(in, exceptions, out.size(), positions));
  const char* values = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(exceptions * 8, &values));
  for (std::size_t i = 0; i < exceptions; ++i)
    std::memcpy(&decoded[positions[i]], values + i * 8, 8);
  if (decoded != out.data()) std::memcpy(out.data(), decoded, out.size() * sizeof(double));
  return Status::Ok();
}

Status DecodeRdBlock(ByteReader& in, std::span<double> out, std::uint64_t* scratch) {
  std::uint8_t right_width, trailing_zeros, dictionary_size;
  std::uint64_t exceptions;
  LAKE_RETURN_IF_ERROR(in.Fixed(&right_width));
  LAKE_RETURN_IF_ERROR(in.Fixed(&trailing_zeros));
  LAKE_RETURN_IF_ERROR(in.Fixed(&dictionary_size));
  LAKE_RETURN_IF_ERROR(in.Varint(&exceptions));
  if (right_width < 48 || right_width > 63 || trailing_zeros > right_width ||
      dictionary_size == 0 || dictionary_size > kMaxDictionary || exceptions > out.size())
    return Status::Corruption("chunk: bad ALP-RD block header");
  std::uint16_t dictionary[kMaxDictionary];
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(dictionary_size * 2u, &data));
  std::memcpy(dictionary, data, dictionary_size * 2u);
  alignas(64) std::uint64_t rights[kBlockValues];
  alignas(64) std::uint64_t codes[kBlockValues];
  LAKE_RETURN_IF_ERROR(
      ReadPackedBlock(in, out.size(), right_width - trailing_zeros, scratch, rights));
  const int code_width = BitWidth(dictionary_size - 1u);
  LAKE_RETURN_IF_ERROR(ReadPackedBlock(in, out.size(), code_width, scratch, codes));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (codes[i] >= dictionary_size) return Status::Corruption("chunk: bad ALP-RD code");
    out[i] = std::bit_cast<double>((std::uint64_t{dictionary[codes[i]]} << right_width) |
                                   (rights[i] << trailing_zeros));
  }
  std::uint16_t positions[kBlockValues];
  LAKE_RETURN_IF_ERROR(ReadExceptionPositions(in, exceptions, out.size(), positions));
  LAKE_RETURN_IF_ERROR(in.Bytes(exceptions * 2, &data));
  for (std::size_t i = 0; i < exceptions; ++i) {
    std::uint16_t left;
    std::memcpy(&left, data + i * 2, 2);
    const std::uint64_t right =
        std::bit_cast<std::uint64_t>(out[positions[i]]) & ((std::uint64_t{1} << right_width) - 1);
    out[positions[i]] = std::bit_cast<double>((std::uint64_t{left} << right_width) | right);
  }
  return Status::Ok();
}

}  // namespace

void EncodeAlp(std::span<const double> values, ByteWriter& out) {
  const std::vector<Factors> candidates = CandidateFactors(values);
  for (std::size_t start = 0; start < values.size(); start += kBlockValues) {
    const auto block = values.subspan(start, std::min(kBlockValues, values.size() - start));
    AlpBlock alp;
    for (Factors factors : candidates) {
      AlpBlock candidate = MakeAlpBlock(block, factors);
      if (alp.offsets.empty() || candidate.Bytes() < alp.Bytes()) alp = std::move(candidate);
    }
    std::size_t best = alp.Bytes();
    const auto dictionary = MayBeFewDistinct(block) ? MakeDictionaryBlock(block) : std::nullopt;
    if (dictionary && dictionary->Bytes() < best) best = dictionary->Bytes();
    // Many exceptions or a wide frame: real doubles, where ALP-RD may win.
    std::optional<RdBlock> rd;
    if (alp.Bytes() * 8 > block.size() * 32) {
      rd = MakeRdBlock(block);
      best = std::min(best, rd->Bytes());
    }
    if (dictionary && dictionary->Bytes() == best) {
      WriteDictionaryBlock(*dictionary, out);
    } else if (rd && rd->Bytes() == best) {
      WriteRdBlock(*rd, out);
    } else {
      WriteAlpBlock(alp, out);
    }
  }
}

Status DecodeAlp(ByteReader& in, std::span<double> out) {
  alignas(64) std::uint64_t scratch[kScratchWords];
  alignas(64) double partial[kBlockValues];
  for (std::size_t start = 0; start < out.size(); start += kBlockValues) {
    const auto block = out.subspan(start, std::min(kBlockValues, out.size() - start));
    std::uint8_t scheme;
    LAKE_RETURN_IF_ERROR(in.Fixed(&scheme));
    if (scheme == kAlp) {
      // A full block decodes in place; a partial one through `partial`.
      double* target = block.size() == kBlockValues ? block.data() : partial;
      LAKE_RETURN_IF_ERROR(DecodeAlpBlock(in, block, scratch, target));
    } else if (scheme == kAlpRd) {
      LAKE_RETURN_IF_ERROR(DecodeRdBlock(in, block, scratch));
    } else if (scheme == kDictionary) {
      LAKE_RETURN_IF_ERROR(DecodeDictionaryBlock(in, block, scratch));
    } else {
      return Status::Corruption("chunk: unknown float block scheme");
    }
  }
  return Status::Ok();
}

}  // namespace lake::timeseries
