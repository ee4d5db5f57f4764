// An HNSW index snapshot: one file per collection holding the graph, the
// slot each row occupied, and a fingerprint of each row's vector, so that
// opening can restore the graph and replay only what changed since. The
// header names the store sequence number it covers; a 64-bit checksum over
// the whole file catches corruption. Written to a temporary file, synced and
// renamed, so a crash leaves the old snapshot or the new one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "vectors/hnsw_index.h"
#include "vectors/vector_table.h"

namespace lake::vectors {

struct HnswSnapshotHeader {
  std::uint32_t collection_id = 0;
  std::uint64_t sequence = 0;
  std::uint32_t dimension = 0;
  Metric metric = Metric::kL2;
  Codec codec = Codec::kFloat32;
  Codec walk_codec = Codec::kFloat32;
  std::int32_t m = 0;
  std::int32_t ef_construction = 0;
  bool operator==(const HnswSnapshotHeader&) const = default;
};

struct SnapshotSlot {
  bool live = false;
  RecordKey key{0, 0};
  std::int64_t tenant_id = 0;
  std::uint64_t fingerprint = 0;
};

struct HnswSnapshot {
  HnswSnapshotHeader header;
  std::vector<SnapshotSlot> slots;
  HnswIndex::GraphState graph;
};

// The snapshot's bytes (under the collection's read lock: a copy of the
// graph and the slots, so the file is written without the lock).
std::string EncodeHnswSnapshot(const HnswSnapshotHeader& header, const VectorTable& table,
                               const HnswIndex& index);
Status WriteHnswSnapshot(const std::string& path, std::string_view encoded);
// kNotFound when there is no file; kCorruption when it cannot be trusted.
Result<HnswSnapshot> ReadHnswSnapshot(const std::string& path);

}  // namespace lake::vectors
