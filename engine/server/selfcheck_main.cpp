// lake-selfcheck --data-dir DIR --sample FILE
//
// Opens (or creates) a lake data directory, loads the real Cohere 768-d
// sample embeddings into the collection `sample_cohere768` and NAB's machine
// temperature series (real 5-minute readings, shifted to end now) on first
// run, then answers a few exact kNN queries and an hourly time_bucket: proof
// that storage, SIMD kernels, search and the time-series engine work on this
// machine. Stands in for `tools/lake up` until lake-server and the wrapper
// exist.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "datasets/timeseries_datasets.h"
#include "simd/distance.h"
#include "storage/store.h"
#include "timeseries/timeseries_engine.h"
#include "vectors/vector_engine.h"

namespace {

int Fail(const lake::Status& status) {
  std::fprintf(stderr, "lake-selfcheck: %s\n", status.ToString().c_str());
  return 1;
}

// Loads the sample series on first run; prints its last six hours by hour.
lake::Status CheckTimeSeries(lake::storage::Store* store) {
  namespace ts = lake::timeseries;
  LAKE_ASSIGN_OR_RETURN(auto engine, ts::TimeSeriesEngine::Open(store, {}));
  LAKE_ASSIGN_OR_RETURN(const std::uint64_t series,
                        engine->EnsureSeries({1, "machine_temperature", {{"source", "nab"}}}));
  LAKE_ASSIGN_OR_RETURN(auto last, engine->LastPoint(series));
  if (!last) {
    LAKE_ASSIGN_OR_RETURN(auto nab, lake::datasets::LoadTimeseriesDataset("nab"));
    for (auto& s : nab) {
      if (s.name.rfind("machine_temperature", 0) != 0) continue;
      const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      const std::int64_t shift = ts::FloorTo(now, 5 * ts::kMicrosPerMinute) - s.timestamps.back();
      for (auto& t : s.timestamps)
        t += shift;
      // Older than the raw retention horizon would be refused: keep the tail.
      const std::int64_t horizon = now - engine->retention().standard.raw + ts::kMicrosPerHour;
      std::size_t first = 0;
      while (first < s.timestamps.size() && s.timestamps[first] < horizon)
        ++first;
      const ts::SeriesPoints part{series, std::span(s.timestamps).subspan(first),
                                  std::span(s.values).subspan(first)};
      LAKE_RETURN_IF_ERROR(engine->Write({&part, 1}));
      LAKE_RETURN_IF_ERROR(engine->Flush());
      std::printf("loaded %zu NAB machine temperature readings (shifted to end now)\n",
                  s.timestamps.size() - first);
    }
    LAKE_ASSIGN_OR_RETURN(last, engine->LastPoint(series));
    if (!last) return lake::Status::NotFound("NAB machine_temperature sample not found");
  }
  const ts::TimeSeriesStats stats = engine->Stats();
  std::printf("time series: %zu points in %zu chunks, %.2f bytes per point\n",
              stats.sealed_points + stats.head_points, stats.chunks,
              double(stats.chunk_bytes) / double(std::max<std::size_t>(stats.sealed_points, 1)));
  const std::int64_t end = ts::FloorTo(last->timestamp, ts::kMicrosPerHour) + ts::kMicrosPerHour;
  LAKE_ASSIGN_OR_RETURN(auto rows, engine->TimeBucket({.series = {series},
                                                       .start = end - 6 * ts::kMicrosPerHour,
                                                       .end = end,
                                                       .width = ts::kMicrosPerHour}));
  for (const auto& row : rows) {
    const std::time_t seconds = row.bucket / ts::kMicrosPerSecond;
    char hour[32];
    std::strftime(hour, sizeof(hour), "%Y-%m-%d %H:00Z", std::gmtime(&seconds));
    std::printf("  %s  count %llu  avg %.2f  min %.2f  max %.2f\n", hour,
                static_cast<unsigned long long>(row.aggregate.count), row.aggregate.Mean(),
                row.aggregate.min, row.aggregate.max);
  }
  if (rows.empty()) return lake::Status::Internal("no hourly buckets for the sample series");
  return lake::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir = "var/lake";
  std::string sample;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data-dir") == 0) data_dir = argv[i + 1];
    if (std::strcmp(argv[i], "--sample") == 0) sample = argv[i + 1];
  }
  constexpr std::uint32_t kDimension = 768;
  constexpr const char* kCollection = "sample_cohere768";

  std::printf("SIMD kernels: %s\n",
              std::string(lake::simd::IsaName(lake::simd::Kernels().isa)).c_str());
  auto store = lake::storage::Store::Open(data_dir, {});
  if (!store.ok()) return Fail(store.status());
  auto engine = lake::vectors::VectorEngine::Open(store->get());
  if (!engine.ok()) return Fail(engine.status());

  if (!(*engine)->DescribeCollection(kCollection).ok()) {
    std::ifstream in(sample, std::ios::binary);
    if (!in) return Fail(lake::Status::NotFound("sample file '" + sample + "' cannot be read"));
    lake::vectors::CollectionSpec spec;
    spec.name = kCollection;
    spec.dimension = kDimension;
    spec.metric = lake::vectors::Metric::kCosine;
    spec.model_name = "cohere/multilingual-22-12";
    if (auto status = (*engine)->CreateCollection(spec); !status.ok()) return Fail(status);
    std::vector<lake::vectors::VectorRecord> records;
    std::vector<float> row(kDimension);
    while (in.read(reinterpret_cast<char*>(row.data()), kDimension * sizeof(float))) {
      lake::vectors::VectorRecord record;
      record.id = static_cast<std::int64_t>(records.size());
      record.tenant_id = record.id % 3;
      record.embedding = row;
      records.push_back(std::move(record));
    }
    if (auto status = (*engine)->Upsert(kCollection, records, {.sync = true}); !status.ok()) {
      return Fail(status);
    }
    std::printf("loaded %zu sample embeddings into %s\n", records.size(), kCollection);
  }

  auto info = (*engine)->DescribeCollection(kCollection);
  if (!info.ok()) return Fail(info.status());
  std::printf("collection %s: %zu records of %u dimensions (%s), data directory %s\n", kCollection,
              info->record_count, info->spec.dimension,
              std::string(lake::vectors::MetricName(info->spec.metric)).c_str(), data_dir.c_str());

  for (std::int64_t id : {0, 1, 2}) {
    auto record = (*engine)->Get(kCollection, id);
    if (!record.ok()) return Fail(record.status());
    if (!record->has_value()) return Fail(lake::Status::NotFound("sample record missing"));
    const auto started = std::chrono::steady_clock::now();
    auto neighbors = (*engine)->Search(kCollection, (*record)->embedding, {.k = 5});
    const double micros =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count();
    if (!neighbors.ok()) return Fail(neighbors.status());
    if (neighbors->empty() || neighbors->front().id != id) {
      return Fail(lake::Status::Internal("a stored vector is not its own nearest neighbour"));
    }
    std::printf("kNN of record %lld (%.0f us):", static_cast<long long>(id), micros);
    for (const auto& n : *neighbors) {
      std::printf(" %lld@%.4f", static_cast<long long>(n.id), n.distance);
    }
    std::printf("\n");
  }
  if (auto status = (*engine)->Close(); !status.ok()) return Fail(status);
  if (auto status = CheckTimeSeries(store->get()); !status.ok()) return Fail(status);
  std::printf("self-check passed\n");
  return 0;
}
