#include "import.h"

#include <algorithm>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace lake::tools {

namespace {

constexpr std::size_t kBatch = 1000;

Result<vectors::VectorRecord> ParseRecord(const std::string& line) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("not a JSON object");
  if (!j.contains("id") || !j["id"].is_number_integer())
    return Status::InvalidArgument("\"id\" must be an integer");
  if (!j.contains("embedding") || !j["embedding"].is_array())
    return Status::InvalidArgument("\"embedding\" must be an array of numbers");
  vectors::VectorRecord record;
  record.id = j["id"].get<std::int64_t>();
  record.tenant_id = j.value("user_id", std::int64_t{0});
  record.model_version = j.value("model_version", std::int32_t{0});
  for (const auto& value : j["embedding"]) {
    if (!value.is_number()) return Status::InvalidArgument("\"embedding\" must hold numbers only");
    record.embedding.push_back(value.get<float>());
  }
  if (j.contains("metadata")) record.metadata_json = j["metadata"].dump();
  return record;
}

constexpr std::size_t kPointBatch = 10000;

struct ParsedPoint {
  timeseries::SeriesKey key;
  std::int64_t ts = 0;
  double value = 0;
  std::string text;
};

Result<ParsedPoint> ParsePoint(const std::string& line) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("not a JSON object");
  if (!j.contains("metric") || !j["metric"].is_string())
    return Status::InvalidArgument("\"metric\" must be a string");
  if (!j.contains("ts") || !j["ts"].is_number_integer())
    return Status::InvalidArgument("\"ts\" must be Unix microseconds");
  ParsedPoint p;
  p.key.tenant = j.value("user_id", std::int64_t{0});
  p.key.metric = j["metric"].get<std::string>();
  if (j.contains("tags")) {
    if (!j["tags"].is_object()) return Status::InvalidArgument("\"tags\" must be an object");
    for (const auto& [name, value] : j["tags"].items()) {
      if (!value.is_string()) return Status::InvalidArgument("tag values must be strings");
      p.key.tags.emplace_back(name, value.get<std::string>());
    }
  }
  const std::string kind = j.value("kind", std::string("metric"));
  if (kind == "event")
    p.key.kind = timeseries::SeriesKind::kEvent;
  else if (kind == "state")
    p.key.kind = timeseries::SeriesKind::kState;
  else if (kind != "metric")
    return Status::InvalidArgument("unknown kind \"" + kind + "\"");
  p.ts = j["ts"].get<std::int64_t>();
  if (!j.contains("value")) return Status::InvalidArgument("\"value\" is missing");
  if (p.key.kind == timeseries::SeriesKind::kMetric) {
    if (!j["value"].is_number()) return Status::InvalidArgument("a metric's value is a number");
    p.value = j["value"].get<double>();
  } else {
    if (!j["value"].is_string()) return Status::InvalidArgument("an event's value is a string");
    p.text = j["value"].get<std::string>();
  }
  return p;
}

}  // namespace

Result<std::size_t> ImportPoints(protocol::Session& session, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path);
  std::map<std::string, std::uint64_t> ids;  // series identity -> id
  std::map<std::uint64_t, protocol::PointColumns> points;
  std::map<std::uint64_t, protocol::TextColumns> texts;
  std::size_t pending = 0, loaded = 0, line_number = 0;
  const auto flush = [&]() -> Status {
    protocol::WritePointsRequest numbers;
    for (auto& [id, columns] : points)
      numbers.batch.push_back(std::move(columns));
    protocol::WriteTextsRequest strings;
    for (auto& [id, columns] : texts)
      strings.batch.push_back(std::move(columns));
    if (!numbers.batch.empty()) LAKE_RETURN_IF_ERROR(session.Call(numbers).status());
    if (!strings.batch.empty()) LAKE_RETURN_IF_ERROR(session.Call(strings).status());
    points.clear();
    texts.clear();
    loaded += pending;
    pending = 0;
    return Status::Ok();
  };
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto point = ParsePoint(line);
    if (!point.ok()) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_number) + ": " +
                                     point.status().message());
    }
    timeseries::Tags sorted = point->key.tags;
    std::sort(sorted.begin(), sorted.end());
    std::string identity = std::to_string(point->key.tenant) + '\0' + point->key.metric + '\0' +
                           std::to_string(int(point->key.kind));
    for (const auto& [name, value] : sorted)
      identity += '\0' + name + '\0' + value;
    auto found = ids.find(identity);
    if (found == ids.end()) {
      LAKE_ASSIGN_OR_RETURN(auto ensured,
                            session.Call(protocol::EnsureSeriesRequest{{point->key}}));
      found = ids.emplace(identity, ensured.ids.front()).first;
    }
    const std::uint64_t id = found->second;
    if (point->key.kind == timeseries::SeriesKind::kMetric) {
      auto& columns = points[id];
      columns.series = id;
      columns.timestamps.push_back(point->ts);
      columns.values.push_back(point->value);
    } else {
      auto& columns = texts[id];
      columns.series = id;
      columns.timestamps.push_back(point->ts);
      columns.texts.push_back(point->text);
    }
    if (++pending == kPointBatch) LAKE_RETURN_IF_ERROR(flush());
  }
  LAKE_RETURN_IF_ERROR(flush());
  return loaded;
}

Result<std::size_t> ImportRecords(protocol::Session& session, const std::string& collection,
                                  const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path);
  protocol::UpsertRequest batch{collection, {}};
  std::size_t loaded = 0;
  std::size_t line_number = 0;
  const auto flush = [&]() -> Status {
    if (batch.records.empty()) return Status::Ok();
    LAKE_RETURN_IF_ERROR(session.Call(batch).status());
    loaded += batch.records.size();
    batch.records.clear();
    return Status::Ok();
  };
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto record = ParseRecord(line);
    if (!record.ok()) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_number) + ": " +
                                     record.status().message());
    }
    batch.records.push_back(std::move(*record));
    if (batch.records.size() == kBatch) LAKE_RETURN_IF_ERROR(flush());
  }
  LAKE_RETURN_IF_ERROR(flush());
  return loaded;
}

}  // namespace lake::tools
