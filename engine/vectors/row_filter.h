// Which rows a search may return: a tenant, a model version, a set of ids.
// Applied inside every search method (before distances in exact scans, at
// each visited node in graph walks), never to the results afterwards.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "vectors/vector_table.h"

namespace lake::vectors {

struct RowFilter {
  std::optional<std::int64_t> tenant_id;
  std::optional<std::int32_t> model_version;
  // Empty: any id. Otherwise only these ids (any order, duplicates allowed).
  std::vector<std::int64_t> allowed_ids;
  bool restricts_ids() const { return !allowed_ids.empty(); }
};

class SlotPredicate {
 public:
  SlotPredicate(const VectorTable& table, RowFilter filter)
      : table_(table), filter_(std::move(filter)) {
    std::sort(filter_.allowed_ids.begin(), filter_.allowed_ids.end());
    filter_.allowed_ids.erase(std::unique(filter_.allowed_ids.begin(), filter_.allowed_ids.end()),
                              filter_.allowed_ids.end());
    // When every row has the requested version, skip the per-row check.
    const auto& versions = table.version_counts();
    if (filter_.model_version && versions.size() == 1 &&
        versions.begin()->first == *filter_.model_version) {
      filter_.model_version.reset();
    }
    passes_all_live_ = !filter_.tenant_id && !filter_.model_version && !filter_.restricts_ids();
  }

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
    return true;
  }

  // An upper bound on the rows that pass, from per-tenant and per-version
  // counts and the id list; exact when one condition is set.
  std::size_t EstimatedMatches() const {
    std::size_t estimate = table_.size();
    if (filter_.tenant_id) estimate = std::min(estimate, table_.TenantRowCount(*filter_.tenant_id));
    if (filter_.model_version) {
      auto found = table_.version_counts().find(*filter_.model_version);
      estimate = std::min(estimate, found == table_.version_counts().end() ? 0 : found->second);
    }
    if (filter_.restricts_ids()) {
      estimate = std::min(estimate, filter_.allowed_ids.size() * table_.version_counts().size());
    }
    return estimate;
  }

 private:
  const VectorTable& table_;
  RowFilter filter_;
  bool passes_all_live_;
};

}  // namespace lake::vectors
