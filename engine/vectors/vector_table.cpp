#include "vectors/vector_table.h"

#include <cmath>
#include <cstring>

#include "simd/distance.h"

namespace lake::vectors {

VectorTable::VectorTable(std::uint32_t dimension, Metric metric)
    : dimension_(dimension), metric_(metric) {}

void VectorTable::Upsert(RecordKey key, std::int64_t tenant_id, const float* embedding) {
  const float norm = std::sqrt(simd::InnerProduct(embedding, embedding, dimension_));
  if (auto existing = index_of_.find(key); existing != index_of_.end()) {
    const std::size_t index = existing->second;
    std::memcpy(rows_.data() + index * dimension_, embedding, dimension_ * sizeof(float));
    tenants_[index] = tenant_id;
    norms_[index] = norm;
    return;
  }
  index_of_.emplace(key, keys_.size());
  rows_.insert(rows_.end(), embedding, embedding + dimension_);
  keys_.push_back(key);
  tenants_.push_back(tenant_id);
  norms_.push_back(norm);
  ++version_counts_[key.model_version];
}

bool VectorTable::Remove(RecordKey key) {
  auto found = index_of_.find(key);
  if (found == index_of_.end()) return false;
  const std::size_t hole = found->second;
  const std::size_t last = keys_.size() - 1;
  index_of_.erase(found);
  if (hole != last) {
    std::memcpy(rows_.data() + hole * dimension_, rows_.data() + last * dimension_,
                dimension_ * sizeof(float));
    keys_[hole] = keys_[last];
    tenants_[hole] = tenants_[last];
    norms_[hole] = norms_[last];
    index_of_[keys_[hole]] = hole;
  }
  rows_.resize(last * dimension_);
  keys_.pop_back();
  tenants_.pop_back();
  norms_.pop_back();
  if (--version_counts_[key.model_version] == 0) version_counts_.erase(key.model_version);
  return true;
}

std::optional<std::size_t> VectorTable::Find(RecordKey key) const {
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

std::size_t VectorTable::MemoryBytes() const {
  return rows_.capacity() * sizeof(float) + keys_.capacity() * sizeof(RecordKey) +
         tenants_.capacity() * sizeof(std::int64_t) + norms_.capacity() * sizeof(float) +
         index_of_.size() * (sizeof(RecordKey) + sizeof(std::size_t) + 2 * sizeof(void*));
}

}  // namespace lake::vectors
