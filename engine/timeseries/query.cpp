// Reads: raw scans, time_bucket aggregates (from rollups where the bucket
// grid allows, from raw points elsewhere), on consistent per-series views.
#include <algorithm>
#include <iterator>
#include <map>
#include <optional>

#include "common/interrupt.h"
#include "common/parallel.h"
#include "storage/key_codec.h"
#include "timeseries/rollup_block.h"
#include "timeseries/series_state.h"
#include "timeseries/timeseries_engine.h"
#include "timeseries/ts_keys.h"

namespace lake::timeseries {

namespace {

using storage::Family;

void AppendUnits(std::vector<UnitAggregate>& to, std::vector<UnitAggregate>&& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

TimeSeriesEngine::ReadView TimeSeriesEngine::View(const SeriesState& s, std::int64_t start,
                                                  std::int64_t end) const {
  ReadView view;
  std::shared_lock lock(s.state_mutex);
  const auto by_time = [](const Point& p, std::int64_t t) { return p.timestamp < t; };
  const auto first = std::lower_bound(s.head.begin(), s.head.end(), start, by_time);
  const auto last = std::lower_bound(first, s.head.end(), end, by_time);
  view.head.assign(first, last);
  auto it = s.chunks.upper_bound(start);
  if (it != s.chunks.begin() && std::prev(it)->second.stats.last_ts >= start) --it;
  for (; it != s.chunks.end() && it->first < end; ++it)
    view.chunks.push_back(it->second);
  view.snapshot = store_->TakeSnapshot();
  return view;
}

Status TimeSeriesEngine::ReadPoints(const SeriesState& s, const ReadView& view, std::int64_t start,
                                    std::int64_t end, SeriesScan* out) const {
  out->series = s.info.id;
  out->timestamps.clear();
  out->values.clear();
  std::vector<std::string> keys;
  for (const ChunkRef& ref : view.chunks) {
    if (ref.stats.last_ts >= start && ref.stats.first_ts < end) keys.push_back(ref.key);
  }
  LAKE_ASSIGN_OR_RETURN(auto chunks,
                        store_->MultiGet(Family::kChunks, keys, {.snapshot = view.snapshot.get()}));
  DecodedChunk decoded;
  auto head = std::lower_bound(view.head.begin(), view.head.end(), start,
                               [](const Point& p, std::int64_t t) { return p.timestamp < t; });
  // Chunk points in time order, with head points (newer) merged in.
  const auto take_head_before = [&](std::int64_t t) {
    for (; head != view.head.end() && head->timestamp < t && head->timestamp < end; ++head) {
      out->timestamps.push_back(head->timestamp);
      out->values.push_back(head->value);
    }
  };
  for (const auto& bytes : chunks) {
    LAKE_RETURN_IF_ERROR(CheckInterrupt());
    if (!bytes) return Status::Corruption("time series: chunk missing from the snapshot");
    LAKE_RETURN_IF_ERROR(DecodeChunk(*bytes, &decoded));
    const auto& ts = decoded.timestamps;
    std::size_t i = std::lower_bound(ts.begin(), ts.end(), start) - ts.begin();
    const std::size_t stop = std::lower_bound(ts.begin(), ts.end(), end) - ts.begin();
    for (; i < stop; ++i) {
      take_head_before(ts[i]);
      if (head != view.head.end() && head->timestamp == ts[i]) continue;  // head is newer
      out->timestamps.push_back(ts[i]);
      out->values.push_back(decoded.values[i]);
    }
  }
  take_head_before(end);
  return Status::Ok();
}

Result<std::vector<std::int64_t>> TimeSeriesEngine::RollupPartitions(
    const SeriesInfo& info, Level level, std::int64_t start, std::int64_t end,
    const storage::Snapshot* snapshot) const {
  // One seek per partition that holds rollups of any series, however wide
  // [start, end) is: a seek that lands past this series' keys names the next
  // partition that holds anything, and the next seek goes straight there.
  const std::int64_t width = PartitionWidth(level);
  const std::string level_end =
      *storage::PrefixSuccessor(RollupRangeStart(info.key.retention, level));
  std::vector<std::int64_t> partitions;
  std::int64_t x = FloorTo(std::max(start, kEarliestTime), width);
  end = std::min(end, kLatestTime);
  while (x < end) {
    LAKE_RETURN_IF_ERROR(CheckInterrupt());
    bool found = false;
    std::int64_t partition = 0;
    std::uint64_t series = 0;
    LAKE_RETURN_IF_ERROR(store_->Scan(
        Family::kRollups, RollupSeriesPrefix(info.key.retention, level, info.id, x), level_end,
        [&](std::string_view key, std::string_view) {
          found = ParseRollupOwner(key, level, &partition, &series);
          return false;
        },
        {.snapshot = snapshot, .fill_cache = true}));
    if (!found || partition >= end) break;
    if (series == info.id) partitions.push_back(partition);
    // Before this series in a later partition: seek to it there; otherwise
    // this partition is done.
    x = series < info.id ? partition : partition + width;
  }
  return partitions;
}

Status TimeSeriesEngine::ReadRollups(const SeriesInfo& info, Level level, std::int64_t start,
                                     std::int64_t end, const storage::Snapshot* snapshot,
                                     std::vector<UnitAggregate>* out) const {
  LAKE_ASSIGN_OR_RETURN(const std::vector<std::int64_t> partitions,
                        RollupPartitions(info, level, start, end, snapshot));
  std::vector<UnitAggregate> block;
  Status decode_error;
  for (const std::int64_t partition : partitions) {
    const std::string prefix = RollupSeriesPrefix(info.key.retention, level, info.id, partition);
    const std::int64_t from =
        std::max(partition, FloorTo(std::max(start, kEarliestTime), BlockWidth(level)));
    LAKE_RETURN_IF_ERROR(
        store_->Scan(Family::kRollups, RollupKey(info.key.retention, level, info.id, from),
                     *storage::PrefixSuccessor(prefix),
                     [&](std::string_view key, std::string_view value) {
                       std::int64_t block_start;
                       if (!ParseRollupBlock(key, &block_start)) {
                         decode_error = Status::Corruption("rollup: bad key");
                         return false;
                       }
                       if (block_start >= end) return false;
                       block.clear();
                       decode_error = DecodeRollupBlock(value, level, block_start, &block);
                       if (!decode_error.ok()) return false;
                       for (const UnitAggregate& unit : block) {
                         if (unit.start >= start && unit.start < end) out->push_back(unit);
                       }
                       return true;
                     },
                     {.snapshot = snapshot, .fill_cache = true}));
    LAKE_RETURN_IF_ERROR(decode_error);
  }
  return Status::Ok();
}

Status TimeSeriesEngine::ForEachSeries(std::size_t count,
                                       const std::function<Status(std::size_t)>& read) const {
  std::vector<Status> statuses(count);
  // Threads pay off from a handful of series; one series reads inline.
  const int threads = count >= 8 ? options_.query_threads : 1;
  ParallelFor(count, threads, [&](std::size_t i, int) {
    statuses[i] = CheckInterrupt();
    if (statuses[i].ok()) statuses[i] = read(i);
  });
  for (Status& status : statuses)
    LAKE_RETURN_IF_ERROR(status);
  return Status::Ok();
}

Result<std::vector<SeriesScan>> TimeSeriesEngine::Scan(std::span<const std::uint64_t> series,
                                                       std::int64_t start, std::int64_t end) const {
  start = std::max(start, kEarliestTime);
  end = std::min(end, kLatestTime);  // start >= end reads nothing
  std::vector<const SeriesState*> states;
  for (std::uint64_t id : series) {
    states.push_back(Find(id));
    if (states.back() == nullptr) return Status::NotFound("unknown series " + std::to_string(id));
  }
  std::vector<SeriesScan> scans(states.size());
  const Status read = ForEachSeries(states.size(), [&](std::size_t i) -> Status {
    const SeriesState& s = *states[i];
    SeriesScan& scan = scans[i];
    scan.series = s.info.id;
    const std::int64_t from = std::max(start, RawHorizon(s.info.key.retention));
    if (from < end) LAKE_RETURN_IF_ERROR(ReadPoints(s, View(s, from, end), from, end, &scan));
    if (s.info.key.kind != SeriesKind::kMetric) {
      for (double code : scan.values) {
        LAKE_ASSIGN_OR_RETURN(std::string text, texts_.Decode(code));
        scan.texts.push_back(std::move(text));
      }
      scan.values.clear();
    }
    return Status::Ok();
  });
  LAKE_RETURN_IF_ERROR(read);
  return scans;
}

Result<std::vector<UnitAggregate>> TimeSeriesEngine::SeriesBuckets(const SeriesState& s,
                                                                   const BucketQuery& q) const {
  const Level level = FinestCommonLevel(q.width, q.origin);
  const std::int64_t raw_from = std::max(q.start, RawHorizon(s.info.key.retention));
  const ReadView view = View(s, q.start, q.end);
  if (level == Level::kRaw) return WholeChunkBuckets(s, view, raw_from, q);
  SeriesScan points;
  std::vector<UnitAggregate> units;
  // Raw points of [from, to) reduced at `level`.
  const auto raw_units = [&](std::int64_t from, std::int64_t to) -> Status {
    from = std::max(from, raw_from);
    if (from >= to) return Status::Ok();
    LAKE_RETURN_IF_ERROR(ReadPoints(s, view, from, to, &points));
    AppendUnits(units, ReduceToUnits(points.timestamps, points.values, level));
    return Status::Ok();
  };

  const std::int64_t unit = LevelWidth(level);
  const std::int64_t middle_from =
      CeilTo(std::max(q.start, Horizon(s.info.key.retention, level)), unit);
  const std::int64_t middle_to = FloorTo(q.end, unit);
  if (!q.use_rollups || middle_from >= middle_to || s.info.key.kind != SeriesKind::kMetric) {
    LAKE_RETURN_IF_ERROR(raw_units(q.start, q.end));
  } else {
    LAKE_RETURN_IF_ERROR(raw_units(q.start, middle_from));
    // Whole units from rollups, except those holding unsealed points: the
    // rollups cover sealed data only, so those units come from raw points.
    std::vector<UnitAggregate> stored;
    LAKE_RETURN_IF_ERROR(
        ReadRollups(s.info, level, middle_from, middle_to, view.snapshot.get(), &stored));
    // Runs of consecutive units with unsealed points: one raw read each.
    std::vector<std::pair<std::int64_t, std::int64_t>> unsealed;
    for (const Point& p : view.head) {
      const std::int64_t u = FloorTo(p.timestamp, unit);
      if (u < middle_from || u >= middle_to) continue;
      if (!unsealed.empty() && u <= unsealed.back().second) {
        unsealed.back().second = u + unit;
      } else {
        unsealed.emplace_back(u, u + unit);
      }
    }
    std::size_t next_stored = 0;
    for (const auto& [from, to] : unsealed) {
      for (; next_stored < stored.size() && stored[next_stored].start < from; ++next_stored)
        units.push_back(stored[next_stored]);
      while (next_stored < stored.size() && stored[next_stored].start < to)
        ++next_stored;
      LAKE_RETURN_IF_ERROR(raw_units(from, to));
    }
    for (; next_stored < stored.size(); ++next_stored)
      units.push_back(stored[next_stored]);
    LAKE_RETURN_IF_ERROR(raw_units(middle_to, q.end));
  }
  return FoldUnits(units, q.width, q.origin);
}

Result<std::vector<UnitAggregate>> TimeSeriesEngine::WholeChunkBuckets(const SeriesState& s,
                                                                       const ReadView& view,
                                                                       std::int64_t from,
                                                                       const BucketQuery& q) const {
  // Chunks inside [from, end) and inside one bucket, with no newer head
  // point in their span, are aggregated from their header stats, kept in
  // memory: no read, no decoding.
  const auto bucket_of = [&](std::int64_t t) { return BucketOf(t, q.width, q.origin); };
  std::vector<const ChunkRef*> whole;
  for (const ChunkRef& ref : view.chunks) {
    if (ref.stats.first_ts < from || ref.stats.last_ts >= q.end) continue;
    if (bucket_of(ref.stats.first_ts) != bucket_of(ref.stats.last_ts)) continue;
    const auto head =
        std::lower_bound(view.head.begin(), view.head.end(), ref.stats.first_ts,
                         [](const Point& p, std::int64_t t) { return p.timestamp < t; });
    if (head != view.head.end() && head->timestamp <= ref.stats.last_ts) continue;
    whole.push_back(&ref);
  }
  std::vector<UnitAggregate> pieces;
  SeriesScan points;
  const auto add_points = [&](std::int64_t a, std::int64_t b) -> Status {
    if (a >= b) return Status::Ok();
    LAKE_RETURN_IF_ERROR(ReadPoints(s, view, a, b, &points));
    AppendUnits(pieces, ReduceToBuckets(points.timestamps, points.values, q.width, q.origin));
    return Status::Ok();
  };
  std::int64_t cursor = from;
  for (const ChunkRef* ref : whole) {
    LAKE_RETURN_IF_ERROR(add_points(cursor, ref->stats.first_ts));
    pieces.push_back({bucket_of(ref->stats.first_ts), ref->stats});
    cursor = ref->stats.last_ts + 1;
  }
  LAKE_RETURN_IF_ERROR(add_points(cursor, q.end));
  return FoldUnits(pieces, q.width, q.origin);
}

Result<std::vector<BucketRow>> TimeSeriesEngine::TimeBucket(const BucketQuery& asked) const {
  if (asked.width <= 0) return Status::InvalidArgument("bucket width must be positive");
  if (asked.start >= asked.end) return Status::InvalidArgument("start must be before end");
  BucketQuery query = asked;
  query.start = std::max(query.start, kEarliestTime);
  query.end = std::min(query.end, kLatestTime);
  if (query.start >= query.end) return std::vector<BucketRow>();
  if (query.group_by == GroupBy::kTag && query.group_tag.empty())
    return Status::InvalidArgument("grouping by tag needs a tag name");
  std::vector<std::uint64_t> ids = query.series;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<const SeriesState*> states;
  std::optional<bool> text;
  for (std::uint64_t id : ids) {
    states.push_back(Find(id));
    if (states.back() == nullptr) return Status::NotFound("unknown series " + std::to_string(id));
    const bool is_text = states.back()->info.key.kind != SeriesKind::kMetric;
    if (text && *text != is_text)
      return Status::InvalidArgument("cannot aggregate metric and text series together");
    text = is_text;
  }
  std::vector<std::vector<UnitAggregate>> buckets(states.size());
  const Status read = ForEachSeries(states.size(), [&](std::size_t i) -> Status {
    LAKE_ASSIGN_OR_RETURN(buckets[i], SeriesBuckets(*states[i], query));
    return Status::Ok();
  });
  LAKE_RETURN_IF_ERROR(read);
  // Groups merge their series in id order: the same bits on every path.
  std::map<std::pair<std::string, std::int64_t>, timeseries::Aggregate> groups;
  for (std::size_t i = 0; i < states.size(); ++i) {
    std::string group;
    if (query.group_by == GroupBy::kSeries) {
      group = std::to_string(states[i]->info.id);
    } else if (query.group_by == GroupBy::kTag) {
      const std::string* value = FindTag(states[i]->info.key.tags, query.group_tag);
      group = value == nullptr ? "" : *value;
    }
    for (const UnitAggregate& bucket : buckets[i])
      Merge(groups[{group, bucket.start}], bucket.aggregate);
  }
  std::vector<BucketRow> rows;
  rows.reserve(groups.size());
  for (auto& [key, aggregate] : groups) {
    BucketRow row{key.first, key.second, aggregate, {}, {}};
    if (text.value_or(false)) {
      LAKE_ASSIGN_OR_RETURN(row.first_text, texts_.Decode(aggregate.first));
      LAKE_ASSIGN_OR_RETURN(row.last_text, texts_.Decode(aggregate.last));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace lake::timeseries
