// The in-memory copy of one collection's vectors, in the collection's codec:
// the vectors every search walks. RocksDB holds the float32 truth; this
// table is rebuilt from it on open.
//
// Rows live in slots that never move: a delete frees its slot and a later
// insert reuses it, so graph indexes can name rows by slot. Rows are stored
// "prepared": unit-normalised for the cosine metric (so cosine is one inner
// product), then encoded as float32, float16 or int8 (symmetric, one scale
// per row, with the exact squared norm kept for L2).
//
// Not thread-safe for writes: the owning collection serialises them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/aligned_allocator.h"
#include "simd/distance.h"
#include "vectors/collection_spec.h"
#include "vectors/slot_index.h"
#include "vectors/vector_record.h"

namespace lake::vectors {

struct RecordKeyHash {
  std::size_t operator()(const RecordKey& key) const {
    return std::hash<std::int64_t>()(key.id * 31 + key.model_version);
  }
};

// A query in the table's form, made once per search.
struct QueryVector {
  std::vector<float> values;       // prepared (normalised for cosine)
  std::vector<std::int8_t> codes;  // int8 codec only
  float scale = 0;
  float squared_norm = 0;
};

// What filters read of a row besides its key and tenant.
struct RowFields {
  std::int64_t created_at_us = 0;
  std::string_view metadata_json;
};

class VectorTable {
 public:
  // `walk` is what graph searches read: the codec itself, or int8 codes kept
  // beside float32/float16 rows (4x fewer bytes per step; results are then
  // re-ranked with Score).
  VectorTable(std::uint32_t dimension, Metric metric, Codec codec, Codec walk);
  VectorTable(std::uint32_t dimension, Metric metric, Codec codec)
      : VectorTable(dimension, metric, codec, codec) {}

  std::uint32_t dimension() const { return dimension_; }
  Metric metric() const { return metric_; }
  Codec codec() const { return codec_; }
  Codec walk_codec() const { return walk_int8_ ? Codec::kInt8 : codec_; }
  // Live rows.
  std::size_t size() const { return index_of_.size(); }
  // Slots ever allocated, live or free; slots are numbered below this.
  std::uint32_t slot_count() const { return static_cast<std::uint32_t>(keys_.size()); }

  // Stores a row for a key that has none, in a free slot if there is one.
  std::uint32_t Insert(RecordKey key, std::int64_t tenant_id, const float* embedding,
                       RowFields fields = {});
  // The same, but the row stays invisible (not live, not the key's) until
  // Show: a write's rows are indexed first and shown together. The key may
  // still have a visible row meanwhile (Remove it before Show).
  std::uint32_t InsertHidden(RecordKey key, std::int64_t tenant_id, const float* embedding,
                             RowFields fields = {});
  void Show(std::uint32_t slot);
  // New created_at and metadata for a row whose vector stays.
  void Refresh(std::uint32_t slot, RowFields fields);
  // Frees the key's slot and returns it; nullopt when the key has no row.
  std::optional<std::uint32_t> Remove(RecordKey key);
  std::optional<std::uint32_t> Find(RecordKey key) const;
  // Whether `slot` holds this vector (by its 64-bit fingerprint).
  bool Holds(std::uint32_t slot, const float* embedding) const {
    return fingerprints_[slot] == Fingerprint(embedding, dimension_);
  }
  // Model versions stored for one id (usually one, two during a re-embedding).
  std::vector<std::int32_t> VersionsOf(std::int64_t id) const;
  // Restoring an index snapshot puts rows back in the slots it names:
  // BeginRestore(n) on an empty table makes n free slots, InsertAt fills
  // them, FinishRestore frees the ones left empty for reuse.
  void BeginRestore(std::uint32_t slots);
  void InsertAt(std::uint32_t slot, RecordKey key, std::int64_t tenant_id, const float* embedding,
                RowFields fields);
  void FinishRestore();

  bool live(std::uint32_t slot) const { return live_[slot] != 0; }
  // The prepared float32 row (float32 tables only): what IVF indexes copy.
  const float* row_f32(std::uint32_t slot) const {
    return rows_f32_.data() + std::size_t{slot} * dimension_;
  }
  const RecordKey& key(std::uint32_t slot) const { return keys_[slot]; }
  std::int64_t tenant(std::uint32_t slot) const { return tenants_[slot]; }
  std::int64_t created_at(std::uint32_t slot) const { return created_at_[slot]; }
  // Calls visit(slot) for the rows (live or hidden; the caller checks)
  // created from `from` to `to` µs, both included, or having a metadata
  // token (vectors/metadata_tokens.h).
  template <class Visit>
  void ForEachCreated(std::int64_t from, std::int64_t to, Visit&& visit) const {
    by_time_.ForEach(TimeValue(from), TimeValue(to), generations_, visit);
  }
  template <class Visit>
  void ForEachWithToken(std::uint64_t token, Visit&& visit) const {
    by_token_.ForEach(token, token, generations_, visit);
  }
  // Upper bounds on how many slots those visit, in O(log n).
  std::size_t CountCreatedAtMost(std::int64_t from, std::int64_t to) const {
    return by_time_.CountAtMost(TimeValue(from), TimeValue(to));
  }
  std::size_t CountWithTokenAtMost(std::uint64_t token) const {
    return by_token_.CountAtMost(token, token);
  }
  // A hash of the float32 embedding the row was made from: tells a snapshot
  // whether the stored vector changed after it was taken.
  std::uint64_t fingerprint(std::uint32_t slot) const { return fingerprints_[slot]; }
  static std::uint64_t Fingerprint(const float* embedding, std::uint32_t dimension);
  const std::map<std::int32_t, std::size_t>& version_counts() const { return version_counts_; }
  std::size_t TenantRowCount(std::int64_t tenant_id) const;

  QueryVector PrepareQuery(const float* query) const;
  // A query as written, not prepared for the table's metric (for scans in
  // another metric).
  QueryVector PrepareRawQuery(const float* query) const;
  // The inner product of a raw query with the row's vector as written, from
  // the most precise copy in memory (exact for float32), and that vector's
  // Euclidean norm.
  float RawDot(const QueryVector& raw_query, std::uint32_t slot) const;
  float norm(std::uint32_t slot) const { return norms_[slot]; }
  // Ranking score, smaller is closer: squared L2, negative inner product, or
  // 1 - cosine, from the most precise copy in memory. Exact for float32; an
  // estimate for float16 and int8.
  float Score(const QueryVector& query, std::uint32_t slot) const;
  // The same from the walked copy (what graph searches and builds read).
  float WalkScore(const QueryVector& query, std::uint32_t slot) const;
  float WalkScoreBetween(std::uint32_t a, std::uint32_t b) const;
  // The distance users see for a score (the root of squared L2).
  float ToDistance(float score) const;
  // Asks the CPU for the start of a row ahead of scoring it.
  void Prefetch(std::uint32_t slot) const;
  // The exact score of a float32 vector against the query, for re-ranking.
  float ExactScore(const QueryVector& query, const float* embedding) const;

  // Bytes of one row as graph searches walk it, and of the whole table.
  std::size_t WalkedBytesPerRow() const;
  std::size_t MemoryBytes() const;

 private:
  // The row as stored before encoding: the embedding itself, or (cosine) a
  // unit-normalised copy in a per-thread buffer valid until the next call.
  const float* Prepared(const float* embedding) const;
  void Encode(std::uint32_t slot, const float* prepared);
  void Quantize(const float* prepared, std::int8_t* codes, float* scale) const;
  void GrowTo(std::uint32_t slots);
  void Place(std::uint32_t slot, RecordKey key, std::int64_t tenant_id, const float* embedding,
             RowFields fields);
  void IndexFields(std::uint32_t slot, RowFields fields);
  // Signed times in the index's unsigned order.
  static std::uint64_t TimeValue(std::int64_t time) {
    return static_cast<std::uint64_t>(time) ^ (std::uint64_t{1} << 63);
  }

  std::uint32_t dimension_;
  Metric metric_;
  Codec codec_;
  bool walk_int8_;  // int8 codes beside float32/float16 rows
  const simd::KernelTable* kernels_;

  std::vector<float, AlignedAllocator<float>> rows_f32_;
  std::vector<std::uint16_t, AlignedAllocator<std::uint16_t>> rows_f16_;
  std::vector<std::int8_t, AlignedAllocator<std::int8_t>> rows_i8_;
  std::vector<float> scales_;         // int8: value = code * scale
  std::vector<float> squared_norms_;  // int8: exact |prepared|^2

  std::vector<RecordKey> keys_;
  std::vector<std::int64_t> tenants_;
  std::vector<std::uint8_t> live_;
  std::vector<std::uint64_t> fingerprints_;
  std::vector<float> norms_;  // of each vector as written
  std::vector<std::int64_t> created_at_;
  // Moves on whenever a slot's row goes or its fields change: index entries
  // of an older generation are stale.
  std::vector<std::uint32_t> generations_;
  SlotIndex by_time_;
  SlotIndex by_token_;
  std::vector<std::uint32_t> free_slots_;
  std::unordered_map<RecordKey, std::uint32_t, RecordKeyHash> index_of_;
  std::map<std::int32_t, std::size_t> version_counts_;
  std::unordered_map<std::int64_t, std::size_t> tenant_counts_;
};

// Scores run once per visited row in every search: inline.
inline float VectorTable::Score(const QueryVector& query, std::uint32_t slot) const {
  if (codec_ == Codec::kInt8) return WalkScore(query, slot);
  const std::size_t offset = std::size_t{slot} * dimension_;
  const float* q = query.values.data();
  if (metric_ == Metric::kL2) {
    return codec_ == Codec::kFloat32
               ? kernels_->l2_squared(q, rows_f32_.data() + offset, dimension_)
               : kernels_->l2_squared_f16(q, rows_f16_.data() + offset, dimension_);
  }
  const float dot = codec_ == Codec::kFloat32
                        ? kernels_->inner_product(q, rows_f32_.data() + offset, dimension_)
                        : kernels_->inner_product_f16(q, rows_f16_.data() + offset, dimension_);
  return metric_ == Metric::kInnerProduct ? -dot : 1.f - dot;
}

inline float VectorTable::WalkScore(const QueryVector& query, std::uint32_t slot) const {
  if (!walk_int8_ && codec_ != Codec::kInt8) return Score(query, slot);
  const float dot =
      query.scale * scales_[slot] *
      float(kernels_->inner_product_i8(
          query.codes.data(), rows_i8_.data() + std::size_t{slot} * dimension_, dimension_));
  switch (metric_) {
    case Metric::kL2:
      return query.squared_norm + squared_norms_[slot] - 2 * dot;
    case Metric::kInnerProduct:
      return -dot;
    case Metric::kCosine:
      return 1.f - dot;
  }
  return 0.f;
}

inline void VectorTable::Prefetch(std::uint32_t slot) const {
  const std::size_t offset = std::size_t{slot} * dimension_;
  const char* row = nullptr;
  switch (walk_codec()) {
    case Codec::kFloat32:
      row = reinterpret_cast<const char*>(rows_f32_.data() + offset);
      break;
    case Codec::kFloat16:
      row = reinterpret_cast<const char*>(rows_f16_.data() + offset);
      break;
    case Codec::kInt8:
      row = reinterpret_cast<const char*>(rows_i8_.data() + offset);
      __builtin_prefetch(&scales_[slot]);
      break;
  }
  // Rows are read at random, so the hardware prefetcher cannot guess them.
  // Up to the first 1 KiB: on wordnet-768 more lines than that saturate the
  // line-fill buffers and slow the search down, fewer leave latency exposed.
  const std::size_t bytes = std::min<std::size_t>(WalkedBytesPerRow(), 1024);
  for (std::size_t line = 0; line < bytes; line += 64)
    __builtin_prefetch(row + line);
}

}  // namespace lake::vectors
