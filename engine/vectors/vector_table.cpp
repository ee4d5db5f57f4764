#include "vectors/vector_table.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/hash.h"
#include "simd/float16.h"
#include "vectors/metadata_tokens.h"

namespace lake::vectors {

VectorTable::VectorTable(std::uint32_t dimension, Metric metric, Codec codec, Codec walk)
    : dimension_(dimension),
      metric_(metric),
      codec_(codec),
      walk_int8_(walk == Codec::kInt8 && codec != Codec::kInt8),
      kernels_(&simd::Kernels()) {}

const float* VectorTable::Prepared(const float* embedding) const {
  if (metric_ != Metric::kCosine) return embedding;
  thread_local std::vector<float> normalised;
  normalised.assign(embedding, embedding + dimension_);
  double squared = 0;
  for (std::uint32_t i = 0; i < dimension_; ++i)
    squared += double(embedding[i]) * embedding[i];
  if (squared == 0) return normalised.data();  // a zero vector stays zero: distance 1 to everything
  const double inverse = 1.0 / std::sqrt(squared);
  for (std::uint32_t i = 0; i < dimension_; ++i)
    normalised[i] = float(embedding[i] * inverse);
  return normalised.data();
}

void VectorTable::Quantize(const float* prepared, std::int8_t* codes, float* scale) const {
  float max_abs = 0;
  for (std::uint32_t i = 0; i < dimension_; ++i)
    max_abs = std::max(max_abs, std::abs(prepared[i]));
  *scale = max_abs / 127.f;
  const float inverse = max_abs == 0 ? 0.f : 127.f / max_abs;
  for (std::uint32_t i = 0; i < dimension_; ++i) {
    codes[i] = static_cast<std::int8_t>(std::lround(prepared[i] * inverse));
  }
}

void VectorTable::Encode(std::uint32_t slot, const float* prepared) {
  const std::size_t offset = std::size_t{slot} * dimension_;
  if (codec_ == Codec::kFloat32) {
    std::memcpy(rows_f32_.data() + offset, prepared, dimension_ * sizeof(float));
  } else if (codec_ == Codec::kFloat16) {
    simd::EncodeFloat16(prepared, rows_f16_.data() + offset, dimension_);
  }
  if (codec_ == Codec::kInt8 || walk_int8_) {
    Quantize(prepared, rows_i8_.data() + offset, &scales_[slot]);
    squared_norms_[slot] = kernels_->inner_product(prepared, prepared, dimension_);
  }
}

void VectorTable::GrowTo(std::uint32_t slots) {
  const std::size_t values = std::size_t{slots} * dimension_;
  if (codec_ == Codec::kFloat32) rows_f32_.resize(values);
  if (codec_ == Codec::kFloat16) rows_f16_.resize(values);
  if (codec_ == Codec::kInt8 || walk_int8_) {
    rows_i8_.resize(values);
    scales_.resize(slots);
    squared_norms_.resize(slots);
  }
  keys_.resize(slots);
  tenants_.resize(slots, 0);
  live_.resize(slots, 0);
  fingerprints_.resize(slots, 0);
  norms_.resize(slots, 0);
  created_at_.resize(slots, 0);
  generations_.resize(slots, 0);
}

std::uint64_t VectorTable::Fingerprint(const float* embedding, std::uint32_t dimension) {
  return Hash64(embedding, std::size_t{dimension} * sizeof(float));
}

void VectorTable::Place(std::uint32_t slot, RecordKey key, std::int64_t tenant_id,
                        const float* embedding, RowFields fields) {
  Encode(slot, Prepared(embedding));
  keys_[slot] = key;
  tenants_[slot] = tenant_id;
  fingerprints_[slot] = Fingerprint(embedding, dimension_);
  norms_[slot] = std::sqrt(kernels_->inner_product(embedding, embedding, dimension_));
  IndexFields(slot, fields);
}

void VectorTable::IndexFields(std::uint32_t slot, RowFields fields) {
  ++generations_[slot];
  created_at_[slot] = fields.created_at_us;
  by_time_.Add(TimeValue(fields.created_at_us), slot, generations_);
  for (std::uint64_t token : RowTokens(fields.metadata_json))
    by_token_.Add(token, slot, generations_);
}

void VectorTable::Refresh(std::uint32_t slot, RowFields fields) {
  IndexFields(slot, fields);
}

void VectorTable::Show(std::uint32_t slot) {
  live_[slot] = 1;
  index_of_.emplace(keys_[slot], slot);
  ++version_counts_[keys_[slot].model_version];
  ++tenant_counts_[tenants_[slot]];
}

std::uint32_t VectorTable::InsertHidden(RecordKey key, std::int64_t tenant_id,
                                        const float* embedding, RowFields fields) {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = slot_count();
    GrowTo(slot + 1);
  }
  Place(slot, key, tenant_id, embedding, fields);
  return slot;
}

std::uint32_t VectorTable::Insert(RecordKey key, std::int64_t tenant_id, const float* embedding,
                                  RowFields fields) {
  const std::uint32_t slot = InsertHidden(key, tenant_id, embedding, fields);
  Show(slot);
  return slot;
}

void VectorTable::BeginRestore(std::uint32_t slots) {
  GrowTo(slots);
}

void VectorTable::InsertAt(std::uint32_t slot, RecordKey key, std::int64_t tenant_id,
                           const float* embedding, RowFields fields) {
  Place(slot, key, tenant_id, embedding, fields);
  Show(slot);
}

void VectorTable::FinishRestore() {
  free_slots_.clear();
  // Highest first, so the lowest free slot is reused first.
  for (std::uint32_t slot = slot_count(); slot-- > 0;) {
    if (!live_[slot]) free_slots_.push_back(slot);
  }
}

std::optional<std::uint32_t> VectorTable::Remove(RecordKey key) {
  auto found = index_of_.find(key);
  if (found == index_of_.end()) return std::nullopt;
  const std::uint32_t slot = found->second;
  index_of_.erase(found);
  live_[slot] = 0;
  ++generations_[slot];
  free_slots_.push_back(slot);
  if (--version_counts_[key.model_version] == 0) version_counts_.erase(key.model_version);
  if (--tenant_counts_[tenants_[slot]] == 0) tenant_counts_.erase(tenants_[slot]);
  return slot;
}

std::optional<std::uint32_t> VectorTable::Find(RecordKey key) const {
  auto found = index_of_.find(key);
  if (found == index_of_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::int32_t> VectorTable::VersionsOf(std::int64_t id) const {
  std::vector<std::int32_t> versions;
  for (const auto& [version, count] : version_counts_) {
    if (index_of_.contains(RecordKey{id, version})) versions.push_back(version);
  }
  return versions;
}

std::size_t VectorTable::TenantRowCount(std::int64_t tenant_id) const {
  auto found = tenant_counts_.find(tenant_id);
  return found == tenant_counts_.end() ? 0 : found->second;
}

QueryVector VectorTable::PrepareQuery(const float* query) const {
  QueryVector prepared;
  const float* values = Prepared(query);
  prepared.values.assign(values, values + dimension_);
  prepared.squared_norm =
      kernels_->inner_product(prepared.values.data(), prepared.values.data(), dimension_);
  if (codec_ == Codec::kInt8 || walk_int8_) {
    prepared.codes.resize(dimension_);
    Quantize(prepared.values.data(), prepared.codes.data(), &prepared.scale);
  }
  return prepared;
}

QueryVector VectorTable::PrepareRawQuery(const float* query) const {
  QueryVector raw;
  raw.values.assign(query, query + dimension_);
  raw.squared_norm = kernels_->inner_product(query, query, dimension_);
  if (codec_ == Codec::kInt8) {
    raw.codes.resize(dimension_);
    Quantize(query, raw.codes.data(), &raw.scale);
  }
  return raw;
}

float VectorTable::RawDot(const QueryVector& raw_query, std::uint32_t slot) const {
  const std::size_t offset = std::size_t{slot} * dimension_;
  float dot = 0;
  switch (codec_) {
    case Codec::kFloat32:
      dot = kernels_->inner_product(raw_query.values.data(), rows_f32_.data() + offset, dimension_);
      break;
    case Codec::kFloat16:
      dot = kernels_->inner_product_f16(raw_query.values.data(), rows_f16_.data() + offset,
                                        dimension_);
      break;
    case Codec::kInt8:
      dot = raw_query.scale * scales_[slot] *
            float(kernels_->inner_product_i8(raw_query.codes.data(), rows_i8_.data() + offset,
                                             dimension_));
      break;
  }
  // Cosine tables hold unit vectors: scale back to the vector as written.
  return metric_ == Metric::kCosine ? dot * norms_[slot] : dot;
}

float VectorTable::WalkScoreBetween(std::uint32_t a, std::uint32_t b) const {
  const std::size_t offset_a = std::size_t{a} * dimension_;
  const std::size_t offset_b = std::size_t{b} * dimension_;
  switch (walk_codec()) {
    case Codec::kFloat32: {
      const float* row_a = rows_f32_.data() + offset_a;
      const float* row_b = rows_f32_.data() + offset_b;
      if (metric_ == Metric::kL2) return kernels_->l2_squared(row_a, row_b, dimension_);
      const float dot = kernels_->inner_product(row_a, row_b, dimension_);
      return metric_ == Metric::kInnerProduct ? -dot : 1.f - dot;
    }
    case Codec::kFloat16: {
      // A build scores one new row against hundreds of others: decode it
      // once (the fingerprint tells a reused slot's new row from its old one).
      thread_local std::vector<float> decoded;
      thread_local const VectorTable* decoded_table = nullptr;
      thread_local std::uint32_t decoded_slot = 0;
      thread_local std::uint64_t decoded_fingerprint = 0;
      if (decoded_table != this || decoded_slot != a || decoded_fingerprint != fingerprints_[a]) {
        decoded.resize(dimension_);
        simd::DecodeFloat16(rows_f16_.data() + offset_a, decoded.data(), dimension_);
        decoded_table = this;
        decoded_slot = a;
        decoded_fingerprint = fingerprints_[a];
      }
      if (metric_ == Metric::kL2) {
        return kernels_->l2_squared_f16(decoded.data(), rows_f16_.data() + offset_b, dimension_);
      }
      const float dot =
          kernels_->inner_product_f16(decoded.data(), rows_f16_.data() + offset_b, dimension_);
      return metric_ == Metric::kInnerProduct ? -dot : 1.f - dot;
    }
    case Codec::kInt8: {
      const float dot = scales_[a] * scales_[b] *
                        float(kernels_->inner_product_i8(rows_i8_.data() + offset_a,
                                                         rows_i8_.data() + offset_b, dimension_));
      switch (metric_) {
        case Metric::kL2:
          return squared_norms_[a] + squared_norms_[b] - 2 * dot;
        case Metric::kInnerProduct:
          return -dot;
        case Metric::kCosine:
          return 1.f - dot;
      }
    }
  }
  return 0.f;
}

float VectorTable::ExactScore(const QueryVector& query, const float* embedding) const {
  const float* row = Prepared(embedding);
  const float* q = query.values.data();
  switch (metric_) {
    case Metric::kL2:
      return kernels_->l2_squared(q, row, dimension_);
    case Metric::kInnerProduct:
      return -kernels_->inner_product(q, row, dimension_);
    case Metric::kCosine:
      return 1.f - kernels_->inner_product(q, row, dimension_);
  }
  return 0.f;
}

float VectorTable::ToDistance(float score) const {
  if (metric_ == Metric::kL2) return std::sqrt(std::max(score, 0.f));
  if (metric_ == Metric::kCosine) return std::clamp(score, 0.f, 2.f);
  return score;
}

std::size_t VectorTable::WalkedBytesPerRow() const {
  switch (walk_codec()) {
    case Codec::kFloat32:
      return dimension_ * sizeof(float);
    case Codec::kFloat16:
      return dimension_ * sizeof(std::uint16_t);
    case Codec::kInt8:
      return dimension_ + 2 * sizeof(float);
  }
  return 0;
}

std::size_t VectorTable::MemoryBytes() const {
  return rows_f32_.capacity() * sizeof(float) + rows_f16_.capacity() * sizeof(std::uint16_t) +
         rows_i8_.capacity() + (scales_.capacity() + squared_norms_.capacity()) * sizeof(float) +
         keys_.capacity() * sizeof(RecordKey) + tenants_.capacity() * sizeof(std::int64_t) +
         live_.capacity() + fingerprints_.capacity() * sizeof(std::uint64_t) +
         norms_.capacity() * sizeof(float) + created_at_.capacity() * sizeof(std::int64_t) +
         generations_.capacity() * sizeof(std::uint32_t) + by_time_.MemoryBytes() +
         by_token_.MemoryBytes() + free_slots_.capacity() * sizeof(std::uint32_t) +
         index_of_.size() * (sizeof(RecordKey) + sizeof(std::uint32_t) + 2 * sizeof(void*));
}

}  // namespace lake::vectors
