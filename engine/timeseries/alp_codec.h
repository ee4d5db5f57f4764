// ALP, adaptive lossless floating point (Afroozeh, Kuffó, Boncz, SIGMOD 2023):
// each block of 1,024 doubles that were decimals once is stored as integers
// d = round(v * 10^e * 10^-f), frame-of-reference bit-packed, with the
// values that do not come back bit-exact kept aside as exceptions. Blocks of
// real doubles (many exceptions) switch to ALP-RD: the high bits go through a
// dictionary of at most eight entries and the low bits are bit-packed.
//
// Two additions of ours, each used only where it makes the block smaller:
// values printed from arithmetic (51.846000000000004: a decimal plus an ulp)
// keep their decimal integer plus a bit-packed ulp correction instead of
// becoming exceptions; and blocks of at most 256 distinct values (flags,
// states, idle counters) may be stored as dictionary codes.
//
// Every block keeps whichever scheme is smallest. Lossless: NaN payloads,
// -0.0 and infinities come back with the same bits.
#pragma once

#include <cstddef>
#include <span>

#include "common/byte_buffer.h"
#include "common/status.h"

namespace lake::timeseries {

void EncodeAlp(std::span<const double> values, ByteWriter& out);
// Decodes `out.size()` values written by EncodeAlp.
Status DecodeAlp(ByteReader& in, std::span<double> out);

}  // namespace lake::timeseries
