// A sorted multimap from 64-bit values to table slots: the index behind
// created_at ranges (the value is the time) and metadata filters (the value
// is a token, vectors/metadata_tokens.h), so that a selective filter costs
// what its matches cost.
//
// Entries are never removed one by one. Each names its slot's generation;
// when the table frees or rewrites the slot, the generation moves on and
// the entry is skipped by lookups and dropped by the next merge. New entries
// wait in an unsorted tail (at most 1/32 of the index) that every lookup
// also reads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lake::vectors {

class SlotIndex {
 public:
  void Add(std::uint64_t value, std::uint32_t slot, const std::vector<std::uint32_t>& generations);

  // Calls visit(slot) for each current entry with lo <= value <= hi.
  template <class Visit>
  void ForEach(std::uint64_t lo, std::uint64_t hi, const std::vector<std::uint32_t>& generations,
               Visit&& visit) const {
    const auto current = [&](const Entry& e) {
      return e.value >= lo && e.value <= hi && generations[e.slot] == e.generation;
    };
    auto it = std::lower_bound(sorted_.begin(), sorted_.end(), lo,
                               [](const Entry& e, std::uint64_t v) { return e.value < v; });
    for (; it != sorted_.end() && it->value <= hi; ++it) {
      if (current(*it)) visit(it->slot);
    }
    for (const Entry& e : tail_) {
      if (current(e)) visit(e.slot);
    }
  }

  // Entries with lo <= value <= hi, stale ones included: an upper bound on
  // the slots ForEach visits, in O(log n) (plus the tail).
  std::size_t CountAtMost(std::uint64_t lo, std::uint64_t hi) const;

  std::size_t MemoryBytes() const {
    return (sorted_.capacity() + tail_.capacity()) * sizeof(Entry);
  }

 private:
  struct Entry {
    std::uint64_t value;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  static constexpr std::size_t kMinTailEntries = 4096;
  // Sorts the tail into the rest, dropping stale entries.
  void Merge(const std::vector<std::uint32_t>& generations);

  std::vector<Entry> sorted_;  // by value
  std::vector<Entry> tail_;
};

}  // namespace lake::vectors
