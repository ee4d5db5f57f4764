// Keeps the k best (smallest-score) candidates seen so far; ties are broken
// by id so results are deterministic and comparable across search methods.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lake::vectors {

struct Candidate {
  float score;
  std::int64_t id;
  std::uint32_t row;
  bool operator<(const Candidate& other) const {
    return score < other.score || (score == other.score && id < other.id);
  }
};

class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k); }

  // True when a candidate with this score could enter; cheap enough to call
  // before looking up the candidate's id.
  bool MayAccept(float score) const {
    return heap_.size() < k_ || (k_ > 0 && score <= heap_.front().score);
  }

  void Push(const Candidate& candidate) {
    if (heap_.size() < k_) {
      heap_.push_back(candidate);
      std::push_heap(heap_.begin(), heap_.end());
    } else if (candidate < heap_.front()) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = candidate;
      std::push_heap(heap_.begin(), heap_.end());
    }
  }

  // The kept candidates, best first; leaves the TopK empty.
  std::vector<Candidate> TakeSorted() {
    std::sort_heap(heap_.begin(), heap_.end());
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<Candidate> heap_;  // max-heap: the worst kept candidate on top
};

}  // namespace lake::vectors
