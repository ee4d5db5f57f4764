// The time-series engine: series, durable writes, compressed chunks,
// time_bucket aggregates, rollups and retention, on the shared Store.
//
// Write path: a batch of points for many series is one atomic RocksDB write
// (durable once acknowledged) into each series' head; a head that reaches
// the chunk limits is sealed into compressed chunks, rewriting any chunk a
// late point falls into, and the rollup buckets it touched are recomputed in
// the same atomic write. Readers see either the state before a write or
// after it: each series' head copy and a RocksDB snapshot are taken together.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "storage/store.h"
#include "timeseries/aggregate.h"
#include "timeseries/chunk.h"
#include "timeseries/reduction.h"
#include "timeseries/series_key.h"
#include "timeseries/text_dictionary.h"
#include "timeseries/timeseries_types.h"

namespace lake::timeseries {

struct TimeSeriesOptions {
  // A head is sealed at this many points or this span, whichever comes first.
  std::size_t chunk_max_points = 4096;
  std::int64_t chunk_max_span = 7 * kMicrosPerDay;
  // Chunks whose newest point is older than this get zstd on top.
  std::int64_t zstd_after = 7 * kMicrosPerDay;
  // Microseconds since the epoch, UTC; tests pin it.
  std::function<std::int64_t()> clock;
  // How often the background thread applies retention; 0 = only on demand.
  std::int64_t retention_interval = kMicrosPerHour;
  // Threads one query over many series may use.
  int query_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

class TimeSeriesEngine {
 public:
  static Result<std::unique_ptr<TimeSeriesEngine>> Open(storage::Store* store,
                                                        TimeSeriesOptions options);
  ~TimeSeriesEngine();
  TimeSeriesEngine(const TimeSeriesEngine&) = delete;
  TimeSeriesEngine& operator=(const TimeSeriesEngine&) = delete;

  // The id of the series, created on first use.
  Result<std::uint64_t> EnsureSeries(SeriesKey key);
  Result<SeriesInfo> DescribeSeries(std::uint64_t series) const;
  // The series' tenant (nullopt for an unknown series), without copying its key.
  std::optional<std::int64_t> TenantOf(std::uint64_t series) const;
  // The ids of the matching series, ascending. A tenant and a metric use the
  // posting lists; anything broader visits every series.
  std::vector<std::uint64_t> FindSeries(const SeriesFilter& filter) const;

  // All or nothing: a bad point (unknown series, a series of another kind,
  // a timestamp older than the raw retention horizon) rejects the batch.
  // NaN and infinities are values like any other.
  // `options.also` is written in the points' batch, even when they change
  // nothing.
  Status Write(std::span<const SeriesPoints> batch, const storage::WriteOptions& options = {});
  // Events and states; a state point equal to the state before it is
  // dropped (a state is written only when it changes).
  Status WriteText(std::span<const TextPoints> batch, const storage::WriteOptions& options = {});
  // What Write (text: WriteText, with each text's code as its value) would
  // refuse, without writing.
  Status CheckWrite(std::span<const SeriesPoints> batch, bool text = false) const;
  // Removes the points with start <= timestamp < end.
  Status DeleteRange(std::uint64_t series, std::int64_t start, std::int64_t end);
  // Seals every head into chunks (e.g. before a backup or shutdown).
  Status Flush();

  Result<std::vector<SeriesScan>> Scan(std::span<const std::uint64_t> series, std::int64_t start,
                                       std::int64_t end) const;
  Result<std::vector<BucketRow>> TimeBucket(const BucketQuery& query) const;
  Result<std::optional<Point>> LastPoint(std::uint64_t series) const;
  // From chunk headers and heads in memory, no read: for query planning.
  Result<PointEstimate> EstimatePoints(std::span<const std::uint64_t> series, std::int64_t start,
                                       std::int64_t end) const;

  RetentionSettings retention() const;
  Status SetRetention(const RetentionSettings& settings);
  // Drops expired chunks and rollups now: one range delete per class and
  // resolution, whatever the number of series.
  Status ApplyRetention();

  TimeSeriesStats Stats() const;

 private:
  struct SeriesState;
  struct ChunkRef;
  struct ReadView;
  struct SealPlan;

  TimeSeriesEngine(storage::Store* store, TimeSeriesOptions options);
  Status Load();
  Status LoadRetention();
  Status LoadChunks();
  Status LoadHeads();
  SeriesState* Find(std::uint64_t series) const;
  // Adds the series to the posting lists (under series_mutex_).
  void IndexSeries(const SeriesInfo& info);
  std::int64_t Now() const { return options_.clock(); }
  // The oldest time kept at `level` for class `c` (INT64_MIN: all of it).
  std::int64_t Horizon(RetentionClass c, Level level) const;
  std::int64_t RawHorizon(RetentionClass c) const { return Horizon(c, Level::kRaw); }

  // Points for metric series, or text codes for event and state series
  // (`text`); validates the whole batch before writing any of it.
  Status WritePoints(std::span<const SeriesPoints> batch, bool text,
                     const storage::WriteOptions& options);
  // Under the series' write mutex.
  Status SealLocked(SeriesState& s);
  Status DeleteLocked(SeriesState& s, std::int64_t start, std::int64_t end);
  Status CommitLocked(SeriesState& s, SealPlan& plan);
  // Adds chunk `points` (sorted, unique) to the plan as new chunks.
  void AddChunks(const SeriesState& s, const std::vector<Point>& points, SealPlan& plan) const;
  // The points of `ref`, read once per plan; valid until the plan writes
  // a chunk under the same key.
  Result<const DecodedChunk*> LoadChunk(SealPlan& plan, const ChunkRef& ref) const;
  // The points of the series in [start, end) as the plan leaves them.
  Result<std::vector<Point>> PointsAfter(SealPlan& plan, std::int64_t start,
                                         std::int64_t end) const;
  // Recomputes the rollup buckets of the touched minutes (and the hours and
  // days holding them) from the data as the plan leaves it; units inside
  // [cleared_start, cleared_end) are gone.
  Status UpdateRollups(const SeriesState& s, SealPlan& plan,
                       const std::vector<std::int64_t>& touched_minutes, std::int64_t cleared_start,
                       std::int64_t cleared_end) const;

  // Reads.
  ReadView View(const SeriesState& s, std::int64_t start, std::int64_t end) const;
  Status ReadPoints(const SeriesState& s, const ReadView& view, std::int64_t start,
                    std::int64_t end, SeriesScan* out) const;
  Result<std::vector<UnitAggregate>> SeriesBuckets(const SeriesState& s,
                                                   const BucketQuery& query) const;
  // Buckets of a grid no rollup level divides, from raw points from `from`.
  Result<std::vector<UnitAggregate>> WholeChunkBuckets(const SeriesState& s, const ReadView& view,
                                                       std::int64_t from,
                                                       const BucketQuery& query) const;

  // The partitions (their first times) in [start, end) holding rollups of
  // one series at `level`: one seek per partition holding any rollups.
  Result<std::vector<std::int64_t>> RollupPartitions(const SeriesInfo& info, Level level,
                                                     std::int64_t start, std::int64_t end,
                                                     const storage::Snapshot* snapshot) const;
  // Rollup units of one series at `level` with start in [start, end).
  Status ReadRollups(const SeriesInfo& info, Level level, std::int64_t start, std::int64_t end,
                     const storage::Snapshot* snapshot, std::vector<UnitAggregate>* out) const;

  // Runs read(i) for i in [0, count) on the query threads; first error wins.
  Status ForEachSeries(std::size_t count, const std::function<Status(std::size_t)>& read) const;

  void RetentionLoop();

  storage::Store* store_;
  TimeSeriesOptions options_;

  mutable std::shared_mutex series_mutex_;  // guards the two maps below
  std::unordered_map<std::uint64_t, std::unique_ptr<SeriesState>> series_;
  std::unordered_map<std::string, std::uint64_t> ids_by_identity_;
  // "tenant\0metric" and "tenant\0metric\0tag\0value" -> sorted series ids.
  std::unordered_map<std::string, std::vector<std::uint64_t>> postings_;
  std::uint64_t next_series_id_ = 1;

  TextDictionary texts_;

  mutable std::mutex retention_mutex_;
  RetentionSettings retention_;

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::thread retention_thread_;
};

}  // namespace lake::timeseries
