// Sealing heads into chunks, rewriting chunks for late points and deletes,
// and keeping the rollup buckets they touch exact (metrics only: a text
// series' values are codes), each as one atomic write.
#include <algorithm>
#include <iterator>
#include <limits>

#include "storage/key_codec.h"
#include "timeseries/rollup_block.h"
#include "timeseries/series_state.h"
#include "timeseries/timeseries_engine.h"
#include "timeseries/ts_keys.h"

namespace lake::timeseries {

namespace {

using storage::Family;

std::vector<Point> ToPoints(const DecodedChunk& chunk) {
  std::vector<Point> points(chunk.timestamps.size());
  for (std::size_t i = 0; i < points.size(); ++i)
    points[i] = {chunk.timestamps[i], chunk.values[i]};
  return points;
}

// The chunks of `chunks` overlapping [start, end), in time order.
template <typename Map>
auto OverlappingBegin(Map& chunks, std::int64_t start) {
  auto it = chunks.upper_bound(start);
  if (it != chunks.begin() && std::prev(it)->second.stats.last_ts >= start) --it;
  return it;
}

}  // namespace

std::vector<Point> MergeNewer(const std::vector<Point>& older, const std::vector<Point>& newer) {
  std::vector<Point> merged;
  merged.reserve(older.size() + newer.size());
  std::size_t i = 0, j = 0;
  while (i < older.size() || j < newer.size()) {
    if (j == newer.size() || (i < older.size() && older[i].timestamp < newer[j].timestamp)) {
      merged.push_back(older[i++]);
    } else {
      if (i < older.size() && older[i].timestamp == newer[j].timestamp) ++i;
      merged.push_back(newer[j++]);
    }
  }
  return merged;
}

void TimeSeriesEngine::AddChunks(const SeriesState& s, const std::vector<Point>& points,
                                 SealPlan& plan) const {
  const std::size_t pieces =
      (points.size() + options_.chunk_max_points - 1) / options_.chunk_max_points;
  const std::int64_t cold_before = Now() - options_.zstd_after;
  std::size_t begin = 0;
  for (std::size_t piece = 0; piece < pieces; ++piece) {
    const std::size_t end = points.size() * (piece + 1) / pieces;
    DecodedChunk chunk;
    for (std::size_t i = begin; i < end; ++i) {
      chunk.timestamps.push_back(points[i].timestamp);
      chunk.values.push_back(points[i].value);
    }
    const std::int64_t first = chunk.timestamps.front();
    const std::int64_t last = chunk.timestamps.back();
    std::string bytes = EncodeChunk(chunk.timestamps, chunk.values, {.zstd = last < cold_before});
    ChunkRef ref{ReadChunkHeader(bytes)->stats, bytes.size(),
                 ChunkKey(s.info.key.retention, last, s.info.id, first)};
    plan.batch.Put(Family::kChunks, ref.key, bytes);
    plan.contents[ref.key] = std::move(chunk);
    plan.chunks_after[first] = std::move(ref);
    begin = end;
  }
}

Result<const DecodedChunk*> TimeSeriesEngine::LoadChunk(SealPlan& plan, const ChunkRef& ref) const {
  if (const auto it = plan.contents.find(ref.key); it != plan.contents.end()) return &it->second;
  LAKE_ASSIGN_OR_RETURN(auto bytes, store_->Get(Family::kChunks, ref.key));
  if (!bytes) return Status::Corruption("time series: chunk missing from the store");
  DecodedChunk& chunk = plan.contents[ref.key];
  LAKE_RETURN_IF_ERROR(DecodeChunk(*bytes, &chunk));
  return &chunk;
}

Result<std::vector<Point>> TimeSeriesEngine::PointsAfter(SealPlan& plan, std::int64_t start,
                                                         std::int64_t end) const {
  std::vector<Point> points;
  for (auto it = OverlappingBegin(plan.chunks_after, start);
       it != plan.chunks_after.end() && it->first < end; ++it) {
    LAKE_ASSIGN_OR_RETURN(const DecodedChunk* chunk, LoadChunk(plan, it->second));
    const auto& ts = chunk->timestamps;
    const std::size_t stop = std::lower_bound(ts.begin(), ts.end(), end) - ts.begin();
    for (std::size_t i = std::lower_bound(ts.begin(), ts.end(), start) - ts.begin(); i < stop; ++i)
      points.push_back({ts[i], chunk->values[i]});
  }
  return points;
}

Status TimeSeriesEngine::SealLocked(SeriesState& s) {
  if (s.head.empty()) return Status::Ok();
  SealPlan plan;
  plan.chunks_after = s.chunks;
  plan.clears_head = true;
  const std::size_t max_points = options_.chunk_max_points;
  const std::int64_t max_span = options_.chunk_max_span;

  // Each point goes into the chunk whose span holds it, or appends to the
  // chunk before its gap while that has room, or starts a new chunk.
  std::map<std::int64_t, std::vector<Point>> into_existing;
  std::vector<std::vector<Point>> runs;
  std::int64_t run_gap = 0;
  for (const Point& p : s.head) {
    const auto next = s.chunks.upper_bound(p.timestamp);
    const ChunkRef* prev = next == s.chunks.begin() ? nullptr : &std::prev(next)->second;
    if (prev != nullptr && p.timestamp <= prev->stats.last_ts) {
      into_existing[prev->stats.first_ts].push_back(p);
      continue;
    }
    const std::int64_t gap = next == s.chunks.end() ? INT64_MAX : next->first;
    const bool run_open_here = !runs.empty() && run_gap == gap;
    if (prev != nullptr && !run_open_here) {
      const auto added = into_existing.find(prev->stats.first_ts);
      const std::size_t extra = added == into_existing.end() ? 0 : added->second.size();
      if (prev->stats.count + extra < max_points &&
          p.timestamp - prev->stats.first_ts <= max_span) {
        into_existing[prev->stats.first_ts].push_back(p);
        continue;
      }
    }
    if (!run_open_here || runs.back().size() >= max_points ||
        p.timestamp - runs.back().front().timestamp > max_span) {
      runs.emplace_back();
      run_gap = gap;
    }
    runs.back().push_back(p);
  }

  for (const auto& [first, points] : into_existing) {
    const ChunkRef ref = plan.chunks_after.at(first);
    LAKE_ASSIGN_OR_RETURN(const DecodedChunk* old, LoadChunk(plan, ref));
    std::vector<Point> merged = MergeNewer(ToPoints(*old), points);
    plan.batch.Delete(Family::kChunks, ref.key);
    plan.chunks_after.erase(first);
    AddChunks(s, merged, plan);
  }
  for (const auto& run : runs)
    AddChunks(s, run, plan);
  for (const std::string& key : s.head_keys)
    plan.batch.Delete(Family::kHead, key);

  std::vector<std::int64_t> minutes;
  for (const Point& p : s.head) {
    const std::int64_t minute = FloorTo(p.timestamp, kMicrosPerMinute);
    if (minutes.empty() || minutes.back() != minute) minutes.push_back(minute);
  }
  if (s.info.key.kind == SeriesKind::kMetric)
    LAKE_RETURN_IF_ERROR(UpdateRollups(s, plan, minutes, 0, 0));
  return CommitLocked(s, plan);
}

Status TimeSeriesEngine::DeleteLocked(SeriesState& s, std::int64_t start, std::int64_t end) {
  // Only the days that hold data matter (the head is sealed): a range of
  // any width costs what the data in it costs.
  if (s.chunks.empty()) return Status::Ok();
  const std::int64_t first = s.chunks.begin()->second.stats.first_ts;
  const std::int64_t last = s.chunks.rbegin()->second.stats.last_ts;
  start = std::max(start, FloorTo(first, kMicrosPerDay));
  end = std::min(end, FloorTo(last, kMicrosPerDay) + kMicrosPerDay);
  if (start >= end) return Status::Ok();
  SealPlan plan;
  plan.chunks_after = s.chunks;
  std::vector<ChunkRef> overlapping;
  for (auto it = OverlappingBegin(s.chunks, start); it != s.chunks.end() && it->first < end; ++it)
    overlapping.push_back(it->second);
  for (const ChunkRef& ref : overlapping) {
    plan.batch.Delete(Family::kChunks, ref.key);
    plan.chunks_after.erase(ref.stats.first_ts);
    if (start <= ref.stats.first_ts && ref.stats.last_ts < end)
      continue;  // wholly deleted: never read
    LAKE_ASSIGN_OR_RETURN(const DecodedChunk* old, LoadChunk(plan, ref));
    std::vector<Point> kept;
    for (const Point& p : ToPoints(*old)) {
      if (p.timestamp < start || p.timestamp >= end) kept.push_back(p);
    }
    if (!kept.empty()) AddChunks(s, kept, plan);
  }
  // Minutes cut by the range are recomputed; whole ones are cleared.
  std::vector<std::int64_t> minutes;
  for (std::int64_t minute :
       {FloorTo(start, kMicrosPerMinute), FloorTo(end - 1, kMicrosPerMinute)}) {
    const bool whole = minute >= start && minute + kMicrosPerMinute <= end;
    if (!whole && (minutes.empty() || minutes.back() != minute)) minutes.push_back(minute);
  }
  if (s.info.key.kind == SeriesKind::kMetric)
    LAKE_RETURN_IF_ERROR(UpdateRollups(s, plan, minutes, start, end));
  return CommitLocked(s, plan);
}

Status TimeSeriesEngine::CommitLocked(SeriesState& s, SealPlan& plan) {
  std::unique_lock lock(s.state_mutex);
  LAKE_RETURN_IF_ERROR(store_->Write(plan.batch, {}));
  s.chunks = std::move(plan.chunks_after);
  if (plan.clears_head) {
    s.head.clear();
    s.head_keys.clear();
  }
  return Status::Ok();
}

Status TimeSeriesEngine::UpdateRollups(const SeriesState& s, SealPlan& plan,
                                       const std::vector<std::int64_t>& touched_minutes,
                                       std::int64_t cleared_start, std::int64_t cleared_end) const {
  const RetentionClass retention = s.info.key.retention;
  const std::uint64_t id = s.info.id;
  // A unit's new state (nullopt: gone), in order of start; a seal touches
  // tens of thousands of minutes, so sorted vectors rather than maps.
  using UnitChange = std::pair<std::int64_t, std::optional<Aggregate>>;

  // Minutes: recomputed from the points, one contiguous run at a time (the
  // touched minutes are sorted and unique).
  std::vector<UnitChange> changes;
  changes.reserve(touched_minutes.size());
  for (std::size_t i = 0; i < touched_minutes.size();) {
    std::size_t j = i + 1;
    while (j < touched_minutes.size() &&
           touched_minutes[j] == touched_minutes[j - 1] + kMicrosPerMinute)
      ++j;
    const std::int64_t begin = touched_minutes[i];
    const std::int64_t end = touched_minutes[j - 1] + kMicrosPerMinute;
    LAKE_ASSIGN_OR_RETURN(std::vector<Point> points, PointsAfter(plan, begin, end));
    std::vector<std::int64_t> ts(points.size());
    std::vector<double> values(points.size());
    for (std::size_t k = 0; k < points.size(); ++k) {
      ts[k] = points[k].timestamp;
      values[k] = points[k].value;
    }
    // Every minute of the run is touched: each gets its unit, or none.
    const std::vector<UnitAggregate> units = ReduceToUnits(ts, values, Level::kMinute);
    auto unit = units.begin();
    for (std::size_t k = i; k < j; ++k) {
      if (unit != units.end() && unit->start == touched_minutes[k]) {
        changes.emplace_back(touched_minutes[k], unit->aggregate);
        ++unit;
      } else {
        changes.emplace_back(touched_minutes[k], std::nullopt);
      }
    }
    i = j;
  }

  for (Level level : kRollupLevels) {
    const std::int64_t width = LevelWidth(level);
    // Units wholly inside the cleared range are gone; whole blocks of them
    // go with one range delete per partition.
    const std::int64_t clear_from = CeilTo(cleared_start, width);
    const std::int64_t clear_to = cleared_end > cleared_start ? FloorTo(cleared_end, width) : 0;
    const std::int64_t block = BlockWidth(level);
    const std::int64_t whole_from = CeilTo(clear_from, block);
    const std::int64_t whole_to = std::max(whole_from, FloorTo(clear_to, block));
    LAKE_ASSIGN_OR_RETURN(const std::vector<std::int64_t> partitions,
                          RollupPartitions(s.info, level, whole_from, whole_to, nullptr));
    for (const std::int64_t partition : partitions) {
      const std::int64_t partition_end = partition + PartitionWidth(level);
      const std::int64_t x = std::max(whole_from, partition);
      const std::int64_t y = std::min(whole_to, partition_end);
      plan.batch.DeleteRange(Family::kRollups, RollupKey(retention, level, id, x),
                             y == partition_end ? *storage::PrefixSuccessor(
                                                      RollupSeriesPrefix(retention, level, id, x))
                                                : RollupKey(retention, level, id, y));
    }
    // Blocks with a changed unit or cut by the cleared range are rewritten.
    // A block of minutes is one hour and a block of hours one day, so each
    // such block also gives its parent's new state, from the same read.
    std::vector<std::int64_t> blocks;
    for (const auto& [start, aggregate] : changes) {
      const std::int64_t b = FloorTo(start, block);
      if (blocks.empty() || blocks.back() != b) blocks.push_back(b);
    }
    if (clear_from < clear_to) {
      blocks.push_back(FloorTo(clear_from, block));
      blocks.push_back(FloorTo(clear_to - 1, block));
      std::sort(blocks.begin(), blocks.end());
      blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    }
    std::vector<UnitChange> parent_changes;
    parent_changes.reserve(blocks.size());
    auto change = changes.cbegin();
    std::vector<UnitAggregate> stored;  // of the run of adjacent blocks read last
    auto old = stored.cbegin();
    std::int64_t read_to = std::numeric_limits<std::int64_t>::min();
    std::vector<UnitAggregate> kept;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const std::int64_t b = blocks[i];
      if (b >= read_to) {  // one scan for each run of adjacent blocks
        std::size_t last = i;
        while (last + 1 < blocks.size() && blocks[last + 1] == blocks[last] + block)
          ++last;
        read_to = blocks[last] + block;
        stored.clear();
        LAKE_RETURN_IF_ERROR(ReadRollups(s.info, level, b, read_to, nullptr, &stored));
        old = stored.cbegin();
      }
      while (change != changes.cend() && change->first < b)
        ++change;
      // The stored units (less the cleared ones) and the changes, merged by
      // start: a change replaces or removes the stored unit it names.
      kept.clear();
      const auto changes_here = [&] {
        return change != changes.cend() && change->first < b + block;
      };
      const auto stored_here = [&] { return old != stored.cend() && old->start < b + block; };
      while (changes_here() || stored_here()) {
        if (changes_here() && (!stored_here() || change->first <= old->start)) {
          if (stored_here() && old->start == change->first) ++old;
          if (change->second) kept.push_back({change->first, *change->second});
          ++change;
        } else {
          if (old->start < clear_from || old->start >= clear_to) kept.push_back(*old);
          ++old;
        }
      }
      std::optional<Aggregate> folded;
      for (const UnitAggregate& unit : kept) {
        if (!folded) {
          folded = unit.aggregate;
        } else {
          Merge(*folded, unit.aggregate);
        }
      }
      if (level != Level::kDay) parent_changes.emplace_back(b, folded);
      if (b >= whole_from && b + block <= whole_to) continue;  // gone with the range delete
      const std::string key = RollupKey(retention, level, id, b);
      if (kept.empty()) {
        plan.batch.Delete(Family::kRollups, key);
      } else {
        plan.batch.Put(Family::kRollups, key, EncodeRollupBlock(kept, level, b));
      }
    }
    if (level == Level::kDay) break;
    changes = std::move(parent_changes);
  }
  return Status::Ok();
}

}  // namespace lake::timeseries
