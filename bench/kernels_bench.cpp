// tools/lake bench kernels
//
// Distance throughput of our kernels against FAISS 1.7.3 and hnswlib 0.6.2 in
// the same run (192, 512, 768 dimensions), and exact kNN over a set far
// larger than the last-level cache next to the machine's measured memory
// bandwidth. Google Benchmark does the timing; the rows go to
// bench-results/kernels.json.
#include <benchmark/benchmark.h>
#include <faiss/IndexFlat.h>
#include <faiss/utils/distances.h>
#include <omp.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "bench_report.h"
#include "hnswlib_baseline.h"
#include "simd/distance.h"
#include "vectors/exact_search.h"

namespace lake::bench {
namespace {

// Rows per distance batch: 256 x 768 floats is 768 KiB, inside L2, so the
// distance benchmarks measure the kernel, not memory.
constexpr std::size_t kBlockRows = 256;
constexpr std::size_t kScanRows = 200'000;
constexpr std::size_t kScanDimension = 768;
constexpr std::size_t kStreamBytes = std::size_t{1} << 30;

std::vector<float> RandomFloats(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<float> values(count);
  for (auto& v : values)
    v = normal(rng);
  return values;
}

using DistanceFunction = std::function<float(const float*, const float*)>;

struct Case {
  std::string system;
  std::string dataset;
  std::vector<std::pair<std::string, std::string>> params;
  // How to turn a run into rows: "distance" (vectors/s, GB/s), "scan" (GB/s,
  // queries/s) or "stream" (GB/s).
  std::string kind;
};
std::map<std::string, Case> g_cases;

void RegisterDistance(const std::string& system, const std::string& metric, std::size_t dimension,
                      DistanceFunction distance) {
  const std::string name = "distance/" + system + "/" + metric + "/" + std::to_string(dimension);
  g_cases[name] = {system,
                   "random-normal",
                   {{"dim", std::to_string(dimension)}, {"distance", metric}},
                   "distance"};
  benchmark::RegisterBenchmark(name.c_str(), [dimension, distance](benchmark::State& state) {
    const std::vector<float> rows = RandomFloats(kBlockRows * dimension, 1);
    const std::vector<float> query = RandomFloats(dimension, 2);
    for (auto _ : state) {
      float sum = 0;
      for (std::size_t r = 0; r < kBlockRows; ++r)
        sum += distance(query.data(), rows.data() + r * dimension);
      benchmark::DoNotOptimize(sum);
    }
    state.counters["vectors_per_s"] =
        benchmark::Counter(double(kBlockRows), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["bytes_per_s"] =
        benchmark::Counter(double(kBlockRows * dimension * sizeof(float)),
                           benchmark::Counter::kIsIterationInvariantRate);
  });
}

void RegisterDistances() {
  for (std::size_t dimension : {192, 512, 768}) {
    for (simd::Isa isa : simd::SupportedIsas()) {
      const simd::KernelTable& table = *simd::KernelsFor(isa);
      const std::string system =
          &table == &simd::Kernels() ? "lake" : "lake-" + std::string(simd::IsaName(isa));
      RegisterDistance(system, "l2", dimension,
                       [&table, dimension](const float* a, const float* b) {
                         return table.l2_squared(a, b, dimension);
                       });
      RegisterDistance(system, "inner_product", dimension,
                       [&table, dimension](const float* a, const float* b) {
                         return table.inner_product(a, b, dimension);
                       });
      RegisterDistance(system, "cosine", dimension,
                       [&table, dimension](const float* a, const float* b) {
                         return table.cosine_distance(a, b, dimension);
                       });
    }
    RegisterDistance("faiss", "l2", dimension, [dimension](const float* a, const float* b) {
      return faiss::fvec_L2sqr(a, b, dimension);
    });
    RegisterDistance("faiss", "inner_product", dimension,
                     [dimension](const float* a, const float* b) {
                       return faiss::fvec_inner_product(a, b, dimension);
                     });
    RegisterDistance("hnswlib", "l2", dimension, HnswlibL2(dimension));
    RegisterDistance("hnswlib", "inner_product", dimension, HnswlibInnerProduct(dimension));
  }
}

// The exact-scan data: built once, shared by ours and FAISS's flat index.
const std::vector<float>& ScanData() {
  static const std::vector<float> data = RandomFloats(kScanRows * kScanDimension, 3);
  return data;
}

void RegisterScans() {
  const std::vector<std::pair<std::string, std::string>> params = {
      {"rows", std::to_string(kScanRows)},
      {"dim", std::to_string(kScanDimension)},
      {"k", "10"},
      {"distance", "l2"},
      {"threads", "1"}};
  g_cases["scan/lake"] = {"lake", "random-normal", params, "scan"};
  benchmark::RegisterBenchmark("scan/lake", [](benchmark::State& state) {
    vectors::VectorTable table(kScanDimension, vectors::Metric::kL2, vectors::Codec::kFloat32);
    const float* data = ScanData().data();
    for (std::size_t r = 0; r < kScanRows; ++r)
      table.Insert({std::int64_t(r), 1}, 0, data + r * kScanDimension);
    const std::vector<float> query = RandomFloats(kScanDimension, 4);
    for (auto _ : state) {
      benchmark::DoNotOptimize(vectors::ExactSearch(table, query.data(), 10, {}));
    }
    state.counters["bytes_per_s"] =
        benchmark::Counter(double(kScanRows * kScanDimension * sizeof(float)),
                           benchmark::Counter::kIsIterationInvariantRate);
    state.counters["queries_per_s"] =
        benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
  })->Unit(benchmark::kMillisecond);

  g_cases["scan/faiss"] = {"faiss", "random-normal", params, "scan"};
  benchmark::RegisterBenchmark("scan/faiss", [](benchmark::State& state) {
    omp_set_num_threads(1);
    faiss::IndexFlatL2 index(kScanDimension);
    index.add(kScanRows, ScanData().data());
    const std::vector<float> query = RandomFloats(kScanDimension, 4);
    std::vector<float> distances(10);
    std::vector<faiss::Index::idx_t> labels(10);
    for (auto _ : state) {
      index.search(1, query.data(), 10, distances.data(), labels.data());
      benchmark::DoNotOptimize(labels.data());
    }
    state.counters["bytes_per_s"] =
        benchmark::Counter(double(kScanRows * kScanDimension * sizeof(float)),
                           benchmark::Counter::kIsIterationInvariantRate);
    state.counters["queries_per_s"] =
        benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
  })->Unit(benchmark::kMillisecond);
}

// The physical limit: one core streaming 1 GiB (read-only, as a scan does),
// and a memcpy of it (read + write bytes counted, as STREAM's Copy does).
void RegisterStreams() {
  const std::vector<std::pair<std::string, std::string>> params = {
      {"bytes", std::to_string(kStreamBytes)}, {"threads", "1"}};
  g_cases["stream/read"] = {"machine", "memory", params, "stream-read"};
  benchmark::RegisterBenchmark("stream/read", [](benchmark::State& state) {
    std::vector<std::uint64_t> buffer(kStreamBytes / sizeof(std::uint64_t), 1);
    for (auto _ : state) {
      std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (std::size_t i = 0; i < buffer.size(); i += 4) {
        s0 += buffer[i];
        s1 += buffer[i + 1];
        s2 += buffer[i + 2];
        s3 += buffer[i + 3];
      }
      benchmark::DoNotOptimize(s0 + s1 + s2 + s3);
    }
    state.counters["bytes_per_s"] =
        benchmark::Counter(double(kStreamBytes), benchmark::Counter::kIsIterationInvariantRate);
  })->Unit(benchmark::kMillisecond);

  g_cases["stream/copy"] = {"machine", "memory", params, "stream-copy"};
  benchmark::RegisterBenchmark("stream/copy", [](benchmark::State& state) {
    std::vector<char> source(kStreamBytes, 1), target(kStreamBytes, 0);
    for (auto _ : state) {
      std::memcpy(target.data(), source.data(), kStreamBytes);
      benchmark::ClobberMemory();
    }
    state.counters["bytes_per_s"] =
        benchmark::Counter(2.0 * kStreamBytes, benchmark::Counter::kIsIterationInvariantRate);
  })->Unit(benchmark::kMillisecond);
}

// Keeps every run's counters; rows are made once all runs are in.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      std::map<std::string, double>& values = results[run.benchmark_name()];
      for (const auto& [name, counter] : run.counters)
        values[name] = counter.value;
    }
  }
  std::map<std::string, std::map<std::string, double>> results;
};

BenchReport MakeReport(const CollectingReporter& reporter) {
  BenchReport report;
  std::map<std::string, double> best_peer, ours;  // by "metric/dim"
  double read_bandwidth = 0;
  for (const auto& [name, values] : reporter.results) {
    const Case& c = g_cases.at(name);
    const double bytes_per_s = values.at("bytes_per_s");
    if (c.kind == "distance") {
      const double vectors_per_s = values.at("vectors_per_s");
      report.Add({c.system, c.dataset, c.params, "throughput", vectors_per_s, "vectors/s"});
      report.Add({c.system, c.dataset, c.params, "bandwidth", bytes_per_s / 1e9, "GB/s"});
      const std::string key = c.params[1].second + "/" + c.params[0].second;
      if (c.system == "lake") ours[key] = vectors_per_s;
      if (c.system == "faiss" || c.system == "hnswlib") {
        best_peer[key] = std::max(best_peer[key], vectors_per_s);
      }
    } else if (c.kind == "scan") {
      report.Add({c.system, c.dataset, c.params, "scan_bandwidth", bytes_per_s / 1e9, "GB/s"});
      report.Add({c.system, c.dataset, c.params, "queries_per_s", values.at("queries_per_s"),
                  "queries/s"});
    } else {
      report.Add({c.system, c.dataset, c.params, c.kind + "_bandwidth", bytes_per_s / 1e9, "GB/s"});
      if (c.kind == "stream-read") read_bandwidth = bytes_per_s;
    }
  }
  for (const auto& [key, peer] : best_peer) {
    if (!ours.contains(key)) continue;
    const auto slash = key.find('/');
    report.Add({"lake",
                "random-normal",
                {{"dim", key.substr(slash + 1)}, {"distance", key.substr(0, slash)}},
                "ratio_vs_best_peer",
                ours[key] / peer,
                "x"});
  }
  if (read_bandwidth > 0 && reporter.results.contains("scan/lake")) {
    report.Add({"lake", "random-normal", g_cases["scan/lake"].params,
                "scan_share_of_read_bandwidth",
                reporter.results.at("scan/lake").at("bytes_per_s") / read_bandwidth, "ratio"});
  }
  return report;
}

}  // namespace
}  // namespace lake::bench

int main(int argc, char** argv) {
  std::string out = "bench-results/kernels.json";
  std::vector<char*> passthrough = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else {
      passthrough.push_back(argv[i]);
    }
  }
  int benchmark_argc = static_cast<int>(passthrough.size());
  benchmark::Initialize(&benchmark_argc, passthrough.data());

  lake::bench::RegisterDistances();
  lake::bench::RegisterScans();
  lake::bench::RegisterStreams();
  lake::bench::CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const lake::bench::BenchReport report = lake::bench::MakeReport(reporter);
  std::printf("\nSIMD kernels in use: %s\n\n",
              std::string(lake::simd::IsaName(lake::simd::Kernels().isa)).c_str());
  return report.Finish(out);
}
