#include "timeseries/gorilla_codec.h"

#include <algorithm>
#include <bit>
#include <cstdint>

#include "timeseries/bit_stream.h"

namespace lake::timeseries {

void EncodeGorilla(std::span<const double> values, ByteWriter& out) {
  BitWriter bits;
  std::uint64_t previous = 0;
  int window_leading = -1;
  int window_trailing = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint64_t current = std::bit_cast<std::uint64_t>(values[i]);
    if (i == 0) {
      bits.Write(current, 64);
      previous = current;
      continue;
    }
    const std::uint64_t x = current ^ previous;
    previous = current;
    if (x == 0) {
      bits.Write(0, 1);
      continue;
    }
    // Leading zeros are capped at 31 to fit the 5-bit field.
    const int leading = std::min(std::countl_zero(x), 31);
    const int trailing = std::countr_zero(x);
    if (window_leading >= 0 && leading >= window_leading && trailing >= window_trailing) {
      bits.Write(0b10, 2);
      bits.Write(x >> window_trailing, 64 - window_leading - window_trailing);
    } else {
      const int meaningful = 64 - leading - trailing;
      bits.Write(0b11, 2);
      bits.Write(static_cast<std::uint64_t>(leading), 5);
      bits.Write(static_cast<std::uint64_t>(meaningful - 1), 6);  // 1..64 as 0..63
      bits.Write(x >> trailing, meaningful);
      window_leading = leading;
      window_trailing = trailing;
    }
  }
  const std::string stream = bits.Finish();
  out.Varint(stream.size());
  out.Bytes(stream.data(), stream.size());
}

Status DecodeGorilla(ByteReader& in, std::span<double> out) {
  std::uint64_t size;
  LAKE_RETURN_IF_ERROR(in.Varint(&size));
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(size, &data));
  BitReader bits({data, size});
  const Status truncated = Status::Corruption("chunk: truncated Gorilla stream");
  std::uint64_t previous = 0;
  int window_leading = 0;
  int window_meaningful = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i == 0) {
      if (!bits.Read(64, &previous)) return truncated;
      out[0] = std::bit_cast<double>(previous);
      continue;
    }
    std::uint64_t flag;
    if (!bits.Read(1, &flag)) return truncated;
    if (flag != 0) {
      if (!bits.Read(1, &flag)) return truncated;
      if (flag != 0) {
        std::uint64_t leading, meaningful;
        if (!bits.Read(5, &leading) || !bits.Read(6, &meaningful)) return truncated;
        window_leading = static_cast<int>(leading);
        window_meaningful = static_cast<int>(meaningful) + 1;
        if (window_leading + window_meaningful > 64)
          return Status::Corruption("chunk: bad Gorilla window");
      } else if (window_meaningful == 0) {
        return Status::Corruption("chunk: Gorilla window used before it was set");
      }
      std::uint64_t x;
      if (!bits.Read(window_meaningful, &x)) return truncated;
      previous ^= x << (64 - window_leading - window_meaningful);
    }
    out[i] = std::bit_cast<double>(previous);
  }
  return Status::Ok();
}

}  // namespace lake::timeseries
