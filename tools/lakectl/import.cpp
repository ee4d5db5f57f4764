#include "import.h"

#include <fstream>

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

}  // namespace

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
