#include "vectors/vector_engine.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <tuple>

#include "common/interrupt.h"
#include "common/json_syntax.h"
#include "common/log.h"
#include "storage/key_codec.h"
#include "vectors/hnsw_index.h"
#include "vectors/hnsw_snapshot.h"
#include "vectors/ivf_index.h"
#include "vectors/vector_table.h"

namespace lake::vectors {

namespace {

constexpr std::string_view kSpecKeyPrefix = "vectors/collection/";
constexpr std::string_view kNextIdKey = "vectors/next_collection_id";
// Approximate codecs fetch this many candidates per requested row for
// exact re-ranking (on wordnet-768, int8 codes lose almost nothing at 2x,
// and each candidate costs a RocksDB read).
constexpr std::size_t kRerankFactor = 2;
constexpr std::size_t kPqRerankFactor = 8;
// When the exact rows are in memory (re-scoring costs no read), at least
// this many candidates are re-scored: for a small k, 2k estimates may all
// miss the exact match that the codes put a little further away.
constexpr std::size_t kMinRerank = 32;

std::string SpecKey(std::string_view name) {
  return std::string(kSpecKeyPrefix) + std::string(name);
}

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status UnknownCollection(std::string_view name) {
  return Status::NotFound("unknown collection '" + std::string(name) + "'");
}

RowFields FieldsOf(const VectorRecord& record) {
  return {record.created_at_us, record.metadata_json};
}

VectorTable MakeTable(const CollectionSpec& spec) {
  return VectorTable(spec.dimension, spec.metric, spec.codec,
                     spec.index.hnsw_walk_int8 ? Codec::kInt8 : spec.codec);
}
}  // namespace

struct VectorEngine::Collection {
  Collection(CollectionSpec s, std::uint32_t collection_id)
      : spec(std::move(s)), id(collection_id), table(MakeTable(spec)) {
    BuildIndex(1, {});
  }

  // A new index of the collection's kind over every live row.
  void BuildIndex(int threads, const std::function<void(std::size_t, std::size_t)>& progress) {
    hnsw.reset();
    ivf.reset();
    if (spec.index.kind == IndexKind::kIvfFlat || spec.index.kind == IndexKind::kIvfPq) {
      ivf = std::make_unique<IvfIndex>(
          table, IvfParams{.lists = spec.index.ivf_lists,
                           .product_quantized = spec.index.kind == IndexKind::kIvfPq,
                           .threads = threads});
      ivf->Build();
      if (progress) progress(table.size(), table.size());
      return;
    }
    if (spec.index.kind != IndexKind::kHnsw) return;
    hnsw = std::make_unique<HnswIndex>(
        table,
        HnswParams{.m = spec.index.hnsw_m, .ef_construction = spec.index.hnsw_ef_construction});
    std::vector<std::uint32_t> slots;
    slots.reserve(table.size());
    for (std::uint32_t slot = 0; slot < table.slot_count(); ++slot) {
      if (table.live(slot)) slots.push_back(slot);
    }
    hnsw->Reserve(table.slot_count());
    hnsw->AddParallel(slots, threads, [&](std::size_t done) {
      if (progress) progress(done, slots.size());
    });
  }

  // Adds the table's row in `slot` to the index.
  void Index(std::uint32_t slot) {
    if (ivf) {
      if (ivf->trained()) {
        ivf->Add(slot);
      } else if (table.size() >= ivf->TrainingRows()) {
        ivf->Build();  // enough rows at last: train and add them all
      }
    }
    if (!hnsw) return;
    hnsw->Reserve(table.slot_count());
    hnsw->Add(slot);
  }

  // Takes a freed slot out of the index (HNSW keeps it as a tombstone).
  void Unindex(std::optional<std::uint32_t> slot) {
    if (slot && ivf && ivf->trained()) ivf->Remove(*slot);
  }

  // Puts a record's row in the table in place of its key's old row: the
  // slot the indexes must link, or nullopt when the same slot holds the
  // same vector as before (then the indexes are still right).
  std::optional<std::uint32_t> Replace(const VectorRecord& record) {
    const RecordKey key{record.id, record.model_version};
    const std::optional<std::uint32_t> old = table.Find(key);
    const bool same = old && table.Holds(*old, record.embedding.data());
    table.Remove(key);
    const std::uint32_t slot =
        table.Insert(key, record.tenant_id, record.embedding.data(), FieldsOf(record));
    if (same && slot == *old) return std::nullopt;
    Unindex(old);
    return slot;
  }

  bool indexed() const { return hnsw || (ivf && ivf->trained()); }

  // Rows written since the index snapshot was last taken.
  std::atomic<std::uint64_t> rows_since_snapshot{0};

  // What a snapshot of this collection's graph must say to be usable.
  HnswSnapshotHeader SnapshotHeader(std::uint64_t sequence) const {
    return {id,         sequence,           spec.dimension,    spec.metric,
            spec.codec, table.walk_codec(), spec.index.hnsw_m, spec.index.hnsw_ef_construction};
  }

  std::int32_t ResolveVersion(std::int32_t version) const {
    return version == 0 ? spec.active_model_version : version;
  }

  // Whether no version of `record_id` belongs to another tenant (under
  // write_mutex).
  bool OwnedBy(std::int64_t record_id, std::int64_t tenant) const {
    for (std::int32_t version : table.VersionsOf(record_id)) {
      const auto slot = table.Find({record_id, version});
      if (slot && table.tenant(*slot) != tenant) return false;
    }
    return true;
  }

  // Writers hold write_mutex for a whole write, so memory applies writes in
  // the order the store took them; they hold `mutex` exclusively only while
  // they change one row, so searches (shared `mutex`) go on during a batch.
  // Everything that changes the spec holds both.
  std::mutex write_mutex;
  mutable std::shared_mutex mutex;
  CollectionSpec spec;
  const std::uint32_t id;
  VectorTable table;
  std::unique_ptr<HnswIndex> hnsw;
  std::unique_ptr<IvfIndex> ivf;
  bool dropped = false;
};

VectorEngine::VectorEngine(storage::Store* store, const VectorEngineOptions& options)
    : store_(store), options_(options) {}
VectorEngine::~VectorEngine() = default;

Result<std::unique_ptr<VectorEngine>> VectorEngine::Open(storage::Store* store,
                                                         const VectorEngineOptions& options) {
  std::unique_ptr<VectorEngine> engine(new VectorEngine(store, options));
  LAKE_RETURN_IF_ERROR(engine->Load());
  return engine;
}

Status VectorEngine::Load() {
  LAKE_ASSIGN_OR_RETURN(auto next_id, store_->Get(storage::Family::kCatalog, kNextIdKey));
  if (next_id) {
    storage::KeyReader reader(*next_id);
    next_collection_id_ = reader.ReadU32();
    if (!reader.done()) return Status::Corruption("catalog: next collection id is malformed");
  }

  Status decode_error;
  LAKE_RETURN_IF_ERROR(store_->ScanPrefix(
      storage::Family::kCatalog, kSpecKeyPrefix, [&](std::string_view key, std::string_view value) {
        Result<StoredSpec> stored = DecodeSpec(value);
        if (!stored.ok()) {
          decode_error = Status::Corruption("catalog entry '" + std::string(key) +
                                            "': " + stored.status().message());
          return false;
        }
        auto collection = std::make_shared<Collection>(stored->spec, stored->collection_id);
        collections_.emplace(stored->spec.name, std::move(collection));
        return true;
      }));
  LAKE_RETURN_IF_ERROR(decode_error);

  for (auto& [name, collection] : collections_) {
    LAKE_RETURN_IF_ERROR(LoadCollection(*collection));
  }
  return Status::Ok();
}

namespace {
// Visits every stored record of a collection in key order.
Status ForEachRecord(const storage::Store& store, std::uint32_t collection_id,
                     std::uint32_t dimension, const std::string& name,
                     const std::function<void(const RecordKey&, const VectorRecord&)>& visit) {
  Status decode_error;
  VectorRecord record;
  LAKE_RETURN_IF_ERROR(store.ScanPrefix(
      storage::Family::kVectors, CollectionKeyPrefix(collection_id),
      [&](std::string_view key, std::string_view value) {
        Result<RecordKey> record_key = DecodeRecordKey(key, collection_id);
        Status status = record_key.status();
        if (status.ok()) status = DecodeRecordValue(value, dimension, &record);
        if (!status.ok()) {
          decode_error = Status::Corruption("collection '" + name + "': " + status.message());
          return false;
        }
        visit(*record_key, record);
        return true;
      }));
  return decode_error;
}
}  // namespace

std::string VectorEngine::SnapshotPath(const Collection& collection) const {
  return store_->dir() + "/indexes/" + std::to_string(collection.id) + ".hnsw";
}

Status VectorEngine::LoadCollection(Collection& collection) {
  if (collection.spec.index.kind == IndexKind::kHnsw && options_.load_indexes) {
    LAKE_ASSIGN_OR_RETURN(const bool restored, RestoreFromSnapshot(collection));
    if (restored) return Status::Ok();
  }
  LAKE_RETURN_IF_ERROR(ForEachRecord(
      *store_, collection.id, collection.spec.dimension, collection.spec.name,
      [&](const RecordKey& key, const VectorRecord& record) {
        collection.table.Insert(key, record.tenant_id, record.embedding.data(), FieldsOf(record));
      }));
  if (options_.load_indexes) {
    collection.BuildIndex(options_.build_threads, {});
  } else {
    collection.hnsw.reset();
  }
  return Status::Ok();
}

Result<bool> VectorEngine::RestoreFromSnapshot(Collection& collection) {
  const std::string& name = collection.spec.name;
  Result<HnswSnapshot> snapshot = ReadHnswSnapshot(SnapshotPath(collection));
  if (!snapshot.ok()) {
    if (snapshot.status().code() == StatusCode::kNotFound) {
      Log(LogLevel::kInfo, "collection '" + name + "': no index snapshot; building the index");
    } else {
      Log(LogLevel::kWarning, "collection '" + name + "': " + snapshot.status().message() +
                                  "; rebuilding the index from the stored vectors");
    }
    return false;
  }
  if (!(snapshot->header == collection.SnapshotHeader(snapshot->header.sequence))) {
    Log(LogLevel::kWarning, "collection '" + name +
                                "': the index snapshot was made with other settings; "
                                "rebuilding the index");
    return false;
  }

  // Rows whose vector is unchanged go back to their slots; the rest is
  // replayed into the restored graph.
  std::unordered_map<RecordKey, std::uint32_t, RecordKeyHash> snapshot_slot;
  for (std::uint32_t slot = 0; slot < snapshot->slots.size(); ++slot) {
    if (snapshot->slots[slot].live) snapshot_slot.emplace(snapshot->slots[slot].key, slot);
  }
  VectorTable& table = collection.table;
  table.BeginRestore(static_cast<std::uint32_t>(snapshot->slots.size()));
  std::vector<std::pair<RecordKey, VectorRecord>> changed;
  LAKE_RETURN_IF_ERROR(ForEachRecord(
      *store_, collection.id, collection.spec.dimension, name,
      [&](const RecordKey& key, const VectorRecord& record) {
        auto found = snapshot_slot.find(key);
        if (found != snapshot_slot.end()) {
          const SnapshotSlot& slot = snapshot->slots[found->second];
          if (slot.tenant_id == record.tenant_id &&
              slot.fingerprint ==
                  VectorTable::Fingerprint(record.embedding.data(), collection.spec.dimension)) {
            table.InsertAt(found->second, key, record.tenant_id, record.embedding.data(),
                           FieldsOf(record));
            return;
          }
        }
        changed.emplace_back(key, record);
      }));
  table.FinishRestore();
  if (Status imported = collection.hnsw->ImportState(std::move(snapshot->graph)); !imported.ok()) {
    Log(LogLevel::kWarning, "collection '" + name + "': " + imported.message() +
                                "; rebuilding the index from the stored vectors");
    collection.table =
        VectorTable(collection.spec.dimension, collection.spec.metric, collection.spec.codec);
    return false;
  }
  for (const auto& [key, record] : changed) {
    collection.Index(
        table.Insert(key, record.tenant_id, record.embedding.data(), FieldsOf(record)));
  }
  Log(LogLevel::kInfo, "collection '" + name + "': index restored from the snapshot at sequence " +
                           std::to_string(snapshot->header.sequence) + ", " +
                           std::to_string(table.size()) + " rows, " +
                           std::to_string(changed.size()) + " changed rows replayed");
  return true;
}

// With snapshot_mutex_ held.
Status VectorEngine::WriteSnapshot(Collection& collection) {
  std::string encoded;
  {
    // A copy under the read lock (searches go on; writers wait for the
    // copy, not for the disk).
    std::shared_lock lock(collection.mutex);
    if (!collection.hnsw || collection.dropped) return Status::Ok();
    encoded = EncodeHnswSnapshot(collection.SnapshotHeader(store_->LatestSequence()),
                                 collection.table, *collection.hnsw);
    collection.rows_since_snapshot = 0;
  }
  return WriteHnswSnapshot(SnapshotPath(collection), encoded);
}

Status VectorEngine::SnapshotIndexes(bool changed_only) {
  std::lock_guard snapshots(snapshot_mutex_);
  std::vector<std::shared_ptr<Collection>> collections;
  {
    std::shared_lock lock(catalog_mutex_);
    for (const auto& [name, collection] : collections_)
      collections.push_back(collection);
  }
  for (const auto& collection : collections) {
    if (changed_only && collection->rows_since_snapshot == 0) continue;
    LAKE_RETURN_IF_ERROR(WriteSnapshot(*collection));
  }
  return Status::Ok();
}

Result<std::shared_ptr<VectorEngine::Collection>> VectorEngine::Find(std::string_view name) const {
  std::shared_lock lock(catalog_mutex_);
  auto found = collections_.find(std::string(name));
  if (found == collections_.end()) return UnknownCollection(name);
  return found->second;
}

Status VectorEngine::CreateCollection(const CollectionSpec& spec) {
  LAKE_RETURN_IF_ERROR(ValidateSpec(spec));
  std::unique_lock lock(catalog_mutex_);
  if (collections_.contains(spec.name)) {
    return Status::AlreadyExists("collection '" + spec.name + "' already exists");
  }
  const std::uint32_t id = next_collection_id_;
  std::string next_id;
  storage::AppendU32(&next_id, id + 1);
  storage::WriteBatch batch;
  batch.Put(storage::Family::kCatalog, SpecKey(spec.name), EncodeSpec(spec, id));
  batch.Put(storage::Family::kCatalog, kNextIdKey, next_id);
  LAKE_RETURN_IF_ERROR(store_->Write(batch, {.sync = true}));
  next_collection_id_ = id + 1;
  collections_.emplace(spec.name, std::make_shared<Collection>(spec, id));
  return Status::Ok();
}

Status VectorEngine::DropCollection(std::string_view name) {
  std::lock_guard snapshots(snapshot_mutex_);  // no snapshot file outlives the drop
  std::unique_lock lock(catalog_mutex_);
  auto found = collections_.find(std::string(name));
  if (found == collections_.end()) return UnknownCollection(name);
  const std::shared_ptr<Collection> collection = found->second;
  std::lock_guard writer(collection->write_mutex);
  std::unique_lock collection_lock(collection->mutex);
  storage::WriteBatch batch;
  batch.Delete(storage::Family::kCatalog, SpecKey(name));
  batch.DeleteRange(storage::Family::kVectors, CollectionKeyPrefix(collection->id),
                    CollectionKeyPrefix(collection->id + 1));
  LAKE_RETURN_IF_ERROR(store_->Write(batch, {.sync = true}));
  collection->dropped = true;
  std::error_code ignored;
  std::filesystem::remove(SnapshotPath(*collection), ignored);
  collections_.erase(found);
  return Status::Ok();
}

namespace {
CollectionInfo Describe(const CollectionSpec& spec, const VectorTable& table, const HnswIndex* hnsw,
                        const IvfIndex* ivf) {
  CollectionInfo info;
  info.spec = spec;
  info.record_count = table.size();
  info.model_versions.assign(table.version_counts().begin(), table.version_counts().end());
  info.table_bytes = table.MemoryBytes();
  info.index_bytes = (hnsw ? hnsw->MemoryBytes() : 0) + (ivf ? ivf->MemoryBytes() : 0);
  info.walked_bytes_per_row = table.WalkedBytesPerRow();
  return info;
}
}  // namespace

std::vector<CollectionInfo> VectorEngine::ListCollections() const {
  std::shared_lock lock(catalog_mutex_);
  std::vector<CollectionInfo> infos;
  for (const auto& [name, collection] : collections_) {
    std::shared_lock collection_lock(collection->mutex);
    infos.push_back(Describe(collection->spec, collection->table, collection->hnsw.get(),
                             collection->ivf.get()));
  }
  std::sort(infos.begin(), infos.end(), [](const CollectionInfo& a, const CollectionInfo& b) {
    return a.spec.name < b.spec.name;
  });
  return infos;
}

Result<CollectionInfo> VectorEngine::DescribeCollection(std::string_view name) const {
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::shared_lock lock(collection->mutex);
  return Describe(collection->spec, collection->table, collection->hnsw.get(),
                  collection->ivf.get());
}

Status VectorEngine::RebuildIndex(std::string_view name, const IndexSettings& settings, int threads,
                                  const std::function<void(std::size_t, std::size_t)>& progress) {
  // Locks in the engine's order: snapshots, catalog, writer, collection.
  std::lock_guard snapshots(snapshot_mutex_);
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::lock_guard writer(collection->write_mutex);
  std::unique_lock lock(collection->mutex);
  if (collection->dropped) return UnknownCollection(name);
  const std::string name_copy(name);
  CollectionSpec spec = collection->spec;
  spec.index = settings;
  LAKE_RETURN_IF_ERROR(ValidateSpec(spec));
  LAKE_RETURN_IF_ERROR(store_->Put(storage::Family::kCatalog, SpecKey(name),
                                   EncodeSpec(spec, collection->id), {.sync = true}));
  const bool walk_changed = spec.index.hnsw_walk_int8 != collection->spec.index.hnsw_walk_int8;
  collection->spec = std::move(spec);
  if (walk_changed) {  // the table must grow or drop its int8 codes
    collection->table = MakeTable(collection->spec);
    LAKE_RETURN_IF_ERROR(
        ForEachRecord(*store_, collection->id, collection->spec.dimension, name_copy,
                      [&](const RecordKey& key, const VectorRecord& record) {
                        collection->table.Insert(key, record.tenant_id, record.embedding.data(),
                                                 FieldsOf(record));
                      }));
  }
  collection->BuildIndex(std::max(threads, 1), progress);
  lock.unlock();  // writers still wait (write_mutex); searches may go on
  return WriteSnapshot(*collection);
}

Status VectorEngine::SetActiveModelVersion(std::string_view name, std::int32_t version) {
  if (version < 1) {
    return Status::InvalidArgument("model version must be positive, got " +
                                   std::to_string(version));
  }
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::lock_guard writer(collection->write_mutex);
  std::unique_lock lock(collection->mutex);
  if (collection->dropped) return UnknownCollection(name);
  CollectionSpec spec = collection->spec;
  spec.active_model_version = version;
  LAKE_RETURN_IF_ERROR(store_->Put(storage::Family::kCatalog, SpecKey(name),
                                   EncodeSpec(spec, collection->id), {.sync = true}));
  collection->spec = std::move(spec);
  return Status::Ok();
}

Status VectorEngine::Upsert(std::string_view name, std::span<VectorRecord> records,
                            const storage::WriteOptions& options,
                            std::optional<std::int64_t> tenant) {
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::lock_guard writer(collection->write_mutex);  // the table only changes under it
  if (collection->dropped) return UnknownCollection(name);
  LAKE_RETURN_IF_ERROR(CheckRecords(*collection, records, tenant));
  const std::int64_t now = NowMicros();
  for (VectorRecord& record : records) {
    if (tenant) record.tenant_id = *tenant;
    if (record.metadata_json.empty()) record.metadata_json = "{}";
  }
  storage::WriteBatch batch;
  for (VectorRecord& record : records) {
    record.model_version = collection->ResolveVersion(record.model_version);
    if (record.created_at_us == 0) record.created_at_us = now;
    batch.Put(storage::Family::kVectors,
              EncodeRecordKey(collection->id, {record.id, record.model_version}),
              EncodeRecordValue(record));
  }
  LAKE_RETURN_IF_ERROR(store_->Write(batch, options));
  collection->rows_since_snapshot += records.size();
  if (collection->ivf) {
    // IVF trains on the rows it sees once there are enough: rows go in one
    // at a time, visible as they go.
    for (const VectorRecord& record : records) {
      std::unique_lock lock(collection->mutex);
      if (const std::optional<std::uint32_t> slot = collection->Replace(record))
        collection->Index(*slot);
    }
    return Status::Ok();
  }
  ShowTogether(*collection, records);
  return Status::Ok();
}

void VectorEngine::ShowTogether(Collection& collection,
                                std::span<const VectorRecord> records) const {
  VectorTable& table = collection.table;
  std::vector<std::uint32_t> hidden;
  // Rows whose vector stays but whose created_at or metadata change.
  std::vector<std::pair<std::uint32_t, const VectorRecord*>> refreshed;
  {
    std::unique_lock lock(collection.mutex);
    // Later records of the batch win.
    std::unordered_map<RecordKey, std::size_t, RecordKeyHash> last;
    for (std::size_t i = 0; i < records.size(); ++i)
      last[{records[i].id, records[i].model_version}] = i;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const VectorRecord& record = records[i];
      const RecordKey key{record.id, record.model_version};
      if (last[key] != i) continue;
      // The same vector for the same tenant: nothing a search sees changes.
      const std::optional<std::uint32_t> old = table.Find(key);
      if (old && table.tenant(*old) == record.tenant_id &&
          table.Holds(*old, record.embedding.data())) {
        refreshed.emplace_back(*old, &record);
        continue;
      }
      hidden.push_back(
          table.InsertHidden(key, record.tenant_id, record.embedding.data(), FieldsOf(record)));
    }
    if (collection.hnsw) collection.hnsw->Reserve(table.slot_count());
  }
  if (collection.hnsw) Link(collection, hidden);
  std::unique_lock lock(collection.mutex);
  for (std::uint32_t slot : hidden) {
    table.Remove(table.key(slot));  // the row it replaces stays in the graph as a tombstone
    table.Show(slot);
  }
  for (const auto& [slot, record] : refreshed)
    table.Refresh(slot, FieldsOf(*record));
}

void VectorEngine::Link(Collection& collection, std::vector<std::uint32_t> slots) const {
  // New nodes on several threads when there are many; nodes that move (a
  // slot that held another vector) one at a time, as each repairs the
  // lists around its old place.
  std::vector<std::uint32_t> moved;
  std::erase_if(slots, [&](std::uint32_t slot) {
    const bool relink = collection.hnsw->linked(slot);
    if (relink) moved.push_back(slot);
    return relink;
  });
  const int threads = slots.size() >= kParallelIndexRows ? options_.build_threads : 1;
  // A slice at a time, so that searches interleave.
  for (std::size_t first = 0; first < slots.size(); first += kParallelIndexSlice) {
    const std::vector<std::uint32_t> slice(
        slots.begin() + std::ptrdiff_t(first),
        slots.begin() + std::ptrdiff_t(std::min(slots.size(), first + kParallelIndexSlice)));
    std::unique_lock lock(collection.mutex);
    collection.hnsw->AddParallel(slice, threads, {});
  }
  for (std::size_t first = 0; first < moved.size(); first += kParallelIndexSlice) {
    std::unique_lock lock(collection.mutex);
    for (std::size_t i = first; i < std::min(moved.size(), first + kParallelIndexSlice); ++i)
      collection.hnsw->Add(moved[i]);
  }
}

Status VectorEngine::CheckRecords(const Collection& collection,
                                  std::span<const VectorRecord> records,
                                  std::optional<std::int64_t> tenant) const {
  for (const VectorRecord& record : records) {
    LAKE_RETURN_IF_ERROR(CheckRecord(record, collection.spec.dimension));
    if (tenant && record.tenant_id != 0 && record.tenant_id != *tenant) {
      return Status::PermissionDenied("id " + std::to_string(record.id) + " is for tenant " +
                                      std::to_string(record.tenant_id) +
                                      ": a tenant writes only its own rows");
    }
    if (tenant && !collection.OwnedBy(record.id, *tenant)) {
      return Status::InvalidArgument("id " + std::to_string(record.id) +
                                     " is in use by another tenant");
    }
  }
  return Status::Ok();
}

Status VectorEngine::CheckUpsert(std::string_view name, std::span<const VectorRecord> records,
                                 std::optional<std::int64_t> tenant) const {
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::lock_guard writer(collection->write_mutex);
  if (collection->dropped) return UnknownCollection(name);
  return CheckRecords(*collection, records, tenant);
}

Result<std::optional<VectorRecord>> VectorEngine::Get(std::string_view name, std::int64_t id,
                                                      std::int32_t model_version,
                                                      std::optional<std::int64_t> tenant) const {
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::int32_t version;
  {
    std::shared_lock lock(collection->mutex);
    version = collection->ResolveVersion(model_version);
  }
  LAKE_ASSIGN_OR_RETURN(auto value, store_->Get(storage::Family::kVectors,
                                                EncodeRecordKey(collection->id, {id, version})));
  if (!value) return std::optional<VectorRecord>();
  VectorRecord record;
  record.id = id;
  record.model_version = version;
  if (Status status = DecodeRecordValue(*value, collection->spec.dimension, &record);
      !status.ok()) {
    return Status::Corruption("collection '" + std::string(name) + "', record " +
                              std::to_string(id) + ": " + status.message());
  }
  if (tenant && record.tenant_id != *tenant) return std::optional<VectorRecord>();
  return std::optional<VectorRecord>(std::move(record));
}

Result<std::size_t> VectorEngine::Delete(std::string_view name, std::span<const std::int64_t> ids,
                                         std::optional<std::int32_t> model_version,
                                         const storage::WriteOptions& options,
                                         std::optional<std::int64_t> tenant) {
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::lock_guard writer(collection->write_mutex);  // the table only changes under it
  if (collection->dropped) return UnknownCollection(name);
  std::vector<RecordKey> removed;
  storage::WriteBatch batch;
  for (std::int64_t id : ids) {
    std::vector<std::int32_t> versions =
        model_version ? std::vector<std::int32_t>{collection->ResolveVersion(*model_version)}
                      : collection->table.VersionsOf(id);
    for (std::int32_t version : versions) {
      const auto slot = collection->table.Find({id, version});
      if (!slot || (tenant && collection->table.tenant(*slot) != *tenant)) continue;
      batch.Delete(storage::Family::kVectors, EncodeRecordKey(collection->id, {id, version}));
      removed.push_back({id, version});
    }
  }
  if (removed.empty() && options.also == nullptr) return std::size_t{0};
  LAKE_RETURN_IF_ERROR(store_->Write(batch, options));
  std::unique_lock lock(collection->mutex);
  std::size_t count = 0;
  for (const RecordKey& key : removed)
    count += collection->table.Remove(key) ? 1 : 0;
  return count;
}

Result<std::vector<VectorRecord>> VectorEngine::ScanRecords(std::string_view name,
                                                            const RecordScan& scan) const {
  if (scan.limit > kMaxScanPage)
    return Status::InvalidArgument("a scan page holds at most " + std::to_string(kMaxScanPage) +
                                   " records, not " + std::to_string(scan.limit));
  LAKE_RETURN_IF_ERROR(CheckConditions(scan.conditions));
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  // The in-memory table knows every live key and its tenant: pick the page's
  // keys there, then read just those records.
  std::vector<RecordKey> keys;
  {
    std::shared_lock lock(collection->mutex);
    const VectorTable& table = collection->table;
    const SlotPredicate predicate(
        table, RowFilter{scan.tenant_id, scan.model_version, scan.ids, scan.conditions});
    const auto take = [&](std::uint32_t slot) {
      const RecordKey& key = table.key(slot);
      if (!scan.after || std::pair(key.id, key.model_version) > *scan.after) keys.push_back(key);
    };
    if (const auto few = predicate.FewSlots()) {
      for (std::uint32_t slot : *few)
        take(slot);
    } else {
      for (std::uint32_t slot = 0; slot < table.slot_count(); ++slot) {
        if (predicate.Passes(slot)) take(slot);
      }
    }
  }
  const auto by_key = [](const RecordKey& a, const RecordKey& b) {
    return std::pair(a.id, a.model_version) < std::pair(b.id, b.model_version);
  };
  if (keys.size() > scan.limit) {
    std::nth_element(keys.begin(), keys.begin() + std::ptrdiff_t(scan.limit), keys.end(), by_key);
    keys.resize(scan.limit);
  }
  std::sort(keys.begin(), keys.end(), by_key);
  std::vector<std::string> encoded;
  encoded.reserve(keys.size());
  for (const RecordKey& key : keys)
    encoded.push_back(EncodeRecordKey(collection->id, key));
  LAKE_ASSIGN_OR_RETURN(auto values, store_->MultiGet(storage::Family::kVectors, encoded));
  std::vector<VectorRecord> records;
  records.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!values[i]) continue;  // deleted since the keys were picked
    VectorRecord record;
    record.id = keys[i].id;
    record.model_version = keys[i].model_version;
    LAKE_RETURN_IF_ERROR(DecodeRecordValue(*values[i], collection->spec.dimension, &record));
    if (!scan.with_embeddings) record.embedding.clear();
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::size_t> VectorEngine::CountTenantRows(std::string_view name,
                                                  std::int64_t tenant) const {
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::shared_lock lock(collection->mutex);
  return collection->table.TenantRowCount(tenant);
}

Result<std::vector<std::int64_t>> VectorEngine::SampleIds(std::string_view name,
                                                          std::size_t count) const {
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::shared_lock lock(collection->mutex);
  const VectorTable& table = collection->table;
  std::vector<std::int64_t> ids;
  if (count == 0) return ids;
  const std::uint32_t step = std::max<std::uint32_t>(1, table.slot_count() / std::uint32_t(count));
  for (std::uint32_t slot = 0; slot < table.slot_count() && ids.size() < count; slot += step) {
    if (table.live(slot)) ids.push_back(table.key(slot).id);
  }
  return ids;
}

Status VectorEngine::CheckConditions(const RecordConditions& conditions) {
  std::size_t values = conditions.tenant_ids.size() + conditions.model_versions.size();
  for (const MetadataText& text : conditions.metadata_texts)
    values += text.texts.size();
  if (values > kMaxConditionValues)
    return Status::InvalidArgument("a filter lists at most " + std::to_string(kMaxConditionValues) +
                                   " values");
  for (const std::string& object : conditions.metadata_contains) {
    if (!IsJsonObject(object))
      return Status::InvalidArgument("a metadata containment filter must be a JSON object, not " +
                                     object.substr(0, 64));
  }
  return Status::Ok();
}

Status VectorEngine::CheckLimits(const SearchRequest& request) {
  if (request.returned > kMaxSearchK * 100)
    return Status::InvalidArgument("an ordered search pages through at most " +
                                   std::to_string(kMaxSearchK * 100) + " rows");
  if (request.k == 0 || request.k > kMaxSearchK)
    return Status::InvalidArgument("k must be from 1 to " + std::to_string(kMaxSearchK) + ", not " +
                                   std::to_string(request.k) + " (for more rows, scan and sort)");
  if (request.ef_search > kMaxEfSearch || request.probes > kMaxEfSearch)
    return Status::InvalidArgument("ef_search and probes may be at most " +
                                   std::to_string(kMaxEfSearch));
  return Status::Ok();
}

Result<std::vector<Neighbor>> VectorEngine::Search(std::string_view name,
                                                   std::span<const float> query,
                                                   const SearchRequest& request) const {
  LAKE_ASSIGN_OR_RETURN(auto results, SearchBatch(name, query, request));
  return std::move(results.front());
}

Result<std::vector<Candidate>> VectorEngine::Rerank(const Collection& collection,
                                                    const QueryVector& query,
                                                    std::vector<Candidate> candidates,
                                                    std::size_t k) const {
  std::vector<std::string> keys;
  keys.reserve(candidates.size());
  for (const Candidate& candidate : candidates) {
    keys.push_back(EncodeRecordKey(collection.id, collection.table.key(candidate.row)));
  }
  LAKE_ASSIGN_OR_RETURN(auto values, store_->MultiGet(storage::Family::kVectors, keys));
  VectorRecord record;
  TopK top(k);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!values[i]) continue;  // deleted in the store, not yet in memory
    LAKE_RETURN_IF_ERROR(DecodeRecordValue(*values[i], collection.spec.dimension, &record));
    top.Push({collection.table.ExactScore(query, record.embedding.data()), candidates[i].id,
              candidates[i].row});
  }
  return top.TakeSorted();
}

namespace {

// The rows of an ordered search's page: those after the last one returned,
// at most k.
std::vector<Neighbor> After(std::vector<Neighbor> neighbors, const SearchRequest& request) {
  if (request.after) {
    const Neighbor& last = *request.after;
    std::erase_if(neighbors, [&](const Neighbor& n) {
      return std::tuple(n.distance, n.id, n.model_version) <=
             std::tuple(last.distance, last.id, last.model_version);
    });
  }
  if (neighbors.size() > request.k) neighbors.resize(request.k);
  return neighbors;
}

}  // namespace

Result<std::vector<std::vector<Neighbor>>> VectorEngine::SearchInMetric(
    const Collection& collection, Metric metric, std::span<const float> queries, std::size_t k,
    const SlotPredicate& predicate, const SearchRequest& request) const {
  const VectorTable& table = collection.table;
  const std::uint32_t dimension = table.dimension();
  // Rows in memory that are not float32 give estimates: 2k (at least 32)
  // are scored again from the float32 truth.
  const bool exact_rows_in_memory = table.codec() == Codec::kFloat32;
  // Exact scores skip what earlier pages returned; estimates keep it and
  // After drops it once the scores are exact.
  const Neighbor* after = exact_rows_in_memory && request.after ? &*request.after : nullptr;
  const std::size_t wanted = after != nullptr       ? request.k
                             : exact_rows_in_memory ? k
                                                    : std::max(k * kRerankFactor, kMinRerank);
  std::vector<std::vector<Neighbor>> results;
  for (std::size_t q = 0; q < queries.size() / dimension; ++q) {
    const float* query = queries.data() + q * dimension;
    std::vector<Candidate> found =
        ExactCandidatesIn(metric, table, query, wanted, predicate, after);
    LAKE_RETURN_IF_ERROR(CheckInterrupt());  // what a cancelled scan found is partial
    if (!exact_rows_in_memory) {
      std::vector<std::string> keys;
      for (const Candidate& candidate : found)
        keys.push_back(EncodeRecordKey(collection.id, table.key(candidate.row)));
      LAKE_ASSIGN_OR_RETURN(auto values, store_->MultiGet(storage::Family::kVectors, keys));
      VectorRecord record;
      TopK top(k);
      for (std::size_t i = 0; i < found.size(); ++i) {
        if (!values[i]) continue;  // deleted in the store, not yet in memory
        LAKE_RETURN_IF_ERROR(DecodeRecordValue(*values[i], dimension, &record));
        top.Push({ScoreIn(metric, query, record.embedding.data(), dimension), found[i].id,
                  found[i].row});
      }
      found = top.TakeSorted();
    }
    std::vector<Neighbor> neighbors;
    for (const Candidate& candidate : found) {
      neighbors.push_back({candidate.id, table.key(candidate.row).model_version,
                           DistanceIn(metric, candidate.score)});
    }
    results.push_back(After(std::move(neighbors), request));
  }
  return results;
}

Result<std::vector<std::vector<Neighbor>>> VectorEngine::SearchBatch(
    std::string_view name, std::span<const float> queries, const SearchRequest& request) const {
  LAKE_RETURN_IF_ERROR(CheckLimits(request));
  LAKE_RETURN_IF_ERROR(CheckConditions(request.conditions));
  LAKE_ASSIGN_OR_RETURN(auto collection, Find(name));
  std::shared_lock lock(collection->mutex);
  const std::uint32_t dimension = collection->spec.dimension;
  if (request.dimension != 0 && request.dimension != dimension) {
    return Status::InvalidArgument("expected " + std::to_string(dimension) + " dimensions, got " +
                                   std::to_string(request.dimension));
  }
  if (queries.empty() || queries.size() % dimension != 0) {
    return Status::InvalidArgument("expected " + std::to_string(dimension) +
                                   " dimensions per query, got " + std::to_string(queries.size()) +
                                   " values");
  }
  const std::size_t count = queries.size() / dimension;
  if (count > kMaxQueriesPerSearch)
    return Status::InvalidArgument("a search holds at most " +
                                   std::to_string(kMaxQueriesPerSearch) + " queries, not " +
                                   std::to_string(count));
  std::vector<QueryVector> prepared;
  prepared.reserve(count);
  for (std::size_t q = 0; q < count; ++q) {
    const auto query = queries.subspan(q * dimension, dimension);
    if (Status status = ValidateEmbedding(query, dimension); !status.ok()) {
      return Status::InvalidArgument("query " + std::to_string(q) + ": " + status.message());
    }
    prepared.push_back(collection->table.PrepareQuery(query.data()));
  }

  const VectorTable& table = collection->table;
  // A version list replaces the active version.
  std::optional<std::int32_t> version = collection->ResolveVersion(request.model_version);
  if (request.model_version == 0 && !request.conditions.model_versions.empty()) version.reset();
  const SlotPredicate predicate(
      table, RowFilter{request.tenant_id, version, request.allowed_ids, request.conditions});
  // The next page of an ordered search asks for the rows already returned
  // too, and drops them.
  const std::size_t k = request.k + request.returned;
  if (request.metric && *request.metric != table.metric())
    return SearchInMetric(*collection, *request.metric, queries, k, predicate, request);
  const bool use_index =
      collection->indexed() && request.method != SearchMethod::kExact && k <= kMaxSearchK &&
      (request.method == SearchMethod::kIndex || predicate.EstimatedMatches() > kExactScanMaxRows);
  const std::size_t ef = request.ef_search
                             ? request.ef_search
                             : static_cast<std::size_t>(collection->spec.index.hnsw_ef_search);
  // Candidate scores are estimates when the rows in memory are float16 or
  // int8, or when the index reads codes (HNSW walking int8, IVFPQ); then 2k
  // (IVFPQ: 8k) candidates are re-scored exactly and the best k kept.
  const bool product_quantized = use_index && collection->spec.index.kind == IndexKind::kIvfPq;
  const bool index_estimates =
      use_index && (product_quantized || (collection->hnsw && table.walk_codec() != table.codec()));
  const bool exact_rows_in_memory = table.codec() == Codec::kFloat32;
  const bool rerank = !exact_rows_in_memory || index_estimates;
  std::size_t wanted = !rerank ? k : k * (product_quantized ? kPqRerankFactor : kRerankFactor);
  if (rerank && exact_rows_in_memory) wanted = std::max(wanted, kMinRerank);
  const std::size_t probes =
      request.probes ? request.probes : std::size_t(collection->spec.index.ivf_probes);
  // Exact scans over exact rows skip what earlier pages returned (an index
  // walk asks for them too and After drops them).
  const Neighbor* after = exact_rows_in_memory && request.after ? &*request.after : nullptr;

  std::vector<std::vector<Candidate>> candidates;
  if (use_index && collection->hnsw) {
    for (const QueryVector& query : prepared) {
      LAKE_RETURN_IF_ERROR(CheckInterrupt());
      candidates.push_back(
          collection->hnsw->Search(query, wanted, std::max(ef, wanted), predicate));
    }
  } else if (use_index) {
    for (const QueryVector& query : prepared) {
      LAKE_RETURN_IF_ERROR(CheckInterrupt());
      LAKE_ASSIGN_OR_RETURN(auto found, collection->ivf->Search(query, wanted, probes, predicate));
      candidates.push_back(std::move(found));
    }
  } else {
    candidates = ExactCandidatesBatch(table, prepared, after != nullptr ? request.k : wanted,
                                      predicate, after);
  }
  LAKE_RETURN_IF_ERROR(CheckInterrupt());  // what a cancelled scan found is partial

  std::vector<std::vector<Neighbor>> results;
  results.reserve(count);
  for (std::size_t q = 0; q < count; ++q) {
    if (rerank && !exact_rows_in_memory) {  // from the float32 truth in RocksDB
      LAKE_ASSIGN_OR_RETURN(candidates[q],
                            Rerank(*collection, prepared[q], std::move(candidates[q]), k));
    } else if (rerank) {  // from the float32 rows in memory
      TopK top(k);
      for (const Candidate& c : candidates[q])
        top.Push({table.Score(prepared[q], c.row), c.id, c.row});
      candidates[q] = top.TakeSorted();
    }
    results.push_back(After(ToNeighbors(table, candidates[q]), request));
    // A walk may come up short of k rows (after `after`) while more pass:
    // then the page comes from an exact scan, so that a short page always
    // means there is no more.
    if (use_index && results.back().size() < request.k) {
      std::vector<Candidate> exact =
          ExactCandidates(table, prepared[q],
                          after != nullptr       ? request.k
                          : exact_rows_in_memory ? k
                                                 : std::max(k * kRerankFactor, kMinRerank),
                          predicate, after);
      if (!exact_rows_in_memory) {
        LAKE_ASSIGN_OR_RETURN(exact, Rerank(*collection, prepared[q], std::move(exact), k));
      }
      results.back() = After(ToNeighbors(table, exact), request);
    }
  }
  return results;
}

}  // namespace lake::vectors
