// Timestamps as delta-of-delta: the first timestamp, the first delta, then
// each change of delta, zig-zagged and bit-packed in blocks of 1,024 at the
// width that minimises the block's size, with the few values wider than that
// (gaps, clock jumps) kept aside as exceptions. A regular interval costs a
// zero-width block: three bytes per 1,024 timestamps.
#pragma once

#include <cstdint>
#include <span>

#include "common/byte_buffer.h"
#include "common/status.h"

namespace lake::timeseries {

void EncodeTimestamps(std::span<const std::int64_t> timestamps, ByteWriter& out);
Status DecodeTimestamps(ByteReader& in, std::span<std::int64_t> out);

}  // namespace lake::timeseries
