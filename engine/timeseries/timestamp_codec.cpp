#include "timeseries/timestamp_codec.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "timeseries/packed_block.h"

namespace lake::timeseries {

namespace {

std::size_t VarintBytes(std::uint64_t v) {
  return static_cast<std::size_t>(BitWidth(v) + 6) / 7 + (v == 0);
}

// The width that makes the block smallest: packed bits plus exceptions.
int ChooseWidth(const std::uint64_t* values, std::size_t count) {
  std::size_t exception_bytes_above[66] = {};  // exceptions cost at width w
  std::size_t count_above[66] = {};
  for (std::size_t i = 0; i < count; ++i) {
    const int width = BitWidth(values[i]);
    exception_bytes_above[width] += 2 + VarintBytes(values[i]);
    count_above[width] += 1;
  }
  // Turn per-width totals into "wider than w" totals.
  for (int w = 63; w >= 0; --w) {
    exception_bytes_above[w] += exception_bytes_above[w + 1];
    count_above[w] += count_above[w + 1];
  }
  int best = 64;
  std::size_t best_bytes = SIZE_MAX;
  for (int w = 0; w <= 64; ++w) {
    const std::size_t above = w == 64 ? 0 : exception_bytes_above[w + 1];
    const std::size_t exceptions = w == 64 ? 0 : count_above[w + 1];
    const std::size_t bytes = PackedWords(count, w) * 8 + above + VarintBytes(exceptions);
    if (bytes < best_bytes) {
      best_bytes = bytes;
      best = w;
    }
  }
  return best;
}

}  // namespace

void EncodeTimestamps(std::span<const std::int64_t> timestamps, ByteWriter& out) {
  if (timestamps.empty()) return;
  out.Fixed(timestamps[0]);
  if (timestamps.size() == 1) return;
  std::int64_t delta = timestamps[1] - timestamps[0];
  out.Varint(ZigZag(delta));
  std::uint64_t block[kBlockValues];
  std::uint64_t packed_values[kBlockValues];
  for (std::size_t start = 2; start < timestamps.size(); start += kBlockValues) {
    const std::size_t count = std::min(kBlockValues, timestamps.size() - start);
    for (std::size_t i = 0; i < count; ++i) {
      const std::int64_t next = timestamps[start + i] - timestamps[start + i - 1];
      block[i] = ZigZag(next - delta);
      delta = next;
    }
    const int width = ChooseWidth(block, count);
    std::vector<std::uint16_t> positions;
    const std::uint64_t limit = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
    for (std::size_t i = 0; i < count; ++i) {
      packed_values[i] = block[i] > limit ? 0 : block[i];
      if (block[i] > limit) positions.push_back(static_cast<std::uint16_t>(i));
    }
    out.Fixed<std::uint8_t>(static_cast<std::uint8_t>(width));
    out.Varint(positions.size());
    WritePackedBlock(packed_values, count, width, out);
    for (std::uint16_t p : positions) {
      out.Fixed(p);
      out.Varint(block[p]);
    }
  }
}

Status DecodeTimestamps(ByteReader& in, std::span<std::int64_t> out) {
  if (out.empty()) return Status::Ok();
  LAKE_RETURN_IF_ERROR(in.Fixed(&out[0]));
  if (out.size() == 1) return Status::Ok();
  std::uint64_t first_delta;
  LAKE_RETURN_IF_ERROR(in.Varint(&first_delta));
  // Wrapping arithmetic: corrupt input gives wrong numbers, never UB.
  std::uint64_t delta = static_cast<std::uint64_t>(UnZigZag(first_delta));
  std::uint64_t current = static_cast<std::uint64_t>(out[0]) + delta;
  out[1] = static_cast<std::int64_t>(current);
  alignas(64) std::uint64_t scratch[kScratchWords];
  alignas(64) std::uint64_t block[kBlockValues];
  for (std::size_t start = 2; start < out.size(); start += kBlockValues) {
    const std::size_t count = std::min(kBlockValues, out.size() - start);
    std::uint8_t width;
    std::uint64_t exceptions;
    LAKE_RETURN_IF_ERROR(in.Fixed(&width));
    LAKE_RETURN_IF_ERROR(in.Varint(&exceptions));
    if (width > 64 || exceptions > count) return Status::Corruption("chunk: bad timestamp block");
    LAKE_RETURN_IF_ERROR(ReadPackedBlock(in, count, width, scratch, block));
    for (std::uint64_t e = 0; e < exceptions; ++e) {
      std::uint16_t position;
      std::uint64_t value;
      LAKE_RETURN_IF_ERROR(in.Fixed(&position));
      LAKE_RETURN_IF_ERROR(in.Varint(&value));
      if (position >= count) return Status::Corruption("chunk: timestamp exception out of range");
      block[position] = value;
    }
    for (std::size_t i = 0; i < count; ++i) {
      delta += static_cast<std::uint64_t>(UnZigZag(block[i]));
      current += delta;
      out[start + i] = static_cast<std::int64_t>(current);
    }
  }
  return Status::Ok();
}

}  // namespace lake::timeseries
