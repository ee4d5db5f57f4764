#include "vectors/vector_record.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "common/json_syntax.h"

#include "storage/key_codec.h"

namespace lake::vectors {

static_assert(std::endian::native == std::endian::little, "values are stored little-endian");

namespace {
constexpr std::uint8_t kRecordFormat = 1;
constexpr std::size_t kHeaderBytes = 1 + 8 + 8 + 4;

template <typename T>
void AppendRaw(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}
template <typename T>
T ReadRaw(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}
}  // namespace

std::string CollectionKeyPrefix(std::uint32_t collection_id) {
  std::string key;
  storage::AppendU32(&key, collection_id);
  return key;
}

std::string RecordIdKeyPrefix(std::uint32_t collection_id, std::int64_t id) {
  std::string key = CollectionKeyPrefix(collection_id);
  storage::AppendI64(&key, id);
  return key;
}

std::string EncodeRecordKey(std::uint32_t collection_id, RecordKey key) {
  std::string encoded = RecordIdKeyPrefix(collection_id, key.id);
  storage::AppendI32(&encoded, key.model_version);
  return encoded;
}

Result<RecordKey> DecodeRecordKey(std::string_view key, std::uint32_t collection_id) {
  storage::KeyReader reader(key);
  const std::uint32_t stored_collection = reader.ReadU32();
  RecordKey decoded{reader.ReadI64(), reader.ReadI32()};
  if (!reader.done() || stored_collection != collection_id) {
    return Status::Corruption("malformed vector record key of " + std::to_string(key.size()) +
                              " bytes");
  }
  return decoded;
}

std::string EncodeRecordValue(const VectorRecord& record) {
  std::string value;
  value.reserve(kHeaderBytes + record.embedding.size() * sizeof(float) +
                record.metadata_json.size());
  AppendRaw(&value, kRecordFormat);
  AppendRaw(&value, record.tenant_id);
  AppendRaw(&value, record.created_at_us);
  AppendRaw(&value, static_cast<std::uint32_t>(record.embedding.size()));
  value.append(reinterpret_cast<const char*>(record.embedding.data()),
               record.embedding.size() * sizeof(float));
  value.append(record.metadata_json);
  return value;
}

Status DecodeRecordValue(std::string_view value, std::uint32_t dimension, VectorRecord* record) {
  if (value.size() < kHeaderBytes || static_cast<std::uint8_t>(value[0]) != kRecordFormat) {
    return Status::Corruption("vector record has an unknown format or a truncated header");
  }
  const char* p = value.data() + 1;
  record->tenant_id = ReadRaw<std::int64_t>(p);
  record->created_at_us = ReadRaw<std::int64_t>(p + 8);
  const std::uint32_t stored_dimension = ReadRaw<std::uint32_t>(p + 16);
  const std::size_t vector_bytes = std::size_t{stored_dimension} * sizeof(float);
  if (stored_dimension != dimension || value.size() < kHeaderBytes + vector_bytes) {
    return Status::Corruption("vector record holds " + std::to_string(stored_dimension) +
                              " dimensions in " + std::to_string(value.size()) +
                              " bytes; the collection has " + std::to_string(dimension));
  }
  record->embedding.resize(dimension);
  std::memcpy(record->embedding.data(), value.data() + kHeaderBytes, vector_bytes);
  record->metadata_json.assign(value.substr(kHeaderBytes + vector_bytes));
  return Status::Ok();
}

Status ValidateEmbedding(std::span<const float> embedding, std::uint32_t dimension) {
  if (embedding.size() != dimension) {
    return Status::InvalidArgument("expected " + std::to_string(dimension) + " dimensions, got " +
                                   std::to_string(embedding.size()));
  }
  for (std::size_t i = 0; i < embedding.size(); ++i) {
    if (!std::isfinite(embedding[i])) {
      return Status::InvalidArgument(std::string(std::isnan(embedding[i]) ? "NaN" : "infinity") +
                                     " at position " + std::to_string(i) +
                                     "; vectors must be finite");
    }
  }
  return Status::Ok();
}

Status CheckRecord(const VectorRecord& record, std::uint32_t dimension) {
  if (Status status = ValidateEmbedding(record.embedding, dimension); !status.ok()) {
    return Status::InvalidArgument("record " + std::to_string(record.id) + ": " + status.message());
  }
  if (record.model_version < 0) {
    return Status::InvalidArgument("record " + std::to_string(record.id) +
                                   ": model version must be positive");
  }
  if (Status status = CheckMetadata(record.metadata_json); !status.ok()) {
    return Status::InvalidArgument("record " + std::to_string(record.id) + ": " + status.message());
  }
  return Status::Ok();
}

Status CheckMetadata(std::string_view metadata_json) {
  if (metadata_json.empty()) return Status::Ok();  // stored as {}
  if (metadata_json.size() > kMaxMetadataBytes) {
    return Status::InvalidArgument("metadata is " + std::to_string(metadata_json.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxMetadataBytes));
  }
  if (!IsJsonObject(metadata_json))
    return Status::InvalidArgument("metadata must be a JSON object");
  return Status::Ok();
}

}  // namespace lake::vectors
