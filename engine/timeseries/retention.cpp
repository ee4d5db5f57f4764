// Retention: per class and resolution (raw, 1-minute, 1-hour, 1-day),
// expired chunks and rollup blocks go with one range delete each; reads never
// show what is past its horizon.
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "timeseries/series_state.h"
#include "timeseries/timeseries_engine.h"
#include "timeseries/ts_keys.h"

namespace lake::timeseries {

namespace {

using storage::Family;

constexpr char kRetentionKey[] = "timeseries/retention";

constexpr std::pair<const char*, std::int64_t RetentionPolicy::*> kFields[] = {
    {"raw_us", &RetentionPolicy::raw},
    {"minute_us", &RetentionPolicy::minute},
    {"hour_us", &RetentionPolicy::hour},
    {"day_us", &RetentionPolicy::day}};

nlohmann::json ToJson(const RetentionPolicy& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, field] : kFields)
    j[name] = p.*field;
  return j;
}

Status FromJson(const nlohmann::json& j, RetentionPolicy* p) {
  for (const auto& [name, field] : kFields) {
    if (!j.is_object() || !j.contains(name) || !j[name].is_number_integer())
      return Status::Corruption("time series: bad retention settings");
    p->*field = j[name].get<std::int64_t>();
  }
  return Status::Ok();
}

Status Validate(const RetentionPolicy& p, const char* name) {
  for (const auto& [field_name, field] : kFields) {
    if (p.*field < 0)
      return Status::InvalidArgument(std::string(name) + " retention must not be negative");
  }
  return Status::Ok();
}

}  // namespace

Status TimeSeriesEngine::LoadRetention() {
  LAKE_ASSIGN_OR_RETURN(auto stored, store_->Get(Family::kCatalog, kRetentionKey));
  if (!stored) return Status::Ok();
  const nlohmann::json j = nlohmann::json::parse(*stored, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption("time series: bad retention");
  RetentionSettings settings;
  LAKE_RETURN_IF_ERROR(FromJson(j.value("standard", nlohmann::json()), &settings.standard));
  LAKE_RETURN_IF_ERROR(FromJson(j.value("compliance", nlohmann::json()), &settings.compliance));
  std::lock_guard lock(retention_mutex_);
  retention_ = settings;
  return Status::Ok();
}

RetentionSettings TimeSeriesEngine::retention() const {
  std::lock_guard lock(retention_mutex_);
  return retention_;
}

Status TimeSeriesEngine::SetRetention(const RetentionSettings& settings) {
  LAKE_RETURN_IF_ERROR(Validate(settings.standard, "standard"));
  LAKE_RETURN_IF_ERROR(Validate(settings.compliance, "compliance"));
  const nlohmann::json j = {{"standard", ToJson(settings.standard)},
                            {"compliance", ToJson(settings.compliance)}};
  std::lock_guard lock(retention_mutex_);
  LAKE_RETURN_IF_ERROR(store_->Put(Family::kCatalog, kRetentionKey, j.dump(), {}));
  retention_ = settings;
  return Status::Ok();
}

std::int64_t TimeSeriesEngine::Horizon(RetentionClass c, Level level) const {
  const std::int64_t keep = retention().For(c).For(level);
  return keep == 0 ? INT64_MIN : Now() - keep;
}

Status TimeSeriesEngine::ApplyRetention() {
  storage::WriteBatch batch;
  std::int64_t raw_horizon[kRetentionClassCount];
  for (int c = 0; c < kRetentionClassCount; ++c) {
    const auto retention = static_cast<RetentionClass>(c);
    raw_horizon[c] = RawHorizon(retention);
    if (raw_horizon[c] != INT64_MIN) {
      batch.DeleteRange(Family::kChunks, ChunkRangeStart(retention),
                        ChunkRangeEnd(retention, raw_horizon[c]));
    }
    for (Level level : kRollupLevels) {
      const std::int64_t horizon = Horizon(retention, level);
      if (horizon == INT64_MIN) continue;
      batch.DeleteRange(Family::kRollups, RollupRangeStart(retention, level),
                        RollupRangeEnd(retention, level, horizon));
    }
  }
  if (batch.Count() == 0) return Status::Ok();
  LAKE_RETURN_IF_ERROR(store_->Write(batch, {}));

  // Forget the dropped chunks: those whose last point lies in a partition
  // before the horizon's, found from the front of each series' map.
  std::vector<SeriesState*> states;
  {
    std::shared_lock lock(series_mutex_);
    for (auto& [id, s] : series_)
      states.push_back(s.get());
  }
  std::size_t dropped = 0;
  for (SeriesState* s : states) {
    const std::int64_t horizon = raw_horizon[static_cast<int>(s->info.key.retention)];
    if (horizon == INT64_MIN) continue;
    const std::int64_t boundary = FloorTo(horizon, PartitionWidth(Level::kRaw));
    std::lock_guard write_lock(s->write_mutex);
    std::unique_lock state_lock(s->state_mutex);
    for (auto it = s->chunks.begin(); it != s->chunks.end() && it->first < boundary;) {
      if (it->second.stats.last_ts < boundary) {
        it = s->chunks.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
  }
  if (dropped > 0)
    Log(LogLevel::kInfo, "time series retention: dropped " + std::to_string(dropped) + " chunks");
  return Status::Ok();
}

void TimeSeriesEngine::RetentionLoop() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_signal_.wait_for(lock, std::chrono::microseconds(options_.retention_interval),
                                [this] { return stopping_; })) {
    lock.unlock();
    if (const Status status = ApplyRetention(); !status.ok())
      Log(LogLevel::kError, "time series retention failed: " + status.ToString());
    lock.lock();
  }
}

}  // namespace lake::timeseries
