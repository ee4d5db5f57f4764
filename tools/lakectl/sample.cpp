#include "sample.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "datasets/timeseries_datasets.h"

namespace lake::tools {

namespace {

using namespace protocol;
namespace ts = timeseries;

constexpr std::uint32_t kDimension = 768;
constexpr std::int64_t kTenants = 3;

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status LoadEmbeddings(Session& session, const std::string& file, const std::string& collection) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("sample embeddings '" + file + "' cannot be read");
  UpsertRequest upsert{collection, {}};
  std::vector<float> row(kDimension);
  while (in.read(reinterpret_cast<char*>(row.data()), kDimension * sizeof(float))) {
    vectors::VectorRecord record;
    record.id = static_cast<std::int64_t>(upsert.records.size());
    record.tenant_id = record.id % kTenants;
    record.embedding = row;
    upsert.records.push_back(std::move(record));
  }
  LAKE_RETURN_IF_ERROR(session.Call(upsert).status());
  std::printf("loaded %zu sample embeddings into %s\n", upsert.records.size(), collection.c_str());
  return Status::Ok();
}

Status ShowNeighbours(Session& session, const std::string& collection) {
  LAKE_ASSIGN_OR_RETURN(auto found, session.Call(GetRequest{collection, 0, {0}}));
  if (found.records.empty()) return Status::NotFound("sample record 0 is missing");
  const vectors::VectorRecord& query = found.records.front();
  for (const bool filtered : {false, true}) {
    SearchRequest search{collection, {.k = 5, .dimension = kDimension}, query.embedding};
    if (filtered) search.options.tenant_id = query.tenant_id;
    const auto started = std::chrono::steady_clock::now();
    LAKE_ASSIGN_OR_RETURN(auto reply, session.Call(search));
    const double micros =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count();
    const auto& hits = reply.results.front();
    if (hits.empty() || hits.front().id != 0)
      return Status::Internal("a stored vector is not its own nearest neighbour");
    std::printf("kNN of record 0%s (%.0f us through the socket):",
                filtered ? (" within tenant " + std::to_string(query.tenant_id)).c_str() : "",
                micros);
    for (const auto& n : hits)
      std::printf(" %lld@%.4f", static_cast<long long>(n.id), n.distance);
    std::printf("\n");
  }
  return Status::Ok();
}

Status LoadSeries(Session& session, std::uint64_t series) {
  LAKE_ASSIGN_OR_RETURN(auto nab, datasets::LoadTimeseriesDataset("nab"));
  LAKE_ASSIGN_OR_RETURN(auto retention, session.Call(GetRetentionRequest{}));
  for (auto& s : nab) {
    if (s.name.rfind("machine_temperature", 0) != 0) continue;
    const std::int64_t now = NowMicros();
    const std::int64_t shift = ts::FloorTo(now, 5 * ts::kMicrosPerMinute) - s.timestamps.back();
    // Older than the raw retention horizon would be refused: keep the tail.
    const std::int64_t horizon = now - retention.settings.standard.raw + ts::kMicrosPerHour;
    PointColumns columns{series, {}, {}};
    for (std::size_t i = 0; i < s.timestamps.size(); ++i) {
      if (s.timestamps[i] + shift < horizon) continue;
      columns.timestamps.push_back(s.timestamps[i] + shift);
      columns.values.push_back(s.values[i]);
    }
    LAKE_RETURN_IF_ERROR(session.Call(WritePointsRequest{{columns}}).status());
    std::printf("loaded %zu NAB machine temperature readings (shifted to end now)\n",
                columns.timestamps.size());
    return Status::Ok();
  }
  return Status::NotFound("NAB machine_temperature is not in the shared data");
}

Status ShowHours(Session& session) {
  LAKE_ASSIGN_OR_RETURN(
      auto ids,
      session.Call(EnsureSeriesRequest{{{1, "machine_temperature", {{"source", "nab"}}}}}));
  const std::uint64_t series = ids.ids.front();
  LAKE_ASSIGN_OR_RETURN(auto last, session.Call(LastPointRequest{{series}}));
  if (!last.points.front()) {
    LAKE_RETURN_IF_ERROR(LoadSeries(session, series));
    LAKE_ASSIGN_OR_RETURN(last, session.Call(LastPointRequest{{series}}));
  }
  if (!last.points.front()) return Status::NotFound("the sample series has no points");
  const std::int64_t end =
      ts::FloorTo(last.points.front()->timestamp, ts::kMicrosPerHour) + ts::kMicrosPerHour;
  TimeBucketRequest bucket;
  bucket.query = {.series = {series},
                  .start = end - 6 * ts::kMicrosPerHour,
                  .end = end,
                  .width = ts::kMicrosPerHour};
  LAKE_ASSIGN_OR_RETURN(auto rows, session.Call(bucket));
  if (rows.rows.empty()) return Status::Internal("no hourly buckets for the sample series");
  std::printf("machine temperature, last six hours:\n");
  for (const auto& row : rows.rows) {
    const std::time_t seconds = row.bucket / ts::kMicrosPerSecond;
    char hour[32];
    std::strftime(hour, sizeof(hour), "%Y-%m-%d %H:00Z", std::gmtime(&seconds));
    std::printf("  %s  count %llu  avg %.2f  min %.2f  max %.2f\n", hour,
                static_cast<unsigned long long>(row.aggregate.count), row.aggregate.Mean(),
                row.aggregate.min, row.aggregate.max);
  }
  return Status::Ok();
}

}  // namespace

Status RunSample(Session& session, const std::string& embeddings_file,
                 const std::string& collection) {
  auto described = session.Call(ListCollectionsRequest{collection});
  if (!described.ok() && described.status().code() == StatusCode::kNotFound) {
    CreateCollectionRequest create;
    create.spec.name = collection;
    create.spec.dimension = kDimension;
    create.spec.metric = vectors::Metric::kCosine;
    create.spec.model_name = "cohere/multilingual-22-12";
    LAKE_RETURN_IF_ERROR(session.Call(create).status());
    described = session.Call(ListCollectionsRequest{collection});
  }
  if (!described.ok()) return described.status();
  if (described->collections.front().record_count == 0) {
    LAKE_RETURN_IF_ERROR(LoadEmbeddings(session, embeddings_file, collection));
    LAKE_ASSIGN_OR_RETURN(described, session.Call(ListCollectionsRequest{collection}));
  }
  const auto& info = described->collections.front();
  std::printf("collection %s: %zu records of %u dimensions (%s)\n", collection.c_str(),
              info.record_count, info.spec.dimension,
              std::string(vectors::MetricName(info.spec.metric)).c_str());
  LAKE_RETURN_IF_ERROR(ShowNeighbours(session, collection));
  return ShowHours(session);
}

}  // namespace lake::tools
