// Private to the time-series engine: what it keeps in memory per series.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/store.h"
#include "timeseries/chunk.h"
#include "timeseries/timeseries_engine.h"

namespace lake::timeseries {

struct TimeSeriesEngine::ChunkRef {
  // The chunk header's aggregate of all its points: first and last times,
  // last value, count; whole-chunk aggregates need no read at all.
  Aggregate stats;
  std::size_t bytes = 0;
  std::string key;
};

struct TimeSeriesEngine::SeriesState {
  SeriesInfo info;
  // One writer at a time (writes, seals, deletes, retention).
  std::mutex write_mutex;
  // Readers hold it shared while they copy the head and take a snapshot;
  // a writer holds it exclusively while it commits and updates the maps.
  mutable std::shared_mutex state_mutex;
  std::vector<Point> head;  // unsealed points, sorted, unique timestamps
  std::vector<std::string> head_keys;
  std::uint64_t next_head_sequence = 0;
  std::map<std::int64_t, ChunkRef> chunks;  // by first timestamp; never overlapping

  // The latest point, of the head or of the last chunk.
  std::optional<Point> LatestPoint() const {
    std::optional<Point> latest;
    if (!chunks.empty())
      latest = Point{chunks.rbegin()->second.stats.last_ts, chunks.rbegin()->second.stats.last};
    if (!head.empty() && (!latest || head.back().timestamp >= latest->timestamp))
      latest = head.back();
    return latest;
  }
};

// Sorted, unique points of both; `newer` wins on equal timestamps.
std::vector<Point> MergeNewer(const std::vector<Point>& older, const std::vector<Point>& newer);

// A consistent view of one series for a read: the head points in range and
// the chunks overlapping it, as of `snapshot`.
struct TimeSeriesEngine::ReadView {
  std::vector<Point> head;
  std::vector<ChunkRef> chunks;
  std::shared_ptr<const storage::Snapshot> snapshot;
};

// One atomic change of a series' chunks and rollups.
struct TimeSeriesEngine::SealPlan {
  storage::WriteBatch batch;
  std::map<std::int64_t, ChunkRef> chunks_after;
  // Chunk key -> points, for the chunks this plan wrote or has read.
  std::map<std::string, DecodedChunk> contents;
  bool clears_head = false;
};

}  // namespace lake::timeseries
