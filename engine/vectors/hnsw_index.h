// Our HNSW graph (Malkov & Yashunin) over the rows of a VectorTable, named by
// slot. Distances come from the table, so the graph walks whatever codec the
// collection stores (float32, float16, int8).
//
//   hnsw_index.cpp   graph storage, levels, locks, memory accounting
//   hnsw_insert.cpp  insertion, neighbour selection, parallel build
//   hnsw_search.cpp  layer search and filtered kNN
//
// Deletes are tombstones: a row freed in the table stays in the graph to
// route searches but is never returned; when the table reuses its slot, Add
// re-links the node for its new vector and repairs the lists of its old
// neighbours, so churn neither grows the graph nor cuts it apart. A row
// replaced by the same vector keeps its slot and needs no graph work.
//
// Add may run on many threads at once (per-node locks); Search may run on
// many threads at once; the two must not overlap (the collection's lock
// sees to it).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "vectors/row_filter.h"
#include "vectors/top_k.h"
#include "vectors/vector_table.h"

namespace lake::vectors {

struct HnswParams {
  int m = 16;
  int ef_construction = 128;
  std::uint64_t seed = 0x6c616b65;  // levels are a hash of (seed, slot): rebuilds are repeatable
};

class HnswIndex {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  HnswIndex(const VectorTable& table, HnswParams params);

  // Nodes ever added (live or tombstoned).
  std::size_t node_count() const { return node_count_.load(); }

  // Makes room for slots below `slots`; required before concurrent Adds.
  void Reserve(std::uint32_t slots);
  // Whether `slot` has a node in the graph (live or tombstoned).
  bool linked(std::uint32_t slot) const { return slot < levels_.size() && levels_[slot] >= 0; }
  // Links the table's row in `slot` into the graph (again, if the slot was
  // reused: re-links are best done one at a time, as their repairs reach
  // beyond the node). Thread-safe against other Adds once Reserve covers the slot.
  void Add(std::uint32_t slot);
  // Adds many slots on `threads` threads; `progress(done)` is called now and
  // then from one thread.
  void AddParallel(const std::vector<std::uint32_t>& slots, int threads,
                   const std::function<void(std::size_t done)>& progress = {});

  // The k best rows passing `predicate`, by the table's score, exploring at
  // least `ef` candidates.
  std::vector<Candidate> Search(const QueryVector& query, std::size_t k, std::size_t ef,
                                const SlotPredicate& predicate) const;

  std::size_t MemoryBytes() const;

  // The whole graph, for snapshots.
  struct GraphState {
    std::vector<std::int8_t> levels;
    std::vector<std::uint32_t> links0;
    std::vector<std::vector<std::uint32_t>> links_upper;
    std::uint32_t entry_point = kNone;
    int max_level = -1;
  };
  GraphState ExportState() const;
  // Adopts a graph read from a snapshot; kCorruption when its shape does not
  // fit this index's parameters or names slots that do not exist.
  Status ImportState(GraphState state);

 private:
  struct ScoredSlot {
    float score;
    std::uint32_t slot;
  };

  int RandomLevel(std::uint32_t slot) const;
  std::size_t MaxLinks(int level) const { return level == 0 ? max_links0_ : max_links_; }
  // A node's list at `level`: [count, neighbour...]; capacity MaxLinks(level).
  std::uint32_t* Links(std::uint32_t slot, int level) {
    if (level == 0) return links0_.data() + std::size_t{slot} * (max_links0_ + 1);
    return links_upper_[slot].data() + std::size_t(level - 1) * (max_links_ + 1);
  }
  const std::uint32_t* Links(std::uint32_t slot, int level) const {
    return const_cast<HnswIndex*>(this)->Links(slot, level);
  }
  std::mutex& LockOf(std::uint32_t slot) const { return node_locks_[slot % node_locks_.size()]; }

  template <bool kLocked, typename ScoreFn, typename PassFn>
  // `two_hop`: rows failing `passes` are stepped over, not scored (for
  // selective filters; only without concurrent writers).
  std::vector<ScoredSlot> SearchLayer(std::uint32_t entry, float entry_score, int level,
                                      std::size_t ef, const ScoreFn& score, const PassFn& passes,
                                      bool two_hop = false) const;
  template <bool kLocked, typename ScoreFn>
  std::uint32_t GreedyDescend(std::uint32_t entry, float* entry_score, int from_level, int to_level,
                              const ScoreFn& score) const;
  // Malkov's heuristic: keep a candidate only if it is closer to the base
  // than to every neighbour kept so far. `candidates` sorted best first.
  std::vector<std::uint32_t> SelectNeighbors(const std::vector<ScoredSlot>& candidates,
                                             std::size_t max_count) const;
  void LinkBack(std::uint32_t neighbor, std::uint32_t slot, float score, int level);
  // Finds and sets slot's neighbours at levels 0..level, and links back;
  // `before` are its lists when the insert began (empty for a new node).
  void Link(std::uint32_t slot, int level, const std::vector<std::vector<std::uint32_t>>& before);
  // `moved` (whose links at `level` were `moved_links`) holds a new vector:
  // if `neighbor` links to it, that link is replaced by links to the
  // nearest of moved_links (a bridge over the gap it left).
  void Repair(std::uint32_t neighbor, std::uint32_t moved,
              const std::vector<std::uint32_t>& moved_links, int level);

  const VectorTable& table_;
  const HnswParams params_;
  const std::size_t max_links_;
  const std::size_t max_links0_;
  const double level_multiplier_;

  std::vector<std::uint32_t> links0_;                    // slot * (max_links0_ + 1)
  std::vector<std::vector<std::uint32_t>> links_upper_;  // levels 1.., (max_links_ + 1) each
  std::vector<std::int8_t> levels_;                      // -1: not in the graph
  std::atomic<std::size_t> node_count_{0};

  mutable std::array<std::mutex, 4096> node_locks_;  // striped; one held at a time
  std::mutex entry_mutex_;                           // guards entry_point_ and max_level_
  std::uint32_t entry_point_ = kNone;
  int max_level_ = -1;
};

}  // namespace lake::vectors
