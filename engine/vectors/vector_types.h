// The values the vector engine takes and returns besides records and specs:
// collection descriptions and search requests. Plain structs, shared by the
// engine, the protocol and its clients.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vectors/collection_spec.h"
#include "vectors/neighbor.h"

namespace lake::vectors {

struct CollectionInfo {
  CollectionSpec spec;
  std::size_t record_count = 0;
  // Rows per stored model version.
  std::vector<std::pair<std::int32_t, std::size_t>> model_versions;
  // The walked vectors (in the collection's codec) and the index.
  std::size_t table_bytes = 0;
  std::size_t index_bytes = 0;
  // Bytes of one vector as the searches walk it (codec-dependent).
  std::size_t walked_bytes_per_row = 0;
};

// metadata->>key = one of texts.
struct MetadataText {
  std::string key;
  std::vector<std::string> texts;
};

// Conditions on a record's fields that a row must all meet, beside a
// request's tenant, model version and id list: what SQL's WHERE pushes
// into a scan or a kNN. Each is a set or a range of one field, so an index
// can answer it; anything else PostgreSQL checks on the rows it gets.
struct RecordConditions {
  std::vector<std::int64_t> tenant_ids;      // user_id IN; empty: any
  std::vector<std::int32_t> model_versions;  // model_version IN; empty: any
  // Inclusive bounds.
  std::int64_t id_min = std::numeric_limits<std::int64_t>::min();
  std::int64_t id_max = std::numeric_limits<std::int64_t>::max();
  std::int64_t created_min_us = std::numeric_limits<std::int64_t>::min();
  std::int64_t created_max_us = std::numeric_limits<std::int64_t>::max();
  std::vector<MetadataText> metadata_texts;
  std::vector<std::string> metadata_contains;  // JSON objects: metadata @> each
  bool empty() const {
    return tenant_ids.empty() && model_versions.empty() && !restricts_ids() &&
           !restricts_created() && metadata_texts.empty() && metadata_contains.empty();
  }
  bool restricts_ids() const {
    return id_min != std::numeric_limits<std::int64_t>::min() ||
           id_max != std::numeric_limits<std::int64_t>::max();
  }
  bool restricts_created() const {
    return created_min_us != std::numeric_limits<std::int64_t>::min() ||
           created_max_us != std::numeric_limits<std::int64_t>::max();
  }
};

enum class SearchMethod {
  kAuto,   // the index, unless the filter passes few rows
  kExact,  // brute force over every passing row
  kIndex,  // the index whenever there is one (checks, benchmarks)
};

struct SearchRequest {
  std::size_t k = 10;
  // Of each query; 0: the collection's (a caller that says checks it).
  std::uint32_t dimension = 0;
  std::optional<std::int64_t> tenant_id;
  // 0: the collection's active model version.
  std::int32_t model_version = 0;
  // Empty: any id; otherwise only these.
  std::vector<std::int64_t> allowed_ids;
  RecordConditions conditions;
  // Another metric than the collection's: an exact scan in that one.
  std::optional<Metric> metric;
  // The next page of an ordered search: rows after this one (by distance,
  // then id and version) that the `returned` rows before did not include.
  // A page of fewer than k rows is the last.
  std::optional<Neighbor> after;
  std::size_t returned = 0;
  // 0: the collection's ef_search (HNSW) or probes (IVF).
  std::size_t ef_search = 0;
  std::size_t probes = 0;
  SearchMethod method = SearchMethod::kAuto;
};

// A page of a collection's records in (id, model version) order: the ones
// passing the filter, after `after` when given, at most `limit`.
struct RecordScan {
  std::optional<std::int64_t> tenant_id;
  std::optional<std::int32_t> model_version;  // nullopt: every version
  std::vector<std::int64_t> ids;              // empty: any id
  RecordConditions conditions;
  std::optional<std::pair<std::int64_t, std::int32_t>> after;
  std::size_t limit = 1000;
  bool with_embeddings = true;  // false: records come without their vectors
};

}  // namespace lake::vectors
