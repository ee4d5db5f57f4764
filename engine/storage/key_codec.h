// Key encodings whose byte order is numeric order, so RocksDB's bytewise
// comparator sorts keys the way the numbers sort: big-endian, with the sign
// bit of signed integers flipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lake::storage {

void AppendU32(std::string* out, std::uint32_t value);
void AppendU64(std::string* out, std::uint64_t value);
void AppendI32(std::string* out, std::int32_t value);
void AppendI64(std::string* out, std::int64_t value);

// Reads ordered integers back, front to back; any read past the end fails and
// leaves the reader failed, so a caller checks once at the end.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}

  std::uint32_t ReadU32();
  std::uint64_t ReadU64();
  std::int32_t ReadI32();
  std::int64_t ReadI64();

  bool ok() const { return ok_; }
  bool done() const { return ok_ && rest_.empty(); }

 private:
  std::uint64_t ReadBigEndian(int bytes);

  std::string_view rest_;
  bool ok_ = true;
};

// The smallest key greater than every key starting with `prefix`, or nullopt
// when no such key exists (prefix of all 0xff bytes).
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

}  // namespace lake::storage
