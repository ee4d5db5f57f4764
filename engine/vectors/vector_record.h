// A vector record and its storage encoding. The float32 values stored here are
// the truth every index is derived from.
//
// Key:   collection id (u32) | record id (i64) | model version (i32), all ordered
// Value: format (u8) | tenant id (i64) | created_at µs (i64) | dimension (u32)
//        | dimension float32 values | metadata JSON (rest), little-endian
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lake::vectors {

inline constexpr std::size_t kMaxMetadataBytes = 64 * 1024;

struct VectorRecord {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  // 0 on a write means the collection's active version.
  std::int32_t model_version = 0;
  // Microseconds since the Unix epoch, UTC; 0 on a write means now.
  std::int64_t created_at_us = 0;
  std::vector<float> embedding;
  // A JSON object; empty on a write means {}.
  std::string metadata_json;
};

// The record's identity inside a collection: the same id may carry one
// embedding per model version while a re-embedding is rolled out.
struct RecordKey {
  std::int64_t id;
  std::int32_t model_version;
  bool operator==(const RecordKey&) const = default;
};

std::string EncodeRecordKey(std::uint32_t collection_id, RecordKey key);
// All keys of one collection, or of one id in it, start with these prefixes.
std::string CollectionKeyPrefix(std::uint32_t collection_id);
std::string RecordIdKeyPrefix(std::uint32_t collection_id, std::int64_t id);
Result<RecordKey> DecodeRecordKey(std::string_view key, std::uint32_t collection_id);

std::string EncodeRecordValue(const VectorRecord& record);
// Fills everything but id and model version (which live in the key).
Status DecodeRecordValue(std::string_view value, std::uint32_t dimension, VectorRecord* record);

// Checks the embedding (dimension, finite values) and the metadata (empty,
// or a JSON object of at most 64 KiB).
Status CheckRecord(const VectorRecord& record, std::uint32_t dimension);
// Empty, or a JSON object of at most 64 KiB.
Status CheckMetadata(std::string_view metadata_json);
// `expected 768 dimensions, got 767`, or a NaN/infinity position.
Status ValidateEmbedding(std::span<const float> embedding, std::uint32_t dimension);

}  // namespace lake::vectors
