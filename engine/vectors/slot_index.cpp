#include "vectors/slot_index.h"

namespace lake::vectors {

void SlotIndex::Add(std::uint64_t value, std::uint32_t slot,
                    const std::vector<std::uint32_t>& generations) {
  tail_.push_back({value, slot, generations[slot]});
  // Merges cost the whole index: at most about 32 per doubling of its size.
  if (tail_.size() >= std::max(kMinTailEntries, sorted_.size() / 32)) Merge(generations);
}

std::size_t SlotIndex::CountAtMost(std::uint64_t lo, std::uint64_t hi) const {
  const auto by_value = [](const Entry& e, std::uint64_t v) { return e.value < v; };
  const auto first = std::lower_bound(sorted_.begin(), sorted_.end(), lo, by_value);
  const auto last = std::upper_bound(sorted_.begin(), sorted_.end(), hi,
                                     [](std::uint64_t v, const Entry& e) { return v < e.value; });
  std::size_t count = static_cast<std::size_t>(std::max<std::ptrdiff_t>(last - first, 0));
  for (const Entry& e : tail_)
    count += e.value >= lo && e.value <= hi;
  return count;
}

void SlotIndex::Merge(const std::vector<std::uint32_t>& generations) {
  const auto stale = [&](const Entry& e) { return generations[e.slot] != e.generation; };
  const auto by_value = [](const Entry& a, const Entry& b) { return a.value < b.value; };
  std::erase_if(tail_, stale);
  std::sort(tail_.begin(), tail_.end(), by_value);
  std::vector<Entry> merged;
  merged.reserve(sorted_.size() + tail_.size());
  std::merge(sorted_.begin(), sorted_.end(), tail_.begin(), tail_.end(), std::back_inserter(merged),
             by_value);
  std::erase_if(merged, stale);
  sorted_ = std::move(merged);
  tail_.clear();
}

}  // namespace lake::vectors
