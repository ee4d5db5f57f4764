// Most-significant-bit-first bit streams for the variable-length codes of the
// Gorilla codec. The reader checks its bounds on every refill.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace lake::timeseries {

class BitWriter {
 public:
  // Appends the low `count` (1..64) bits of `bits`, most significant first.
  void Write(std::uint64_t bits, int count) {
    if (count < 64) bits &= (std::uint64_t{1} << count) - 1;
    const int room = 64 - used_;
    if (count <= room) {
      pending_ |= count == 64 ? bits : bits << (room - count);
      used_ += count;
    } else {
      pending_ |= bits >> (count - room);
      used_ = 64;
      Flush();
      pending_ = bits << (64 - (count - room));
      used_ = count - room;
    }
    if (used_ == 64) Flush();
  }
  // The bytes so far, the last one zero-padded.
  std::string Finish() {
    for (int shift = 56; used_ > 0; shift -= 8, used_ -= 8)
      bytes_.push_back(static_cast<char>(pending_ >> shift));
    used_ = 0;
    pending_ = 0;
    return std::move(bytes_);
  }

 private:
  void Flush() {
    for (int shift = 56; shift >= 0; shift -= 8)
      bytes_.push_back(static_cast<char>(pending_ >> shift));
    pending_ = 0;
    used_ = 0;
  }
  std::string bytes_;
  std::uint64_t pending_ = 0;
  int used_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::string_view bytes) : bytes_(bytes) {}

  // Reads `count` (1..64) bits; false once the stream is exhausted.
  bool Read(int count, std::uint64_t* bits) {
    std::uint64_t result = 0;
    while (count > 0) {
      if (available_ == 0 && !Refill()) return false;
      const int take = count < available_ ? count : available_;
      const std::uint64_t chunk = buffer_ >> (64 - take);
      result = take == 64 ? chunk : (result << take) | chunk;
      buffer_ = take == 64 ? 0 : buffer_ << take;
      available_ -= take;
      count -= take;
    }
    *bits = result;
    return true;
  }

 private:
  bool Refill() {
    if (position_ >= bytes_.size()) return false;
    buffer_ = 0;
    available_ = 0;
    while (available_ < 64 && position_ < bytes_.size()) {
      buffer_ |= std::uint64_t{static_cast<std::uint8_t>(bytes_[position_++])} << (56 - available_);
      available_ += 8;
    }
    return true;
  }
  std::string_view bytes_;
  std::size_t position_ = 0;
  std::uint64_t buffer_ = 0;
  int available_ = 0;
};

}  // namespace lake::timeseries
