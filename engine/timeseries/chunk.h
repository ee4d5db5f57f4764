// A sealed chunk: the points of one series over a bounded span, compressed.
//
//   header  u8 format version, u8 value codec, u8 flags, u32 count,
//           the Aggregate of all points (count, sum, M2, min, max, first and
//           last with their timestamps): whole-chunk aggregates need no decode
//   body    timestamps (timestamp_codec.h), then values: ALP blocks
//           (alp_codec.h) or a Gorilla stream (gorilla_codec.h), whichever
//           is smaller for this chunk; the body optionally zstd-compressed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "timeseries/aggregate.h"

namespace lake::timeseries {

enum class ValueCodec : std::uint8_t { kAlp = 0, kGorilla = 1 };

struct ChunkEncodeOptions {
  // zstd over the encoded body, for cold chunks.
  bool zstd = false;
};

struct ChunkHeader {
  ValueCodec codec = ValueCodec::kAlp;
  bool zstd = false;
  Aggregate stats;  // stats.count points, from stats.first_ts to stats.last_ts
};

struct DecodedChunk {
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

// `timestamps` strictly increasing, same length as `values`, not empty.
std::string EncodeChunk(std::span<const std::int64_t> timestamps, std::span<const double> values,
                        const ChunkEncodeOptions& options);

Result<ChunkHeader> ReadChunkHeader(std::string_view chunk);
Status DecodeChunk(std::string_view chunk, DecodedChunk* out);

}  // namespace lake::timeseries
