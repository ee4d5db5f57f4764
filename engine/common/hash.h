// A fast 64-bit hash for checksums and fingerprints of our own files and
// vectors (not for security): 8 bytes per step, mixed as in SplitMix64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lake {

inline std::uint64_t Mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline std::uint64_t Hash64(const void* data, std::size_t size, std::uint64_t seed = 0) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint64_t hash = Mix64(seed ^ (size * 0x9e3779b97f4a7c15ull));
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    hash = Mix64(hash ^ word) + 0x9e3779b97f4a7c15ull;
  }
  std::uint64_t tail = 0;
  for (std::size_t shift = 0; i < size; ++i, shift += 8)
    tail |= std::uint64_t{bytes[i]} << shift;
  return Mix64(hash ^ tail);
}

}  // namespace lake
