// The in-memory, columnar copy of one collection's vectors: a dense row-major
// float32 matrix plus parallel columns for the fields searches filter on.
// RocksDB holds the truth; this table is rebuilt from it on open. Rows stay
// dense (a delete moves the last row into the hole) so an exact scan streams
// memory without gaps. Not thread-safe: the owning collection locks it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/aligned_allocator.h"
#include "vectors/collection_spec.h"
#include "vectors/vector_record.h"

namespace lake::vectors {

struct RecordKeyHash {
  std::size_t operator()(const RecordKey& key) const {
    return std::hash<std::int64_t>()(key.id * 31 + key.model_version);
  }
};

class VectorTable {
 public:
  VectorTable(std::uint32_t dimension, Metric metric);

  std::uint32_t dimension() const { return dimension_; }
  Metric metric() const { return metric_; }
  std::size_t size() const { return keys_.size(); }

  // Inserts or replaces the row of `key`.
  void Upsert(RecordKey key, std::int64_t tenant_id, const float* embedding);
  // Removes the row of `key`; false when there was none.
  bool Remove(RecordKey key);
  std::optional<std::size_t> Find(RecordKey key) const;
  // Model versions stored for one id (usually one, two during a re-embedding).
  std::vector<std::int32_t> VersionsOf(std::int64_t id) const;

  const float* row(std::size_t index) const { return rows_.data() + index * dimension_; }
  const RecordKey& key(std::size_t index) const { return keys_[index]; }
  std::int64_t tenant(std::size_t index) const { return tenants_[index]; }
  // Euclidean norm of each row, kept for the cosine metric.
  float norm(std::size_t index) const { return norms_[index]; }
  // How many rows each model version has.
  const std::map<std::int32_t, std::size_t>& version_counts() const { return version_counts_; }
  std::size_t MemoryBytes() const;

 private:
  std::uint32_t dimension_;
  Metric metric_;
  std::vector<float, AlignedAllocator<float>> rows_;
  std::vector<RecordKey> keys_;
  std::vector<std::int64_t> tenants_;
  std::vector<float> norms_;
  std::unordered_map<RecordKey, std::size_t, RecordKeyHash> index_of_;
  std::map<std::int32_t, std::size_t> version_counts_;
};

}  // namespace lake::vectors
