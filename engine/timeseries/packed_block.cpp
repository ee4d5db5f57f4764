#include "timeseries/packed_block.h"

#include <algorithm>
#include <cstring>

namespace lake::timeseries {

void WritePackedBlock(const std::uint64_t* values, std::size_t count, int width, ByteWriter& out) {
  const std::size_t words = PackedWords(count, width);
  std::uint64_t packed[kScratchWords] = {};
  if (width > 0) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t lane = i % kBlockLanes;
      const std::size_t offset = (i / kBlockLanes) * static_cast<std::size_t>(width);
      const std::size_t word = offset / 64;
      const std::size_t shift = offset % 64;
      packed[word * kBlockLanes + lane] |= values[i] << shift;
      if (shift + static_cast<std::size_t>(width) > 64)
        packed[(word + 1) * kBlockLanes + lane] |= values[i] >> (64 - shift);
    }
  }
  out.Bytes(packed, words * sizeof(std::uint64_t));
}

Status LoadPackedBlock(ByteReader& in, std::size_t count, int width, std::uint64_t* scratch) {
  if (width < 0 || width > 64 || count > kBlockValues)
    return Status::Corruption("chunk: bad packed block");
  const std::size_t words = PackedWords(count, width);
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(words * sizeof(std::uint64_t), &data));
  std::memcpy(scratch, data, words * sizeof(std::uint64_t));
  std::fill(scratch + words, scratch + PackedWords(kBlockValues, width), 0);
  return Status::Ok();
}

Status ReadPackedBlock(ByteReader& in, std::size_t count, int width, std::uint64_t* scratch,
                       std::uint64_t* out) {
  LAKE_RETURN_IF_ERROR(LoadPackedBlock(in, count, width, scratch));
  ActiveCodecKernels().unpack(scratch, width, out);
  return Status::Ok();
}

}  // namespace lake::timeseries
