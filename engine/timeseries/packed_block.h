// Writing and reading one bit-packed block (the layout in codec_kernels.h)
// inside a chunk's bytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "timeseries/codec_kernels.h"

namespace lake::timeseries {

// Words of scratch a reader needs: a full block at the widest width.
inline constexpr std::size_t kScratchWords = PackedWords(kBlockValues, 64);

// Appends `count` (<= 1024) values, each below 2^width.
void WritePackedBlock(const std::uint64_t* values, std::size_t count, int width, ByteWriter& out);

// Reads the block into `scratch` (kScratchWords, 64-byte aligned), zero-padded
// to a full block, and unpacks all 1,024 values into `out`.
Status ReadPackedBlock(ByteReader& in, std::size_t count, int width, std::uint64_t* scratch,
                       std::uint64_t* out);

// Same, leaving the padded words in `scratch` for a fused kernel.
Status LoadPackedBlock(ByteReader& in, std::size_t count, int width, std::uint64_t* scratch);

}  // namespace lake::timeseries
