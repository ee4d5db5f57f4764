// Which rows a search or a scan may return: a tenant, a model version, a
// set of ids, and the record conditions SQL pushes (vector_types.h).
// Applied inside every search method (before distances in exact scans, at
// each visited node in graph walks), never to the results afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vectors/vector_table.h"
#include "vectors/vector_types.h"

namespace lake::vectors {

struct RowFilter {
  std::optional<std::int64_t> tenant_id;
  std::optional<std::int32_t> model_version;
  // Empty: any id. Otherwise only these ids (any order, duplicates allowed).
  std::vector<std::int64_t> allowed_ids;
  RecordConditions conditions;
  bool restricts_ids() const { return !allowed_ids.empty(); }
};

class SlotPredicate {
 public:
  // Metadata conditions are looked up in the table's token index here, once.
  SlotPredicate(const VectorTable& table, RowFilter filter);

  const RowFilter& filter() const { return filter_; }
  bool passes_all_live() const { return passes_all_live_; }

  bool Passes(std::uint32_t slot) const {
    if (!table_.live(slot)) return false;
    if (passes_all_live_) return true;
    if (filter_.tenant_id && table_.tenant(slot) != *filter_.tenant_id) return false;
    const RecordKey& key = table_.key(slot);
    if (filter_.model_version && key.model_version != *filter_.model_version) return false;
    if (filter_.restricts_ids() &&
        !std::binary_search(filter_.allowed_ids.begin(), filter_.allowed_ids.end(), key.id)) {
      return false;
    }
    return !has_conditions_ || PassesConditions(slot, key);
  }

  // An upper bound on the rows that pass, from per-tenant and per-version
  // counts, the id list and range and the indexes; exact when only the
  // tenant, the version or metadata is filtered.
  std::size_t EstimatedMatches() const { return estimate_; }

  // The passing slots, ascending, when an index or the id list narrows them
  // to few (under an eighth of the table); nullopt when only a pass over
  // every slot finds them.
  std::optional<std::vector<std::uint32_t>> FewSlots() const;

 private:
  bool PassesConditions(std::uint32_t slot, const RecordKey& key) const {
    const RecordConditions& c = filter_.conditions;
    if (key.id < c.id_min || key.id > c.id_max) return false;
    const std::int64_t created = table_.created_at(slot);
    if (created < c.created_min_us || created > c.created_max_us) return false;
    if (!c.tenant_ids.empty() &&
        !std::binary_search(c.tenant_ids.begin(), c.tenant_ids.end(), table_.tenant(slot)))
      return false;
    if (!c.model_versions.empty() &&
        !std::binary_search(c.model_versions.begin(), c.model_versions.end(), key.model_version))
      return false;
    return !metadata_filtered_ || ((metadata_slots_[slot / 64] >> (slot % 64)) & 1) != 0;
  }
  // The slots holding one of the tokens, for each list of the metadata
  // conditions, intersected.
  void LookUpMetadata(const std::vector<std::vector<std::uint64_t>>& any_of);
  std::size_t Estimate() const;

  const VectorTable& table_;
  RowFilter filter_;
  bool has_conditions_;
  bool passes_all_live_;
  bool metadata_filtered_ = false;
  std::vector<std::uint64_t> metadata_slots_;  // a bit per slot
  std::size_t metadata_matches_ = 0;
  std::size_t estimate_;
};

}  // namespace lake::vectors
