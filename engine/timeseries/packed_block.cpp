#include "timeseries/packed_block.h"

#include <algorithm>
#include <cstring>

namespace lake::timeseries {

namespace {

// Value i at bit i * width of the lane-interleaved layout or of one plain
// stream (short blocks).
void Pack(const std::uint64_t* values, std::size_t count, int width, bool lanes,
          std::uint64_t* packed) {
  const auto w = static_cast<std::size_t>(width);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t offset = lanes ? (i / kBlockLanes) * w : i * w;
    const std::size_t lane = lanes ? i % kBlockLanes : 0;
    const std::size_t stride = lanes ? kBlockLanes : 1;
    const std::size_t word = offset / 64;
    const std::size_t shift = offset % 64;
    packed[word * stride + lane] |= values[i] << shift;
    if (shift + w > 64) packed[(word + 1) * stride + lane] |= values[i] >> (64 - shift);
  }
}

// The values of a plain stream, read back one by one.
void UnpackStream(const std::uint64_t* packed, std::size_t count, int width, std::uint64_t* out) {
  const auto w = static_cast<std::size_t>(width);
  const std::uint64_t mask = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t word = i * w / 64;
    const std::size_t shift = i * w % 64;
    std::uint64_t v = packed[word] >> shift;
    if (shift + w > 64) v |= packed[word + 1] << (64 - shift);
    out[i] = v & mask;
  }
}

}  // namespace

void WritePackedBlock(const std::uint64_t* values, std::size_t count, int width, ByteWriter& out) {
  const std::size_t words = PackedWords(count, width);
  std::uint64_t packed[kScratchWords] = {};
  if (width > 0) Pack(values, count, width, UsesLanes(count), packed);
  out.Bytes(packed, words * sizeof(std::uint64_t));
}

Status LoadPackedBlock(ByteReader& in, std::size_t count, int width, std::uint64_t* scratch) {
  if (width < 0 || width > 64 || count > kBlockValues)
    return Status::Corruption("chunk: bad packed block");
  const std::size_t words = PackedWords(count, width);
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(words * sizeof(std::uint64_t), &data));
  if (UsesLanes(count)) {
    std::memcpy(scratch, data, words * sizeof(std::uint64_t));
    std::fill(scratch + words, scratch + PackedWords(kBlockValues, width), 0);
    return Status::Ok();
  }
  // A short block: re-laid into lanes, zero-padded to a full block.
  std::uint64_t stream[kScratchWords];
  std::memcpy(stream, data, words * sizeof(std::uint64_t));
  std::uint64_t values[kBlockValues] = {};
  UnpackStream(stream, count, width, values);
  std::fill(scratch, scratch + PackedWords(kBlockValues, width), 0);
  if (width > 0) Pack(values, kBlockValues, width, true, scratch);
  return Status::Ok();
}

Status ReadPackedBlock(ByteReader& in, std::size_t count, int width, std::uint64_t* scratch,
                       std::uint64_t* out) {
  LAKE_RETURN_IF_ERROR(LoadPackedBlock(in, count, width, scratch));
  ActiveCodecKernels().unpack(scratch, width, out);
  return Status::Ok();
}

}  // namespace lake::timeseries
