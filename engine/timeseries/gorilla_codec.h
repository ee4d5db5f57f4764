// Gorilla's XOR float codec (Pelkonen et al., VLDB 2015): each value is XOR-ed
// with the one before; an unchanged value costs one bit, and a changed one
// stores only its meaningful bits, reusing the previous leading/trailing zero
// window when it fits. The baseline every float codec is compared against,
// and the winner on some chunks of real doubles.
#pragma once

#include <span>

#include "common/byte_buffer.h"
#include "common/status.h"

namespace lake::timeseries {

void EncodeGorilla(std::span<const double> values, ByteWriter& out);
Status DecodeGorilla(ByteReader& in, std::span<double> out);

}  // namespace lake::timeseries
