#include "vectors/row_filter.h"

#include <algorithm>
#include <bit>

#include "vectors/metadata_tokens.h"

namespace lake::vectors {

namespace {

void SortUnique(auto& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

// Rows an id range can hold: one per id and model version.
std::size_t IdRangeRows(const RecordConditions& c, std::size_t versions) {
  constexpr std::size_t kMany = std::numeric_limits<std::size_t>::max();
  const std::uint64_t span =
      static_cast<std::uint64_t>(c.id_max) - static_cast<std::uint64_t>(c.id_min);
  if (span >= kMany / std::max<std::size_t>(versions, 1) - 1) return kMany;
  return (span + 1) * versions;
}

}  // namespace

SlotPredicate::SlotPredicate(const VectorTable& table, RowFilter filter)
    : table_(table), filter_(std::move(filter)) {
  SortUnique(filter_.allowed_ids);
  RecordConditions& c = filter_.conditions;
  SortUnique(c.tenant_ids);
  SortUnique(c.model_versions);
  // When every row has the requested version, skip the per-row check.
  const auto& versions = table.version_counts();
  if (filter_.model_version && versions.size() == 1 &&
      versions.begin()->first == *filter_.model_version) {
    filter_.model_version.reset();
  }
  std::vector<std::vector<std::uint64_t>> any_of;
  for (const MetadataText& text : c.metadata_texts)
    any_of.push_back(TextTokens(text.key, text.texts));
  for (const std::string& object : c.metadata_contains) {
    // The engine checked the objects before: one that is not is no filter.
    auto tokens = ContainsTokens(object);
    if (tokens.ok()) any_of.insert(any_of.end(), tokens->begin(), tokens->end());
  }
  if (!any_of.empty()) LookUpMetadata(any_of);
  has_conditions_ = !c.empty();
  passes_all_live_ =
      !filter_.tenant_id && !filter_.model_version && !filter_.restricts_ids() && !has_conditions_;
  estimate_ = Estimate();
}

void SlotPredicate::LookUpMetadata(const std::vector<std::vector<std::uint64_t>>& any_of) {
  metadata_filtered_ = true;
  const std::size_t words = (std::size_t{table_.slot_count()} + 63) / 64;
  std::vector<std::uint64_t> one(words);
  for (std::size_t i = 0; i < any_of.size(); ++i) {
    std::fill(one.begin(), one.end(), 0);
    for (std::uint64_t token : any_of[i]) {
      table_.ForEachWithToken(
          token, [&](std::uint32_t slot) { one[slot / 64] |= std::uint64_t{1} << (slot % 64); });
    }
    if (i == 0) {
      metadata_slots_ = one;
    } else {
      for (std::size_t w = 0; w < words; ++w)
        metadata_slots_[w] &= one[w];
    }
  }
  metadata_matches_ = 0;
  for (std::uint64_t word : metadata_slots_)
    metadata_matches_ += static_cast<std::size_t>(std::popcount(word));
}

std::size_t SlotPredicate::Estimate() const {
  const RecordConditions& c = filter_.conditions;
  const auto& versions = table_.version_counts();
  std::size_t estimate = table_.size();
  const auto narrow = [&](std::size_t rows) { estimate = std::min(estimate, rows); };
  if (filter_.tenant_id) narrow(table_.TenantRowCount(*filter_.tenant_id));
  if (!c.tenant_ids.empty()) {
    std::size_t rows = 0;
    for (std::int64_t tenant : c.tenant_ids)
      rows += table_.TenantRowCount(tenant);
    narrow(rows);
  }
  const auto version_rows = [&](std::int32_t version) -> std::size_t {
    auto found = versions.find(version);
    return found == versions.end() ? 0 : found->second;
  };
  if (filter_.model_version) narrow(version_rows(*filter_.model_version));
  if (!c.model_versions.empty()) {
    std::size_t rows = 0;
    for (std::int32_t version : c.model_versions)
      rows += version_rows(version);
    narrow(rows);
  }
  if (filter_.restricts_ids()) narrow(filter_.allowed_ids.size() * versions.size());
  if (c.restricts_ids()) narrow(c.id_min > c.id_max ? 0 : IdRangeRows(c, versions.size()));
  if (c.restricts_created())
    narrow(c.created_min_us > c.created_max_us
               ? 0
               : table_.CountCreatedAtMost(c.created_min_us, c.created_max_us));
  if (metadata_filtered_) narrow(metadata_matches_);
  return estimate;
}

std::optional<std::vector<std::uint32_t>> SlotPredicate::FewSlots() const {
  if (estimate_ * 8 >= table_.slot_count()) return std::nullopt;
  const RecordConditions& c = filter_.conditions;
  const auto& versions = table_.version_counts();
  std::vector<std::uint32_t> slots;
  const auto take = [&](std::uint32_t slot) {
    if (Passes(slot)) slots.push_back(slot);
  };
  const auto take_id = [&](std::int64_t id) {
    for (const auto& [version, count] : versions) {
      if (const auto slot = table_.Find({id, version})) take(*slot);
    }
  };
  // From the source that gave the estimate.
  if (filter_.restricts_ids() && filter_.allowed_ids.size() * versions.size() <= estimate_) {
    for (std::int64_t id : filter_.allowed_ids)
      take_id(id);
  } else if (c.restricts_ids() &&
             (c.id_min > c.id_max || IdRangeRows(c, versions.size()) <= estimate_)) {
    for (std::int64_t id = c.id_min; id <= c.id_max; ++id) {
      take_id(id);
      if (id == c.id_max) break;  // id_max may be the largest int64
    }
  } else if (metadata_filtered_ && metadata_matches_ <= estimate_) {
    for (std::size_t w = 0; w < metadata_slots_.size(); ++w) {
      for (std::uint64_t word = metadata_slots_[w]; word != 0; word &= word - 1)
        take(static_cast<std::uint32_t>(w * 64 + std::size_t(std::countr_zero(word))));
    }
  } else if (c.restricts_created() &&
             table_.CountCreatedAtMost(c.created_min_us, c.created_max_us) <= estimate_) {
    table_.ForEachCreated(c.created_min_us, c.created_max_us, take);
  } else {
    return std::nullopt;  // tenants and versions have counts, not lists
  }
  SortUnique(slots);
  return slots;
}

}  // namespace lake::vectors
