// Opening, series, and the write path of the time-series engine.
#include "timeseries/timeseries_engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iterator>
#include <limits>

#include "common/log.h"
#include "storage/key_codec.h"
#include "timeseries/series_state.h"
#include "timeseries/ts_keys.h"

namespace lake::timeseries {

namespace {

using storage::Family;

constexpr char kSeriesPrefix = 'S';
// Timestamps beyond this cannot overflow delta arithmetic (years ±146,000).
constexpr std::int64_t kTimestampLimit = std::int64_t{1} << 62;

std::string SeriesRecordKey(std::uint64_t id) {
  std::string key(1, kSeriesPrefix);
  storage::AppendU64(&key, id);
  return key;
}

std::string PackPoints(const std::vector<Point>& points) {
  std::string bytes(points.size() * sizeof(Point), '\0');
  std::memcpy(bytes.data(), points.data(), bytes.size());
  return bytes;
}

// Sorted by time with repeated timestamps resolved to the last one given.
std::vector<Point> SortedUnique(std::span<const std::int64_t> timestamps,
                                std::span<const double> values) {
  std::vector<Point> points(timestamps.size());
  for (std::size_t i = 0; i < points.size(); ++i)
    points[i] = {timestamps[i], values[i]};
  std::stable_sort(points.begin(), points.end(),
                   [](const Point& a, const Point& b) { return a.timestamp < b.timestamp; });
  std::vector<Point> unique;
  unique.reserve(points.size());
  for (const Point& p : points) {
    if (!unique.empty() && unique.back().timestamp == p.timestamp) {
      unique.back() = p;
    } else {
      unique.push_back(p);
    }
  }
  return unique;
}

// Merges `newer` into the sorted `head`; newer values win on equal times.
void MergeIntoHead(std::vector<Point>& head, const std::vector<Point>& newer) {
  if (head.empty() || newer.front().timestamp > head.back().timestamp) {
    head.insert(head.end(), newer.begin(), newer.end());
  } else {
    head = MergeNewer(head, newer);
  }
}

std::int64_t SystemClock() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TimeSeriesEngine::TimeSeriesEngine(storage::Store* store, TimeSeriesOptions options)
    : store_(store), options_(std::move(options)) {
  if (!options_.clock) options_.clock = &SystemClock;
}

TimeSeriesEngine::~TimeSeriesEngine() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (retention_thread_.joinable()) retention_thread_.join();
}

Result<std::unique_ptr<TimeSeriesEngine>> TimeSeriesEngine::Open(storage::Store* store,
                                                                 TimeSeriesOptions options) {
  if (options.chunk_max_points < 2 || options.chunk_max_points > 65536 ||
      options.chunk_max_span <= 0)
    return Status::InvalidArgument("chunk limits: 2 to 65,536 points and a positive span");
  std::unique_ptr<TimeSeriesEngine> engine(new TimeSeriesEngine(store, std::move(options)));
  LAKE_RETURN_IF_ERROR(engine->Load());
  if (engine->options_.retention_interval > 0)
    engine->retention_thread_ = std::thread([e = engine.get()] { e->RetentionLoop(); });
  return engine;
}

Status TimeSeriesEngine::Load() {
  LAKE_RETURN_IF_ERROR(LoadRetention());
  LAKE_RETURN_IF_ERROR(texts_.Load(store_));
  Status decode_error;
  LAKE_RETURN_IF_ERROR(store_->ScanPrefix(Family::kSeries, std::string(1, kSeriesPrefix),
                                          [&](std::string_view key, std::string_view value) {
                                            storage::KeyReader reader(key.substr(1));
                                            const std::uint64_t id = reader.ReadU64();
                                            auto series_key = DecodeSeriesKey(value);
                                            if (!reader.done() || !series_key.ok()) {
                                              decode_error = Status::Corruption(
                                                  "time series catalog: bad series record");
                                              return false;
                                            }
                                            auto state = std::make_unique<SeriesState>();
                                            state->info = {id, std::move(*series_key)};
                                            ids_by_identity_[IdentityOf(state->info.key)] = id;
                                            IndexSeries(state->info);
                                            series_[id] = std::move(state);
                                            next_series_id_ = std::max(next_series_id_, id + 1);
                                            return true;
                                          }));
  LAKE_RETURN_IF_ERROR(decode_error);
  LAKE_RETURN_IF_ERROR(LoadChunks());
  LAKE_RETURN_IF_ERROR(LoadHeads());
  std::size_t head_points = 0;
  for (auto& [id, s] : series_) {
    head_points += s->head.size();
  }
  if (!series_.empty()) {
    Log(LogLevel::kInfo, "time series: opened " + std::to_string(series_.size()) + " series, " +
                             std::to_string(head_points) + " unsealed points replayed");
  }
  return Status::Ok();
}

Status TimeSeriesEngine::LoadChunks() {
  Status error;
  LAKE_RETURN_IF_ERROR(
      store_->Scan(Family::kChunks, "", "", [&](std::string_view key, std::string_view value) {
        std::uint64_t id;
        std::int64_t first_ts;
        auto header = ReadChunkHeader(value);
        SeriesState* s = ParseChunkKey(key, &id, &first_ts) ? Find(id) : nullptr;
        if (s == nullptr || !header.ok() || header->stats.first_ts != first_ts) {
          error = Status::Corruption("time series: bad chunk record");
          return false;
        }
        s->chunks[first_ts] = ChunkRef{header->stats, value.size(), std::string(key)};
        return true;
      }));
  return error;
}

Status TimeSeriesEngine::LoadHeads() {
  Status error;
  LAKE_RETURN_IF_ERROR(
      store_->Scan(Family::kHead, "", "", [&](std::string_view key, std::string_view value) {
        std::uint64_t id, sequence;
        SeriesState* s = ParseHeadKey(key, &id, &sequence) ? Find(id) : nullptr;
        if (s == nullptr || value.empty() || value.size() % sizeof(Point) != 0) {
          error = Status::Corruption("time series: bad head record");
          return false;
        }
        std::vector<Point> points(value.size() / sizeof(Point));
        std::memcpy(points.data(), value.data(), value.size());
        MergeIntoHead(s->head, points);
        s->head_keys.emplace_back(key);
        s->next_head_sequence = std::max(s->next_head_sequence, sequence + 1);
        return true;
      }));
  return error;
}

TimeSeriesEngine::SeriesState* TimeSeriesEngine::Find(std::uint64_t series) const {
  std::shared_lock lock(series_mutex_);
  const auto it = series_.find(series);
  return it == series_.end() ? nullptr : it->second.get();
}

void TimeSeriesEngine::IndexSeries(const SeriesInfo& info) {
  const std::string metric_key = std::to_string(info.key.tenant) + '\0' + info.key.metric;
  postings_[metric_key].push_back(info.id);
  for (const auto& [name, value] : info.key.tags)
    postings_[metric_key + '\0' + name + '\0' + value].push_back(info.id);
}

Result<std::uint64_t> TimeSeriesEngine::EnsureSeries(SeriesKey key) {
  LAKE_RETURN_IF_ERROR(NormaliseSeriesKey(&key));
  const std::string identity = IdentityOf(key);
  std::unique_lock lock(series_mutex_);
  if (const auto it = ids_by_identity_.find(identity); it != ids_by_identity_.end()) {
    const SeriesKey& existing = series_.at(it->second)->info.key;
    if (existing.retention != key.retention)
      return Status::InvalidArgument("series " + key.metric +
                                     " exists with another retention class");
    if (existing.kind != key.kind)
      return Status::InvalidArgument("series " + key.metric + " exists as a " +
                                     std::string(SeriesKindName(existing.kind)) + " series");
    return it->second;
  }
  const std::uint64_t id = next_series_id_;
  LAKE_RETURN_IF_ERROR(store_->Put(Family::kSeries, SeriesRecordKey(id), EncodeSeriesKey(key), {}));
  ++next_series_id_;
  auto state = std::make_unique<SeriesState>();
  state->info = {id, std::move(key)};
  ids_by_identity_[identity] = id;
  // Ids only grow, so posting lists stay sorted.
  IndexSeries(state->info);
  series_[id] = std::move(state);
  return id;
}

Result<SeriesInfo> TimeSeriesEngine::DescribeSeries(std::uint64_t series) const {
  const SeriesState* s = Find(series);
  if (s == nullptr) return Status::NotFound("unknown series " + std::to_string(series));
  return s->info;
}

std::optional<std::int64_t> TimeSeriesEngine::TenantOf(std::uint64_t series) const {
  const SeriesState* s = Find(series);
  return s == nullptr ? std::nullopt : std::optional<std::int64_t>(s->info.key.tenant);
}

std::vector<std::uint64_t> TimeSeriesEngine::FindSeries(const SeriesFilter& filter) const {
  std::shared_lock lock(series_mutex_);
  std::vector<std::uint64_t> ids;
  if (!filter.tenant || !filter.metric) {
    for (const auto& [id, s] : series_) {
      const SeriesKey& key = s->info.key;
      if (filter.tenant && key.tenant != *filter.tenant) continue;
      if (filter.metric && key.metric != *filter.metric) continue;
      if (filter.kind && key.kind != *filter.kind) continue;
      const bool tagged = std::all_of(filter.tags.begin(), filter.tags.end(), [&](const auto& tag) {
        const std::string* value = FindTag(key.tags, tag.first);
        return value != nullptr && *value == tag.second;
      });
      if (tagged) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  const std::string metric_key = std::to_string(*filter.tenant) + '\0' + *filter.metric;
  const auto all = postings_.find(metric_key);
  if (all == postings_.end()) return {};
  ids = all->second;
  for (const auto& [name, value] : filter.tags) {
    const auto list = postings_.find(metric_key + '\0' + name + '\0' + value);
    if (list == postings_.end()) return {};
    std::vector<std::uint64_t> both;
    std::set_intersection(ids.begin(), ids.end(), list->second.begin(), list->second.end(),
                          std::back_inserter(both));
    ids = std::move(both);
  }
  if (filter.kind) {
    std::erase_if(ids,
                  [&](std::uint64_t id) { return series_.at(id)->info.key.kind != *filter.kind; });
  }
  return ids;
}

Status TimeSeriesEngine::Write(std::span<const SeriesPoints> batch,
                               const storage::WriteOptions& options) {
  return WritePoints(batch, false, options);
}

Status TimeSeriesEngine::WriteText(std::span<const TextPoints> batch,
                                   const storage::WriteOptions& options) {
  // Codes for the texts of well-formed parts; WritePoints names any problem.
  std::vector<std::vector<double>> codes(batch.size());
  std::vector<SeriesPoints> parts;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const SeriesState* s = Find(batch[i].series);
    if (s != nullptr && s->info.key.kind != SeriesKind::kMetric &&
        batch[i].timestamps.size() == batch[i].texts.size()) {
      LAKE_ASSIGN_OR_RETURN(codes[i], texts_.Encode(batch[i].texts));
    }
    parts.push_back({batch[i].series, batch[i].timestamps, codes[i]});
  }
  return WritePoints(parts, true, options);
}

Status TimeSeriesEngine::CheckWrite(std::span<const SeriesPoints> batch, bool text) const {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const SeriesPoints& part = batch[i];
    const std::string where = "batch part " + std::to_string(i) + ": ";
    const SeriesState* s = Find(part.series);
    if (s == nullptr)
      return Status::NotFound(where + "unknown series " + std::to_string(part.series));
    if ((s->info.key.kind != SeriesKind::kMetric) != text)
      return Status::InvalidArgument(where + "series " + std::to_string(part.series) + " is a " +
                                     std::string(SeriesKindName(s->info.key.kind)) +
                                     " series: write " + (text ? "numbers" : "texts") + " to it");
    if (part.timestamps.size() != part.values.size())
      return Status::InvalidArgument(where + std::to_string(part.timestamps.size()) +
                                     " timestamps but " + std::to_string(part.values.size()) +
                                     " values");
    const std::int64_t horizon = RawHorizon(s->info.key.retention);
    for (std::int64_t t : part.timestamps) {
      if (t <= -kTimestampLimit || t >= kTimestampLimit)
        return Status::InvalidArgument(where + "timestamp " + std::to_string(t) + " out of range");
      if (t < horizon)
        return Status::InvalidArgument(where + "timestamp " + std::to_string(t) +
                                       " is older than the raw retention horizon " +
                                       std::to_string(horizon));
    }
  }
  return Status::Ok();
}

Status TimeSeriesEngine::WritePoints(std::span<const SeriesPoints> batch, bool text,
                                     const storage::WriteOptions& options) {
  // Validate everything and group by series before touching anything.
  LAKE_RETURN_IF_ERROR(CheckWrite(batch, text));
  std::map<std::uint64_t, std::vector<Point>> by_series;
  for (const SeriesPoints& part : batch) {
    if (part.timestamps.empty()) continue;
    std::vector<Point> points = SortedUnique(part.timestamps, part.values);
    if (auto it = by_series.find(part.series); it != by_series.end()) {
      MergeIntoHead(it->second, points);  // a later part for the same series wins
    } else {
      by_series.emplace(part.series, std::move(points));
    }
  }
  if (by_series.empty() && options.also == nullptr) return Status::Ok();

  // Lock in id order (no deadlock between overlapping batches), log, apply.
  struct Change {
    SeriesState* state;
    std::vector<Point> points;
    std::string head_key;
  };
  std::vector<Change> changes;
  std::vector<std::unique_lock<std::mutex>> locks;
  for (auto& [id, points] : by_series) {
    changes.push_back({Find(id), std::move(points), {}});
    locks.emplace_back(changes.back().state->write_mutex);
  }
  storage::WriteBatch log;
  for (Change& change : changes) {
    const SeriesState& s = *change.state;
    if (s.info.key.kind == SeriesKind::kState) {
      // A state is written only when it changes.
      const std::optional<Point> latest = s.LatestPoint();
      std::vector<Point> kept;
      for (const Point& p : change.points) {
        const Point* before = !kept.empty()                               ? &kept.back()
                              : latest && latest->timestamp < p.timestamp ? &*latest
                                                                          : nullptr;
        if (before == nullptr || before->value != p.value) kept.push_back(p);
      }
      change.points = std::move(kept);
    }
    if (change.points.empty()) continue;
    change.head_key = HeadKey(s.info.id, change.state->next_head_sequence++);
    log.Put(Family::kHead, change.head_key, PackPoints(change.points));
  }
  if (log.Count() == 0 && options.also == nullptr) return Status::Ok();
  LAKE_RETURN_IF_ERROR(store_->Write(log, options));
  for (Change& change : changes) {
    if (change.points.empty()) continue;
    SeriesState& s = *change.state;
    {
      std::unique_lock state_lock(s.state_mutex);
      MergeIntoHead(s.head, change.points);
      s.head_keys.push_back(std::move(change.head_key));
    }
    if (s.head.size() >= options_.chunk_max_points ||
        s.head.back().timestamp - s.head.front().timestamp >= options_.chunk_max_span) {
      // The points are durable in the head already; a failed seal is retried
      // by the next write or flush.
      LAKE_RETURN_IF_ERROR(SealLocked(s));
    }
  }
  return Status::Ok();
}

Status TimeSeriesEngine::DeleteRange(std::uint64_t series, std::int64_t start, std::int64_t end) {
  SeriesState* s = Find(series);
  if (s == nullptr) return Status::NotFound("unknown series " + std::to_string(series));
  if (start >= end) return Status::InvalidArgument("delete range: start must be before end");
  start = std::max(start, kEarliestTime);
  end = std::min(end, kLatestTime);
  if (start >= end) return Status::Ok();
  std::lock_guard lock(s->write_mutex);
  LAKE_RETURN_IF_ERROR(SealLocked(*s));
  return DeleteLocked(*s, start, end);
}

Status TimeSeriesEngine::Flush() {
  std::vector<SeriesState*> states;
  {
    std::shared_lock lock(series_mutex_);
    for (auto& [id, s] : series_)
      states.push_back(s.get());
  }
  for (SeriesState* s : states) {
    std::lock_guard lock(s->write_mutex);
    LAKE_RETURN_IF_ERROR(SealLocked(*s));
  }
  return Status::Ok();
}

Result<std::optional<Point>> TimeSeriesEngine::LastPoint(std::uint64_t series) const {
  const SeriesState* s = Find(series);
  if (s == nullptr) return Status::NotFound("unknown series " + std::to_string(series));
  std::shared_lock lock(s->state_mutex);
  const std::optional<Point> latest = s->LatestPoint();
  if (latest && latest->timestamp < RawHorizon(s->info.key.retention))
    return std::optional<Point>();
  return latest;
}

Result<PointEstimate> TimeSeriesEngine::EstimatePoints(std::span<const std::uint64_t> series,
                                                       std::int64_t start, std::int64_t end) const {
  PointEstimate estimate;
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  std::int64_t rollup_first = first, rollup_last = last;
  for (const std::uint64_t id : series) {
    const SeriesState* s = Find(id);
    if (s == nullptr) return Status::NotFound("unknown series " + std::to_string(id));
    std::shared_lock lock(s->state_mutex);
    const std::int64_t from = std::max(start, RawHorizon(s->info.key.retention));
    if (start < from) {  // below the raw horizon: rollup buckets, not counted
      std::int64_t oldest = from;
      for (Level level : kRollupLevels)
        oldest = std::min(oldest, Horizon(s->info.key.retention, level));
      if (std::max(start, oldest) < std::min(end, from)) {
        rollup_first = std::min(rollup_first, std::max(start, oldest));
        rollup_last = std::max(rollup_last, std::min(end, from) - 1);
      }
    }
    if (from >= end) continue;
    const double points_before = estimate.points;
    for (const auto& [chunk_first, ref] : s->chunks) {
      const Aggregate& a = ref.stats;
      if (a.last_ts < from || a.first_ts >= end) continue;
      const std::int64_t lo = std::max(from, a.first_ts), hi = std::min(end - 1, a.last_ts);
      const double span = double(a.last_ts) - double(a.first_ts) + 1;
      estimate.points += double(a.count) * ((double(hi) - double(lo) + 1) / span);
      first = std::min(first, lo);
      last = std::max(last, hi);
    }
    const auto head_from =
        std::lower_bound(s->head.begin(), s->head.end(), from,
                         [](const Point& p, std::int64_t t) { return p.timestamp < t; });
    const auto head_to =
        std::lower_bound(head_from, s->head.end(), end,
                         [](const Point& p, std::int64_t t) { return p.timestamp < t; });
    if (head_from != head_to) {
      estimate.points += double(head_to - head_from);
      first = std::min(first, head_from->timestamp);
      last = std::max(last, std::prev(head_to)->timestamp);
    }
    if (estimate.points > points_before) ++estimate.series;
  }
  if (first <= last) {
    estimate.first = first;
    estimate.last = last;
  }
  estimate.data_first = std::min(first, rollup_first);
  estimate.data_last = std::max(last, rollup_last);
  estimate.any = estimate.data_first <= estimate.data_last;
  if (!estimate.any) estimate.data_first = estimate.data_last = 0;
  return estimate;
}

TimeSeriesStats TimeSeriesEngine::Stats() const {
  TimeSeriesStats stats;
  std::shared_lock lock(series_mutex_);
  stats.series = series_.size();
  for (const auto& [id, s] : series_) {
    std::shared_lock state_lock(s->state_mutex);
    stats.head_points += s->head.size();
    stats.chunks += s->chunks.size();
    for (const auto& [first, ref] : s->chunks) {
      stats.sealed_points += ref.stats.count;
      stats.chunk_bytes += ref.bytes;
    }
  }
  return stats;
}

}  // namespace lake::timeseries
