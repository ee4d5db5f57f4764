#include "storage/key_codec.h"

namespace lake::storage {

namespace {
void AppendBigEndian(std::string* out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}
constexpr std::uint64_t kSignBit64 = std::uint64_t{1} << 63;
constexpr std::uint32_t kSignBit32 = std::uint32_t{1} << 31;
}  // namespace

void AppendU32(std::string* out, std::uint32_t value) {
  AppendBigEndian(out, value, 4);
}
void AppendU64(std::string* out, std::uint64_t value) {
  AppendBigEndian(out, value, 8);
}
void AppendI32(std::string* out, std::int32_t value) {
  AppendU32(out, static_cast<std::uint32_t>(value) ^ kSignBit32);
}
void AppendI64(std::string* out, std::int64_t value) {
  AppendU64(out, static_cast<std::uint64_t>(value) ^ kSignBit64);
}

std::uint64_t KeyReader::ReadBigEndian(int bytes) {
  if (!ok_ || rest_.size() < static_cast<std::size_t>(bytes)) {
    ok_ = false;
    return 0;
  }
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value = (value << 8) | static_cast<std::uint8_t>(rest_[i]);
  rest_.remove_prefix(bytes);
  return value;
}

std::uint32_t KeyReader::ReadU32() {
  return static_cast<std::uint32_t>(ReadBigEndian(4));
}
std::uint64_t KeyReader::ReadU64() {
  return ReadBigEndian(8);
}
std::int32_t KeyReader::ReadI32() {
  return static_cast<std::int32_t>(ReadU32() ^ kSignBit32);
}
std::int64_t KeyReader::ReadI64() {
  return static_cast<std::int64_t>(ReadU64() ^ kSignBit64);
}

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string next(prefix);
  while (!next.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(next.back());
    if (last != 0xff) {
      ++last;
      return next;
    }
    next.pop_back();
  }
  return std::nullopt;
}

}  // namespace lake::storage
