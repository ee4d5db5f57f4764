// The codec loops, instantiated once per instruction set by
// codec_kernels_<isa>.cpp. Every width is its own template; unrolled, each
// row's word index and shift are constants and the 16-lane body becomes a
// few vector shifts, ors and ands. Include only from those files.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <utility>

#include "timeseries/codec_kernels.h"

namespace lake::timeseries::detail {

template <int W>
constexpr std::uint64_t kWidthMask = W == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << W) - 1;

// One row of 16 lanes; `shift` and the word index are constants when Row is.
template <int W>
inline void UnpackRow(const std::uint64_t* __restrict in, std::uint64_t* __restrict out,
                      std::size_t row) {
  const std::size_t offset = row * W;
  const std::uint64_t* __restrict low = in + offset / 64 * kBlockLanes;
  const std::size_t shift = offset % 64;
  if (shift + W > 64) {
    for (std::size_t lane = 0; lane < kBlockLanes; ++lane) {
      out[row * kBlockLanes + lane] =
          ((low[lane] >> shift) | (low[kBlockLanes + lane] << (64 - shift))) & kWidthMask<W>;
    }
  } else {
    for (std::size_t lane = 0; lane < kBlockLanes; ++lane)
      out[row * kBlockLanes + lane] = (low[lane] >> shift) & kWidthMask<W>;
  }
}

// Unrolled: every row's shifts are constants (fast, slow to compile).
// Looped: one body per width (compact; the baseline ISA's choice).
template <int W, bool kUnrolled>
void UnpackWidth(const std::uint64_t* __restrict in, std::uint64_t* __restrict out) {
  if constexpr (W == 0) {
    std::memset(out, 0, kBlockValues * sizeof(std::uint64_t));
  } else if constexpr (kUnrolled) {
    [&]<std::size_t... Rows>(std::index_sequence<Rows...>) {
      (UnpackRow<W>(in, out, Rows), ...);
    }
    (std::make_index_sequence<kBlockRows>{});
  } else {
    for (std::size_t row = 0; row < kBlockRows; ++row)
      UnpackRow<W>(in, out, row);
  }
}

// 2^52 as the bits of a double: OR-ing an integer below 2^52 into the
// mantissa and subtracting 2^52 converts it exactly, in every vector ISA.
inline double SmallToDouble(std::uint64_t v) {
  return std::bit_cast<double>(v | 0x4330000000000000ULL) - 4503599627370496.0;
}

template <bool kUnrolled, std::size_t... W>
constexpr auto UnpackTable(std::index_sequence<W...>) {
  return std::array<void (*)(const std::uint64_t*, std::uint64_t*), sizeof...(W)>{
      &UnpackWidth<static_cast<int>(W), kUnrolled>...};
}

template <bool kUnrolled>
void Unpack(const std::uint64_t* packed, int width, std::uint64_t* out) {
  static constexpr auto kTable = UnpackTable<kUnrolled>(std::make_index_sequence<65>{});
  kTable[width](packed, out);
}

template <bool kUnrolled>
void AlpDecode(const std::uint64_t* packed, int width, std::int64_t base, double factor,
               double fraction, double* out) {
  alignas(64) std::uint64_t unpacked[kBlockValues];
  Unpack<kUnrolled>(packed, width, unpacked);
  const double base_value = static_cast<double>(base);
  for (std::size_t i = 0; i < kBlockValues; ++i)
    out[i] = (base_value + SmallToDouble(unpacked[i])) * factor * fraction;
}

inline constexpr std::size_t kSumLanes = 8;

inline double FoldLanes(const double* lanes) {
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
         ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

// Compiled with -ffp-contract=off: a fused multiply-add on one ISA and not
// on another would change the bits.
inline void Summarize(const double* values, std::size_t count, double* sum, double* m2, double* min,
                      double* max) {
  double sums[kSumLanes] = {};
  double mins[kSumLanes], maxs[kSumLanes];
  std::uint64_t nans[kSumLanes] = {};
  for (std::size_t l = 0; l < kSumLanes; ++l) {
    mins[l] = __builtin_inf();
    maxs[l] = -__builtin_inf();
  }
  std::size_t i = 0;
  for (; i + kSumLanes <= count; i += kSumLanes) {
    for (std::size_t l = 0; l < kSumLanes; ++l) {
      const double v = values[i + l];
      sums[l] += v;
      mins[l] = v < mins[l] ? v : mins[l];
      maxs[l] = v > maxs[l] ? v : maxs[l];
      nans[l] += v != v;
    }
  }
  for (std::size_t l = 0; i < count; ++i, ++l) {
    const double v = values[i];
    sums[l] += v;
    mins[l] = v < mins[l] ? v : mins[l];
    maxs[l] = v > maxs[l] ? v : maxs[l];
    nans[l] += v != v;
  }
  *sum = FoldLanes(sums);
  std::uint64_t nan_count = 0;
  double lo = mins[0], hi = maxs[0];
  for (std::size_t l = 0; l < kSumLanes; ++l) {
    nan_count += nans[l];
    lo = mins[l] < lo ? mins[l] : lo;
    hi = maxs[l] > hi ? maxs[l] : hi;
  }
  // NaN sorts above every number (PostgreSQL's order).
  *max = nan_count > 0 ? __builtin_nan("") : hi;
  *min = nan_count == count ? __builtin_nan("") : lo;
  const double mean = *sum / static_cast<double>(count);
  double squares[kSumLanes] = {};
  i = 0;
  for (; i + kSumLanes <= count; i += kSumLanes) {
    for (std::size_t l = 0; l < kSumLanes; ++l) {
      const double d = values[i + l] - mean;
      squares[l] += d * d;
    }
  }
  for (std::size_t l = 0; i < count; ++i, ++l) {
    const double d = values[i] - mean;
    squares[l] += d * d;
  }
  *m2 = FoldLanes(squares);
}

template <bool kUnrolled>
CodecKernels MakeCodecKernels(simd::Isa isa) {
  return {isa, &Unpack<kUnrolled>, &AlpDecode<kUnrolled>, &Summarize};
}

}  // namespace lake::timeseries::detail
