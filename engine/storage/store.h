// The engine's one RocksDB database: a data directory with a column family per
// kind of data. RocksDB stays behind this interface; callers see Status values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lake::storage {

// Column families; the numbering is internal, the names are on disk.
enum class Family : int {
  kCatalog = 0,  // collection and series definitions, counters
  kVectors,      // vector records: the truth every vector index derives from
  kSeries,       // series id <-> tenant, metric, tags; tag index
  kHead,         // time-series points not yet sealed into chunks
  kChunks,       // sealed, compressed time-series chunks
  kRollups,      // continuous-aggregate buckets
};
inline constexpr int kFamilyCount = 6;
std::string_view FamilyName(Family family);

struct StoreOptions {
  bool create_if_missing = true;
  std::size_t block_cache_bytes = std::size_t{256} << 20;
};

class WriteBatch;

struct WriteOptions {
  // false: durable against a crash of the process (the WAL reaches the OS
  // before the write returns); true: also against power loss (fsync).
  bool sync = false;
  // Written in the same atomic batch as the write (a caller's record that
  // the write happened, through an engine that makes the batch).
  const WriteBatch* also = nullptr;
};

// What the database holds and uses, for stats.
struct StoreUsage {
  std::uint64_t sst_bytes[kFamilyCount] = {};  // on disk, per family
  std::uint64_t memtable_bytes = 0;
  std::uint64_t block_cache_used = 0;
  std::uint64_t block_cache_capacity = 0;
};

class Store;

// A consistent point-in-time view for reads; released when the last holder
// lets go (it pins RocksDB's memtables and files, so hold it briefly).
class Snapshot {
 public:
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  friend class Store;
  struct Impl;
  explicit Snapshot(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ReadOptions {
  const Snapshot* snapshot = nullptr;  // nullptr: the latest data
  bool fill_cache = true;              // false for one-off loads and rebuilds
};

// Writes that land together or not at all.
class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  void Put(Family family, std::string_view key, std::string_view value);
  void Delete(Family family, std::string_view key);
  // Removes every key in [begin, end) without reading them.
  void DeleteRange(Family family, std::string_view begin, std::string_view end);
  std::size_t Count() const;

 private:
  friend class Store;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Store {
 public:
  // Opens (or creates) the database in `<dir>/db`. A directory held by another
  // process is kBusy; one that cannot be created or written is kIOError.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options);
  ~Store();

  const std::string& dir() const { return dir_; }

  Status Write(WriteBatch& batch, const WriteOptions& options);
  Status Put(Family family, std::string_view key, std::string_view value,
             const WriteOptions& options);
  Result<std::optional<std::string>> Get(Family family, std::string_view key) const;
  // One lookup for many keys (RocksDB batches the block reads); a missing
  // key gives nullopt in its place.
  Result<std::vector<std::optional<std::string>>> MultiGet(Family family,
                                                           const std::vector<std::string>& keys,
                                                           const ReadOptions& options = {}) const;

  // Visits keys in [begin, end) in order (end empty: to the end of the
  // family) until `visit` returns false.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  Status Scan(Family family, std::string_view begin, std::string_view end, const Visitor& visit,
              const ReadOptions& options = {.fill_cache = false}) const;
  Status ScanPrefix(Family family, std::string_view prefix, const Visitor& visit,
                    const ReadOptions& options = {.fill_cache = false}) const;

  std::shared_ptr<const Snapshot> TakeSnapshot() const;

  // A consistent copy of the open database in `target_dir` (which must not
  // exist); openable with Store::Open(target_dir).
  Status Checkpoint(const std::string& target_dir);

  // Flushes memtables and compacts every family down to its final level:
  // what the data costs on disk once RocksDB has settled.
  Status Compact();

  StoreUsage Usage() const;

  // The sequence number of the latest write; an index snapshot records it.
  std::uint64_t LatestSequence() const;

 private:
  struct Impl;
  Store(std::string dir, std::unique_ptr<Impl> impl);

  std::string dir_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lake::storage
