#include "storage/store.h"

#include <filesystem>
#include <system_error>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "storage/key_codec.h"

namespace lake::storage {

namespace {

constexpr std::string_view kFamilyNames[kFamilyCount] = {"catalog", "vectors", "series",
                                                         "head",    "chunks",  "rollups"};

}  // namespace

std::string_view FamilyName(Family family) {
  return kFamilyNames[static_cast<int>(family)];
}

namespace {

Status FromRocks(const rocksdb::Status& status, std::string_view context) {
  if (status.ok()) return Status::Ok();
  std::string message = std::string(context) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(message);
  if (status.IsNotFound()) return Status::NotFound(message);
  if (status.IsInvalidArgument()) return Status::InvalidArgument(message);
  if (status.IsIOError()) return Status::IOError(message);
  return Status::Internal(message);
}

// RocksDB reports a held LOCK file as an I/O error; say what it means.
bool IsLockHeld(const rocksdb::Status& status) {
  const std::string text = status.ToString();
  return status.IsIOError() &&
         (text.find("lock") != std::string::npos || text.find("LOCK") != std::string::npos);
}

}  // namespace

// Family handles belong to an open Store, so a batch records its operations
// by family and binds them when it is written.
struct WriteBatch::Impl {
  struct Op {
    enum Kind { kPut, kDelete, kDeleteRange } kind;
    Family family;
    std::string a, b;
  };
  std::vector<Op> ops;
};

WriteBatch::WriteBatch() : impl_(std::make_unique<Impl>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(Family family, std::string_view key, std::string_view value) {
  impl_->ops.push_back({Impl::Op::kPut, family, std::string(key), std::string(value)});
}
void WriteBatch::Delete(Family family, std::string_view key) {
  impl_->ops.push_back({Impl::Op::kDelete, family, std::string(key), {}});
}
void WriteBatch::DeleteRange(Family family, std::string_view begin, std::string_view end) {
  impl_->ops.push_back({Impl::Op::kDeleteRange, family, std::string(begin), std::string(end)});
}
std::size_t WriteBatch::Count() const {
  return impl_->ops.size();
}

struct Snapshot::Impl {
  rocksdb::DB* db;
  const rocksdb::Snapshot* snapshot;
};

struct Store::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;  // indexed by Family
  std::shared_ptr<rocksdb::Cache> block_cache;

  rocksdb::ColumnFamilyHandle* handle(Family family) const {
    return families[static_cast<int>(family)];
  }

  static rocksdb::ReadOptions ToRocks(const ReadOptions& options) {
    rocksdb::ReadOptions read_options;
    read_options.fill_cache = options.fill_cache;
    if (options.snapshot != nullptr) read_options.snapshot = options.snapshot->impl_->snapshot;
    return read_options;
  }

  ~Impl() {
    if (db) {
      for (auto* family : families)
        db->DestroyColumnFamilyHandle(family);
      db->Close().PermitUncheckedError();
    }
  }
};

Snapshot::Snapshot(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Snapshot::~Snapshot() {
  impl_->db->ReleaseSnapshot(impl_->snapshot);
}

std::shared_ptr<const Snapshot> Store::TakeSnapshot() const {
  auto impl = std::make_unique<Snapshot::Impl>(Snapshot::Impl{impl_->db.get(), nullptr});
  impl->snapshot = impl_->db->GetSnapshot();
  return std::shared_ptr<const Snapshot>(new Snapshot(std::move(impl)));
}

Store::Store(std::string dir, std::unique_ptr<Impl> impl)
    : dir_(std::move(dir)), impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  std::error_code error;
  const std::filesystem::path db_path = std::filesystem::path(dir) / "db";
  if (options.create_if_missing) {
    std::filesystem::create_directories(db_path, error);
    if (error) {
      return Status::IOError("cannot create data directory " + db_path.string() + ": " +
                             error.message());
    }
  } else if (!std::filesystem::exists(db_path, error)) {
    return Status::NotFound("no lake data directory at " + dir);
  }

  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_open_files = 512;

  rocksdb::BlockBasedTableOptions table_options;
  auto impl = std::make_unique<Impl>();
  impl->block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table_options.block_cache = impl->block_cache;
  rocksdb::ColumnFamilyOptions family_options;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  family_options.bottommost_compression = rocksdb::kZSTD;

  // Float vectors do not compress; decompressing them would tax every
  // re-ranking read. Time-series chunks are compressed by our own codecs,
  // and head records live for minutes: compressing them is wasted work.
  rocksdb::ColumnFamilyOptions raw_options = family_options;
  raw_options.compression = rocksdb::kNoCompression;
  raw_options.bottommost_compression = rocksdb::kNoCompression;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
  for (int i = 0; i < kFamilyCount; ++i) {
    const Family family = static_cast<Family>(i);
    const bool raw =
        family == Family::kVectors || family == Family::kChunks || family == Family::kHead;
    descriptors.emplace_back(std::string(kFamilyNames[i]), raw ? raw_options : family_options);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  const rocksdb::Status status =
      rocksdb::DB::Open(db_options, db_path.string(), descriptors, &handles, &raw_db);
  if (!status.ok()) {
    if (IsLockHeld(status)) {
      return Status::Busy("data directory " + dir +
                          " is in use by another lake process (its LOCK file is held)");
    }
    return FromRocks(status, "cannot open data directory " + dir);
  }
  impl->db.reset(raw_db);
  // Handle 0 is the default family, which the engine does not use.
  raw_db->DestroyColumnFamilyHandle(handles[0]);
  impl->families.assign(handles.begin() + 1, handles.end());
  return std::unique_ptr<Store>(new Store(dir, std::move(impl)));
}

Status Store::Write(WriteBatch& batch, const WriteOptions& options) {
  rocksdb::WriteBatch rocks_batch;
  for (const WriteBatch* part : {static_cast<const WriteBatch*>(&batch), options.also}) {
    if (part == nullptr) continue;
    for (const auto& op : part->impl_->ops) {
      rocksdb::Status status;
      auto* family = impl_->handle(op.family);
      switch (op.kind) {
        case WriteBatch::Impl::Op::kPut:
          status = rocks_batch.Put(family, op.a, op.b);
          break;
        case WriteBatch::Impl::Op::kDelete:
          status = rocks_batch.Delete(family, op.a);
          break;
        case WriteBatch::Impl::Op::kDeleteRange:
          status = rocks_batch.DeleteRange(family, op.a, op.b);
          break;
      }
      LAKE_RETURN_IF_ERROR(FromRocks(status, "cannot build write batch"));
    }
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options.sync;
  return FromRocks(impl_->db->Write(write_options, &rocks_batch), "write failed");
}

Status Store::Put(Family family, std::string_view key, std::string_view value,
                  const WriteOptions& options) {
  WriteBatch batch;
  batch.Put(family, key, value);
  return Write(batch, options);
}

Result<std::optional<std::string>> Store::Get(Family family, std::string_view key) const {
  std::string value;
  const rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->handle(family), key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  LAKE_RETURN_IF_ERROR(FromRocks(status, "read failed"));
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<std::optional<std::string>>> Store::MultiGet(
    Family family, const std::vector<std::string>& keys, const ReadOptions& options) const {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(Impl::ToRocks(options), impl_->handle(family), keys.size(), slices.data(),
                      values.data(), statuses.data());
  std::vector<std::optional<std::string>> results(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    LAKE_RETURN_IF_ERROR(FromRocks(statuses[i], "read failed"));
    results[i].emplace(values[i].data(), values[i].size());
  }
  return results;
}

Status Store::Scan(Family family, std::string_view begin, std::string_view end,
                   const Visitor& visit, const ReadOptions& options) const {
  rocksdb::ReadOptions read_options = Impl::ToRocks(options);
  rocksdb::Slice upper(end.data(), end.size());
  if (!end.empty()) read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(read_options, impl_->handle(family)));
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    if (!visit(std::string_view(key.data(), key.size()),
               std::string_view(value.data(), value.size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan failed");
}

Status Store::ScanPrefix(Family family, std::string_view prefix, const Visitor& visit,
                         const ReadOptions& options) const {
  const std::optional<std::string> end = PrefixSuccessor(prefix);
  return Scan(family, prefix, end.value_or(std::string()), visit, options);
}

Status Store::Checkpoint(const std::string& target_dir) {
  std::error_code error;
  if (std::filesystem::exists(target_dir, error)) {
    return Status::AlreadyExists("checkpoint target " + target_dir + " already exists");
  }
  std::filesystem::create_directories(target_dir, error);
  if (error) {
    return Status::IOError("cannot create checkpoint directory " + target_dir + ": " +
                           error.message());
  }
  rocksdb::Checkpoint* raw = nullptr;
  LAKE_RETURN_IF_ERROR(
      FromRocks(rocksdb::Checkpoint::Create(impl_->db.get(), &raw), "cannot start checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  const std::string db_copy = (std::filesystem::path(target_dir) / "db").string();
  return FromRocks(checkpoint->CreateCheckpoint(db_copy),
                   "checkpoint to " + target_dir + " failed");
}

Status Store::Compact() {
  for (auto* family : impl_->families) {
    LAKE_RETURN_IF_ERROR(
        FromRocks(impl_->db->Flush(rocksdb::FlushOptions(), family), "flush failed"));
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    LAKE_RETURN_IF_ERROR(
        FromRocks(impl_->db->CompactRange(options, family, nullptr, nullptr), "compaction failed"));
  }
  return Status::Ok();
}

StoreUsage Store::Usage() const {
  StoreUsage usage;
  for (int i = 0; i < kFamilyCount; ++i) {
    std::uint64_t value = 0;
    auto* family = impl_->families[i];
    if (impl_->db->GetIntProperty(family, rocksdb::DB::Properties::kTotalSstFilesSize, &value))
      usage.sst_bytes[i] = value;
    if (impl_->db->GetIntProperty(family, rocksdb::DB::Properties::kSizeAllMemTables, &value))
      usage.memtable_bytes += value;
  }
  usage.block_cache_used = impl_->block_cache->GetUsage();
  usage.block_cache_capacity = impl_->block_cache->GetCapacity();
  return usage;
}

std::uint64_t Store::LatestSequence() const {
  return impl_->db->GetLatestSequenceNumber();
}

}  // namespace lake::storage
