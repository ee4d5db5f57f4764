#include "sample.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "datasets/fvecs.h"
#include "datasets/timeseries_datasets.h"

namespace lake::tools {

namespace {

using namespace protocol;
namespace ts = timeseries;

constexpr std::int64_t kTenants = 3;
constexpr std::size_t kRecordsPerRequest = 8192;
// Cohere's sample file is bare float32 rows of this dimension.
constexpr std::size_t kCohereDimension = 768;

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The vectors of an .fvecs file, or of a file of bare 768-d float32 rows.
Result<datasets::FloatMatrix> ReadEmbeddings(const std::string& file) {
  if (EndsWith(file, ".fvecs")) return datasets::ReadFvecs(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("sample embeddings '" + file + "' cannot be read");
  datasets::FloatMatrix matrix;
  matrix.dimension = kCohereDimension;
  std::vector<float> row(kCohereDimension);
  while (in.read(reinterpret_cast<char*>(row.data()), kCohereDimension * sizeof(float))) {
    matrix.values.insert(matrix.values.end(), row.begin(), row.end());
    ++matrix.rows;
  }
  return matrix;
}

// The text of each vector of X.fvecs, a line each in X.txt when that exists.
std::vector<std::string> ReadTexts(const std::string& file) {
  std::vector<std::string> texts;
  if (!EndsWith(file, ".fvecs")) return texts;
  std::ifstream in(file.substr(0, file.size() - 6) + ".txt");
  for (std::string line; std::getline(in, line);)
    texts.push_back(std::move(line));
  return texts;
}

// Creates `collection` (cosine) when missing and loads the file when it is
// empty; records get tenants 0..2 in turn and their text as metadata.
Status LoadEmbeddings(Session& session, const SampleEmbeddings& sample) {
  auto described = session.Call(ListCollectionsRequest{sample.collection});
  if (described.ok() && described->collections.front().record_count > 0) return Status::Ok();
  LAKE_ASSIGN_OR_RETURN(auto matrix, ReadEmbeddings(sample.file));
  if (matrix.rows == 0) return Status::InvalidArgument("'" + sample.file + "' holds no vectors");
  const std::vector<std::string> texts = ReadTexts(sample.file);
  if (!described.ok()) {
    if (described.status().code() != StatusCode::kNotFound) return described.status();
    CreateCollectionRequest create;
    create.spec.name = sample.collection;
    create.spec.dimension = std::uint32_t(matrix.dimension);
    create.spec.metric = vectors::Metric::kCosine;
    create.spec.model_name = std::filesystem::path(sample.file).stem().string();
    LAKE_RETURN_IF_ERROR(session.Call(create).status());
  }
  UpsertRequest upsert{sample.collection, {}};
  for (std::size_t i = 0; i < matrix.rows; ++i) {
    vectors::VectorRecord record;
    record.id = std::int64_t(i);
    record.tenant_id = record.id % kTenants;
    record.embedding.assign(matrix.row(i), matrix.row(i) + matrix.dimension);
    if (i < texts.size()) record.metadata_json = nlohmann::json{{"text", texts[i]}}.dump();
    upsert.records.push_back(std::move(record));
    if (upsert.records.size() == kRecordsPerRequest || i + 1 == matrix.rows) {
      LAKE_RETURN_IF_ERROR(session.Call(upsert).status());
      upsert.records.clear();
    }
  }
  std::printf("loaded %zu sample embeddings of %zu dimensions into %s\n", matrix.rows,
              matrix.dimension, sample.collection.c_str());
  return Status::Ok();
}

Status ShowNeighbours(Session& session, const std::string& collection) {
  LAKE_ASSIGN_OR_RETURN(auto found, session.Call(GetRequest{collection, 0, {0}}));
  if (found.records.empty()) return Status::NotFound("sample record 0 is missing");
  const vectors::VectorRecord& query = found.records.front();
  for (const bool filtered : {false, true}) {
    SearchRequest search{
        collection, {.k = 5, .dimension = std::uint32_t(query.embedding.size())}, query.embedding};
    if (filtered) search.options.tenant_id = query.tenant_id;
    const auto started = std::chrono::steady_clock::now();
    LAKE_ASSIGN_OR_RETURN(auto reply, session.Call(search));
    const double micros =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count();
    const auto& hits = reply.results.front();
    // Record 0 itself, or a duplicate of it, comes first.
    if (hits.empty() || hits.front().distance > 1e-4f)
      return Status::Internal("a stored vector is not its own nearest neighbour");
    std::printf("%s: kNN of record 0%s (%.0f us through the socket):", collection.c_str(),
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

Status RunSample(Session& session, const std::vector<SampleEmbeddings>& embeddings) {
  for (const SampleEmbeddings& sample : embeddings) {
    LAKE_RETURN_IF_ERROR(LoadEmbeddings(session, sample));
    LAKE_ASSIGN_OR_RETURN(auto described, session.Call(ListCollectionsRequest{sample.collection}));
    const auto& info = described.collections.front();
    std::printf("collection %s: %zu records of %u dimensions (%s)\n", sample.collection.c_str(),
                info.record_count, info.spec.dimension,
                std::string(vectors::MetricName(info.spec.metric)).c_str());
    LAKE_RETURN_IF_ERROR(ShowNeighbours(session, sample.collection));
  }
  return ShowHours(session);
}

}  // namespace lake::tools
