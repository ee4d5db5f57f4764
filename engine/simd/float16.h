// IEEE 754 binary16 conversion for the float16 storage codec. Encoding runs on
// the write path only, so a portable scalar version is enough; decoding inside
// distance loops happens in the SIMD kernels.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lake::simd {

// Round to nearest even; overflow becomes infinity, NaN stays NaN.
std::uint16_t FloatToHalf(float value);
float HalfToFloat(std::uint16_t half);

void EncodeFloat16(const float* in, std::uint16_t* out, std::size_t count);
void DecodeFloat16(const std::uint16_t* in, float* out, std::size_t count);

}  // namespace lake::simd
