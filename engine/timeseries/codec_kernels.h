// The hot loops of the time-series codecs: bit-unpacking of 1,024-value
// blocks and ALP's integer-to-double decode. Written once as plain C++ over a
// lane-interleaved layout that compilers vectorise (codec_kernels_impl.h),
// compiled once per instruction set, chosen once at run time (LAKE_SIMD
// forces a narrower set, as for the distance kernels).
//
// Layout of a packed block of 256 to 1,024 values of `width` bits: value i
// lives in lane i % 16, row i / 16; each lane is a little-endian bit stream
// of 64-bit words and word w of lane l is stored at index w * 16 + l. A
// block of fewer values (a short chunk, a block of rollups) is one plain
// little-endian bit stream instead, so it costs no padding; packed_block.h
// turns it into the lane layout for the kernels.
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/distance.h"

namespace lake::timeseries {

inline constexpr std::size_t kBlockValues = 1024;
inline constexpr std::size_t kBlockLanes = 16;
inline constexpr std::size_t kBlockRows = kBlockValues / kBlockLanes;

// Below this many values a block is a plain stream, not lanes.
inline constexpr std::size_t kMinLaneValues = 256;

constexpr bool UsesLanes(std::size_t count) {
  return count >= kMinLaneValues;
}

// Words a block of `count` values (count <= 1024) of `width` bits takes.
constexpr std::size_t PackedWords(std::size_t count, int width) {
  const auto w = static_cast<std::size_t>(width);
  if (!UsesLanes(count)) return (count * w + 63) / 64;
  const std::size_t rows = (count + kBlockLanes - 1) / kBlockLanes;
  return kBlockLanes * ((rows * w + 63) / 64);
}

struct CodecKernels {
  simd::Isa isa;
  // Unpacks a full block (PackedWords(1024, width) words) into 1,024 values.
  void (*unpack)(const std::uint64_t* packed, int width, std::uint64_t* out);
  // ALP decode of a full block: out[i] = double(base + unpacked[i]) * factor
  // * fraction, with width <= 52 so every step is exact up to the products.
  void (*alp_decode)(const std::uint64_t* packed, int width, std::int64_t base, double factor,
                     double fraction, double* out);
  // Sum, M2 (squared deviations from the mean), min and max of count > 0
  // values, reduced over eight fixed lanes: the same bits on every ISA.
  void (*summarize)(const double* values, std::size_t count, double* sum, double* m2, double* min,
                    double* max);
};

const CodecKernels& ActiveCodecKernels();
const CodecKernels* CodecKernelsFor(simd::Isa isa);

// Bits needed to hold `value` (0 for 0).
inline int BitWidth(std::uint64_t value) {
  return value == 0 ? 0 : 64 - __builtin_clzll(value);
}

}  // namespace lake::timeseries
