// The vectors half of the engine: collections and their records on RocksDB,
// with an in-memory table per collection for search. Thread-safe: many
// readers and one writer per collection at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "storage/store.h"
#include "vectors/collection_spec.h"
#include "vectors/exact_search.h"
#include "vectors/vector_record.h"
#include "vectors/vector_types.h"

namespace lake::vectors {

// How many rows may pass a filter before a search walks the index instead of
// scanning exactly the rows that pass.
inline constexpr std::size_t kExactScanMaxRows = 2048;
// What one request may ask for, checked before anything is allocated: the
// neighbours per query, the candidate list (ef) and lists probed, queries
// per search, records per scan page.
inline constexpr std::size_t kMaxSearchK = 10000;
inline constexpr std::size_t kMaxEfSearch = 100000;
inline constexpr std::size_t kMaxQueriesPerSearch = 10000;
inline constexpr std::size_t kMaxScanPage = 100000;
// Values all the IN lists of a filter may hold together.
inline constexpr std::size_t kMaxConditionValues = 100000;

struct VectorEngineOptions {
  // Threads for index builds (on open, on rebuild).
  int build_threads = 2;
  // false: open with tables only, searches scan exactly until RebuildIndex
  // (for the offline rebuild tool, which builds right after opening).
  bool load_indexes = true;
};

class VectorEngine {
 public:
  // Loads every collection from the store (which must outlive the engine). A
  // catalog entry or record that cannot be decoded fails with kCorruption.
  static Result<std::unique_ptr<VectorEngine>> Open(storage::Store* store,
                                                    const VectorEngineOptions& options = {});
  ~VectorEngine();

  Status CreateCollection(const CollectionSpec& spec);
  // Removes the collection and all its records in one atomic write.
  Status DropCollection(std::string_view name);
  std::vector<CollectionInfo> ListCollections() const;
  Result<CollectionInfo> DescribeCollection(std::string_view name) const;
  // Rebuilds the collection's index from its rows with new settings (kind
  // flat drops the index) and records the settings in the catalog.
  // `progress(done, total)` is called now and then.
  Status RebuildIndex(std::string_view name, const IndexSettings& settings, int threads,
                      const std::function<void(std::size_t, std::size_t)>& progress = {});

  // Writes an index snapshot of every collection (or of those written to
  // since their last one), so the next open restores graphs and replays
  // only what changed since instead of rebuilding them. Each graph is
  // copied under its collection's read lock and written without it.
  Status SnapshotIndexes(bool changed_only = false);
  // Snapshots the indexes; call before a clean shutdown.
  Status Close() { return SnapshotIndexes(); }

  // One catalog write: queries that name no version use `version` from now on.
  Status SetActiveModelVersion(std::string_view name, std::int32_t version);

  // Validates every record first; one bad record rejects the whole batch and
  // changes nothing. Later records in a batch win over earlier ones.
  // With a `tenant` scope every record is written as that tenant's; a
  // record naming another tenant, or an id that another tenant holds,
  // rejects the batch.
  Status Upsert(std::string_view name, std::span<VectorRecord> records,
                const storage::WriteOptions& options = {},
                std::optional<std::int64_t> tenant = std::nullopt);
  // What Upsert would refuse, without writing: an unknown collection, a bad
  // record, another tenant's id.
  Status CheckUpsert(std::string_view name, std::span<const VectorRecord> records,
                     std::optional<std::int64_t> tenant = std::nullopt) const;
  // model_version 0: the active one. With a `tenant` scope, another tenant's
  // record is not found.
  Result<std::optional<VectorRecord>> Get(std::string_view name, std::int64_t id,
                                          std::int32_t model_version = 0,
                                          std::optional<std::int64_t> tenant = std::nullopt) const;
  // Deletes every version of each id, or only `model_version` when given;
  // with a `tenant` scope, only that tenant's records. Returns how many
  // records were removed.
  Result<std::size_t> Delete(std::string_view name, std::span<const std::int64_t> ids,
                             std::optional<std::int32_t> model_version = std::nullopt,
                             const storage::WriteOptions& options = {},
                             std::optional<std::int64_t> tenant = std::nullopt);
  // A page of records in key order (a table scan for the wrapper).
  Result<std::vector<VectorRecord>> ScanRecords(std::string_view name,
                                                const RecordScan& scan) const;
  // Rows of one tenant (over every model version).
  Result<std::size_t> CountTenantRows(std::string_view name, std::int64_t tenant) const;

  // Up to `count` ids spread evenly over the collection (for checks).
  Result<std::vector<std::int64_t>> SampleIds(std::string_view name, std::size_t count) const;

  Result<std::vector<Neighbor>> Search(std::string_view name, std::span<const float> query,
                                       const SearchRequest& request) const;
  // `queries` holds whole vectors back to back.
  Result<std::vector<std::vector<Neighbor>>> SearchBatch(std::string_view name,
                                                         std::span<const float> queries,
                                                         const SearchRequest& request) const;
  // What a search may not ask for (kMax*): the limits' error, or Ok.
  static Status CheckLimits(const SearchRequest& request);
  // Lists too long, a containment filter that is no JSON object.
  static Status CheckConditions(const RecordConditions& conditions);

 private:
  struct Collection;
  VectorEngine(storage::Store* store, const VectorEngineOptions& options);
  Status Load();
  Status LoadCollection(Collection& collection);
  // Restores the index from its snapshot and replays what changed since;
  // false (after logging why) when the collection must be built instead.
  Result<bool> RestoreFromSnapshot(Collection& collection);
  std::string SnapshotPath(const Collection& collection) const;
  Status WriteSnapshot(Collection& collection);
  Result<std::shared_ptr<Collection>> Find(std::string_view name) const;
  // An upsert's rows go into the table hidden, are linked into the graph a
  // slice at a time (searches wait for a slice, not the batch), and are
  // shown together: a search sees the collection as it was before the
  // write or after it, never a part of it.
  void ShowTogether(Collection& collection, std::span<const VectorRecord> records) const;
  // A batch this big (a bulk load) goes into an HNSW index on build_threads
  // threads.
  static constexpr std::size_t kParallelIndexRows = 2048;
  static constexpr std::size_t kParallelIndexSlice = 256;
  void Link(Collection& collection, std::vector<std::uint32_t> slots) const;
  // Upsert's checks; the caller holds collection.write_mutex.
  Status CheckRecords(const Collection& collection, std::span<const VectorRecord> records,
                      std::optional<std::int64_t> tenant) const;
  // An exact scan in another metric than the collection's (re-ranked from
  // the stored float32 vectors when the table holds estimates).
  Result<std::vector<std::vector<Neighbor>>> SearchInMetric(
      const Collection& collection, Metric metric, std::span<const float> queries, std::size_t k,
      const SlotPredicate& predicate, const SearchRequest& request) const;
  // Replaces approximate scores by exact ones from the stored float32
  // vectors and keeps the best k.
  Result<std::vector<Candidate>> Rerank(const Collection& collection, const QueryVector& query,
                                        std::vector<Candidate> candidates, std::size_t k) const;

  storage::Store* store_;
  VectorEngineOptions options_;
  mutable std::shared_mutex catalog_mutex_;
  std::mutex snapshot_mutex_;  // one snapshot writer at a time (its file name is fixed)
  std::unordered_map<std::string, std::shared_ptr<Collection>> collections_;
  std::uint32_t next_collection_id_ = 1;
};

}  // namespace lake::vectors
