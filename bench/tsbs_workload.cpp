#include "tsbs_workload.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "storage/store.h"

namespace lake::bench {
namespace {

using timeseries::kMicrosPerDay;
using timeseries::kMicrosPerHour;
using timeseries::kMicrosPerMinute;
using timeseries::kMicrosPerSecond;

const char* const kMetrics[] = {"usage_user",   "usage_system",    "usage_idle",    "usage_nice",
                                "usage_iowait", "usage_irq",       "usage_softirq", "usage_steal",
                                "usage_guest",  "usage_guest_nice"};
constexpr int kMetricCount = 10;
constexpr std::int64_t kInterval = 10 * kMicrosPerSecond;
constexpr std::int64_t kEpoch = 1'672'531'200 * kMicrosPerSecond;  // 2023-01-01
// One write: every series of a writer, this many intervals each.
constexpr int kIntervalsPerWrite = 60;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct Series {
  std::uint64_t id = 0;
  int host = 0;
  int metric = 0;
};

// The value of one metric of one host at interval `step`: a clamped random
// walk of integer percentages, seeded per series, resumable per write.
struct Walk {
  std::mt19937_64 random;
  double value;
  explicit Walk(std::uint64_t seed) : random(seed), value(double(seed % 100)) {}
  double Next() {
    value = std::clamp(value + double(int(random() % 11) - 5), 0.0, 100.0);
    return value;
  }
};

timeseries::SeriesKey KeyOf(int host, int metric) {
  return {.tenant = 1,
          .metric = kMetrics[metric],
          .tags = {{"hostname", "host_" + std::to_string(host)},
                   {"region", "region_" + std::to_string(host % 3)},
                   {"datacenter", "dc_" + std::to_string(host % 7)}}};
}

struct Lake {
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<timeseries::TimeSeriesEngine> engine;
  std::vector<Series> series;  // host-major
};

Lake OpenLake(const std::string& dir, int hosts, std::int64_t now) {
  Lake lake;
  lake.store = std::move(storage::Store::Open(dir, {}).value());
  lake.engine =
      std::move(timeseries::TimeSeriesEngine::Open(
                    lake.store.get(), {.clock = [now] { return now; }, .retention_interval = 0})
                    .value());
  for (int h = 0; h < hosts; ++h) {
    for (int m = 0; m < kMetricCount; ++m)
      lake.series.push_back({lake.engine->EnsureSeries(KeyOf(h, m)).value(), h, m});
  }
  return lake;
}

// Writes the whole workload with `threads` writers, each owning a share of
// the hosts; returns points per second into sealed, durable chunks.
double Ingest(Lake& lake, int threads, std::int64_t steps) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  std::atomic<bool> failed{false};
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      std::vector<const Series*> mine;
      for (const Series& s : lake.series) {
        if (s.host % threads == t) mine.push_back(&s);
      }
      std::vector<Walk> walks;
      for (const Series* s : mine)
        walks.emplace_back(s->id * 7919);
      std::vector<std::vector<std::int64_t>> ts(mine.size());
      std::vector<std::vector<double>> values(mine.size());
      std::vector<timeseries::SeriesPoints> parts(mine.size());
      for (std::int64_t step = 0; step < steps; step += kIntervalsPerWrite) {
        const std::int64_t end = std::min(steps, step + kIntervalsPerWrite);
        for (std::size_t i = 0; i < mine.size(); ++i) {
          ts[i].clear();
          values[i].clear();
          for (std::int64_t k = step; k < end; ++k) {
            ts[i].push_back(kEpoch + k * kInterval);
            values[i].push_back(walks[i].Next());
          }
          parts[i] = {mine[i]->id, ts[i], values[i]};
        }
        if (!lake.engine->Write(parts).ok()) failed = true;
      }
    });
  }
  for (auto& w : writers)
    w.join();
  if (failed || !lake.engine->Flush().ok()) {
    std::fprintf(stderr, "tsbs: ingest failed\n");
    std::exit(1);
  }
  return double(lake.series.size()) * double(steps) / Seconds(started);
}

std::vector<std::uint64_t> SeriesOf(const Lake& lake, const std::vector<int>& hosts, int metrics) {
  std::vector<std::uint64_t> ids;
  for (const Series& s : lake.series) {
    if (s.metric < metrics && std::find(hosts.begin(), hosts.end(), s.host) != hosts.end())
      ids.push_back(s.id);
  }
  return ids;
}

// Median and 99th percentile latency in ms over `runs` runs of `query`,
// each with its own random start time.
template <typename Query>
std::pair<double, double> Time(int runs, Query query) {
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) {
    const auto started = std::chrono::steady_clock::now();
    query(r);
    ms.push_back(Seconds(started) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

}  // namespace

void RunTsbs(const TsbsConfig& config, BenchReport& report) {
  const std::int64_t steps = std::int64_t{config.days} * kMicrosPerDay / kInterval;
  const std::int64_t now = kEpoch + std::int64_t{config.days} * kMicrosPerDay;
  const std::string dataset =
      "tsbs-cpu-only-" + std::to_string(config.hosts) + "x" + std::to_string(config.days) + "d";
  const double points = double(config.hosts) * kMetricCount * double(steps);
  Lake lake;
  for (int threads : {1, 2}) {
    const std::string dir = config.work_dir + "/tsbs-" + std::to_string(threads);
    std::filesystem::remove_all(dir);
    lake = {};
    lake = OpenLake(dir, config.hosts, now);
    // Keep everything: the generated month must not age out mid-bench.
    (void)lake.engine->SetRetention({.standard = {0, 0}, .compliance = {0, 0}});
    const double rate = Ingest(lake, threads, steps);
    std::printf("tsbs: %d thread(s) ingested %.0f points at %.2f M points/s\n", threads, points,
                rate / 1e6);
    report.Add({"lake",
                dataset,
                {{"threads", std::to_string(threads)}, {"batch", "60 points x all series"}},
                "ingest_rate",
                rate,
                "points/s"});
  }
  const timeseries::TimeSeriesStats stats = lake.engine->Stats();
  report.Add({"lake",
              dataset,
              {{"what", "chunks"}},
              "bytes_per_point",
              double(stats.chunk_bytes) / double(stats.sealed_points),
              "bytes"});
  // Everything on disk (chunks, rollups, catalog) once RocksDB has settled.
  if (!lake.store->Compact().ok()) std::exit(1);
  std::uintmax_t disk = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(lake.store->dir())) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.ends_with(".sst")) disk += entry.file_size();
  }
  report.Add({"lake",
              dataset,
              {{"what", "all sst files"}},
              "bytes_per_point",
              double(disk) / points,
              "bytes"});
  std::printf("tsbs: %.3f bytes/point in chunks, %.3f bytes/point on disk after compaction\n",
              double(stats.chunk_bytes) / double(stats.sealed_points), double(disk) / points);

  std::mt19937_64 random(42);
  const auto random_start = [&](std::int64_t span) {
    const std::int64_t room = std::max<std::int64_t>(now - span - kEpoch, 1);
    return timeseries::FloorTo(kEpoch + std::int64_t(random() % std::uint64_t(room)),
                               kMicrosPerMinute);
  };
  const auto random_hosts = [&](int n) {
    std::vector<int> hosts;
    while (int(hosts.size()) < std::min(n, config.hosts)) {
      const int h = int(random() % std::uint64_t(config.hosts));
      if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    }
    return hosts;
  };
  const auto bucket_query = [&](const std::vector<std::uint64_t>& ids, std::int64_t span,
                                std::int64_t width) {
    const std::int64_t start = random_start(span);
    auto rows = lake.engine->TimeBucket(
        {.series = ids, .start = start, .end = start + span, .width = width});
    if (!rows.ok() || rows->empty()) {
      std::fprintf(stderr, "tsbs: query failed\n");
      std::exit(1);
    }
  };
  struct Named {
    std::string name, what;
    std::pair<double, double> latency;
  };
  std::vector<Named> queries;
  const std::int64_t five_minutes = 5 * kMicrosPerMinute;
  queries.push_back(
      {"single-groupby-1-1-1", "max of 1 metric, 1 host, 1 h by 5 min", Time(200, [&](int) {
         bucket_query(SeriesOf(lake, random_hosts(1), 1), kMicrosPerHour, five_minutes);
       })});
  queries.push_back(
      {"single-groupby-1-1-12", "max of 1 metric, 1 host, 12 h by 5 min", Time(200, [&](int) {
         bucket_query(SeriesOf(lake, random_hosts(1), 1), 12 * kMicrosPerHour, five_minutes);
       })});
  queries.push_back(
      {"single-groupby-5-8-1", "max of 5 metrics, 8 hosts, 1 h by 5 min", Time(100, [&](int) {
         bucket_query(SeriesOf(lake, random_hosts(8), 5), kMicrosPerHour, five_minutes);
       })});
  std::vector<int> all_hosts(std::size_t(config.hosts));
  for (int h = 0; h < config.hosts; ++h)
    all_hosts[std::size_t(h)] = h;
  const auto all_series = SeriesOf(lake, all_hosts, kMetricCount);
  queries.push_back(
      {"double-groupby-all", "mean of 10 metrics per host per hour, 24 h",
       Time(20, [&](int) { bucket_query(all_series, 24 * kMicrosPerHour, kMicrosPerHour); })});
  queries.push_back(
      {"high-cpu-all", "rows with usage_user > 90 on all hosts, 24 h", Time(10, [&](int) {
         const std::int64_t start = random_start(24 * kMicrosPerHour);
         auto users =
             lake.engine->Scan(SeriesOf(lake, all_hosts, 1), start, start + 24 * kMicrosPerHour);
         // TSBS returns every metric of the matching rows: read them too.
         auto rows = lake.engine->Scan(all_series, start, start + 24 * kMicrosPerHour);
         std::size_t matches = 0;
         for (const auto& scan : users.value()) {
           for (double v : scan.values)
             matches += v > 90.0;
         }
         if (!rows.ok() || matches == 0) std::exit(1);
       })});
  queries.push_back({"lastpoint", "last reading of every metric of every host", Time(50, [&](int) {
                       for (std::uint64_t id : all_series) {
                         if (!lake.engine->LastPoint(id).ok()) std::exit(1);
                       }
                     })});
  for (const Named& q : queries) {
    std::printf("tsbs: %-22s p50 %8.3f ms  p99 %8.3f ms  (%s)\n", q.name.c_str(), q.latency.first,
                q.latency.second, q.what.c_str());
    report.Add({"lake", dataset, {{"query", q.name}}, "latency_p50", q.latency.first, "ms"});
    report.Add({"lake", dataset, {{"query", q.name}}, "latency_p99", q.latency.second, "ms"});
  }
}

}  // namespace lake::bench
