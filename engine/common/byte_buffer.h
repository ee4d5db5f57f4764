// Appending and bounds-checked reading of the little-endian integers, varints
// and raw bytes that chunk formats and protocol frames are made of. A reader
// never reads past its end: a truncated or corrupt input becomes
// kCorruption, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lake {

inline std::uint64_t ZigZag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t UnZigZag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}

  template <typename T>
  void Fixed(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out_->append(bytes, sizeof(T));
  }
  void Varint(std::uint64_t value) {
    while (value >= 0x80) {
      out_->push_back(static_cast<char>(value | 0x80));
      value >>= 7;
    }
    out_->push_back(static_cast<char>(value));
  }
  void Bytes(const void* data, std::size_t size) {
    out_->append(static_cast<const char*>(data), size);
  }
  std::size_t size() const { return out_->size(); }

 private:
  std::string* out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  template <typename T>
  Status Fixed(T* value) {
    if (in_.size() < sizeof(T)) return Truncated();
    std::memcpy(value, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return Status::Ok();
  }
  Status Varint(std::uint64_t* value) {
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return Truncated();
      const auto byte = static_cast<std::uint8_t>(in_.front());
      in_.remove_prefix(1);
      result |= std::uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) {
        *value = result;
        return Status::Ok();
      }
    }
    return Status::Corruption("varint longer than 10 bytes");
  }
  // Points `*data` at the next `size` bytes (unaligned) and skips them.
  Status Bytes(std::size_t size, const char** data) {
    if (in_.size() < size) return Truncated();
    *data = in_.data();
    in_.remove_prefix(size);
    return Status::Ok();
  }
  std::size_t remaining() const { return in_.size(); }

 private:
  static Status Truncated() { return Status::Corruption("truncated input"); }
  std::string_view in_;
};

}  // namespace lake
