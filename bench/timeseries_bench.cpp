// tools/lake bench timeseries
//
// On the real series in ../shared/data/timeseries (NAB, SKAB, darts, M4, the
// ALP paper's samples), cut into chunks of 4,096 points as the engine seals
// them:
//  * size: bits per value and bytes per (timestamp, value) point for our
//    chunks (ALP or Gorilla per chunk), ALP alone, our Gorilla, zstd alone
//    and raw 16-byte points;
//  * decode + sum throughput per codec, values/s on one core;
// then a TSBS-style cpu-only workload: ingest at 1 and 2 threads into
// sealed, durable chunks, and the standard queries' latency.
// Options: --hosts N --days N (TSBS size), --only codecs|tsbs, --work DIR.
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "bench_report.h"
#include "datasets/timeseries_datasets.h"
#include "timeseries/alp_codec.h"
#include "timeseries/chunk.h"
#include "timeseries/gorilla_codec.h"
#include "timeseries/timestamp_codec.h"
#include "tsbs_workload.h"

namespace lake::bench {
namespace {

using namespace lake::timeseries;

constexpr std::size_t kChunkPoints = 4096;
constexpr int kZstdLevel = 3;

struct Piece {
  std::span<const std::int64_t> timestamps;
  std::span<const double> values;
};

std::vector<Piece> Pieces(const datasets::NamedSeries& s) {
  std::vector<Piece> pieces;
  for (std::size_t at = 0; at < s.values.size(); at += kChunkPoints) {
    const std::size_t n = std::min(kChunkPoints, s.values.size() - at);
    pieces.push_back({{s.timestamps.data() + at, n}, {s.values.data() + at, n}});
  }
  return pieces;
}

std::string Zstd(const void* data, std::size_t size) {
  std::string out(ZSTD_compressBound(size), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data, size, kZstdLevel));
  return out;
}

// Bytes of each encoding of one piece.
struct Sizes {
  double points = 0;
  double timestamps = 0;   // our delta-of-delta block
  double chunk = 0;        // our chunk: header + timestamps + smaller of ALP/Gorilla
  double chunk_zstd = 0;   // the same with zstd on top (cold chunks)
  double alp = 0;          // values only
  double gorilla = 0;      // values only
  double zstd_values = 0;  // values only
  double zstd_points = 0;  // 16-byte (timestamp, value) pairs
  void Add(const Sizes& o) {
    points += o.points, timestamps += o.timestamps, chunk += o.chunk, chunk_zstd += o.chunk_zstd;
    alp += o.alp, gorilla += o.gorilla, zstd_values += o.zstd_values, zstd_points += o.zstd_points;
  }
};

Sizes Measure(const Piece& p) {
  Sizes s;
  s.points = double(p.values.size());
  std::string bytes;
  ByteWriter out(&bytes);
  EncodeTimestamps(p.timestamps, out);
  s.timestamps = double(bytes.size());
  bytes.clear();
  EncodeAlp(p.values, out);
  s.alp = double(bytes.size());
  bytes.clear();
  EncodeGorilla(p.values, out);
  s.gorilla = double(bytes.size());
  s.chunk = double(EncodeChunk(p.timestamps, p.values, {}).size());
  s.chunk_zstd = double(EncodeChunk(p.timestamps, p.values, {.zstd = true}).size());
  s.zstd_values = double(Zstd(p.values.data(), p.values.size() * 8).size());
  std::vector<std::int64_t> pairs;
  for (std::size_t i = 0; i < p.values.size(); ++i) {
    pairs.push_back(p.timestamps[i]);
    pairs.push_back(std::bit_cast<std::int64_t>(p.values[i]));
  }
  s.zstd_points = double(Zstd(pairs.data(), pairs.size() * 8).size());
  return s;
}

// (system, bits per value, bytes per point) for one total.
std::vector<std::tuple<std::string, double, double>> Rates(const Sizes& s) {
  const double n = s.points;
  return {
      {"lake", std::min(s.alp, s.gorilla) * 8 / n, s.chunk / n},
      {"lake-zstd", (s.chunk_zstd - s.timestamps) * 8 / n, s.chunk_zstd / n},
      {"lake-alp", s.alp * 8 / n, (s.timestamps + s.alp) / n},
      {"gorilla", s.gorilla * 8 / n, (s.timestamps + s.gorilla) / n},
      {"zstd", s.zstd_values * 8 / n, s.zstd_points / n},
      {"raw", 64, 16},
  };
}

double CpuMhz() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cpu MHz", 0) == 0) return std::stod(line.substr(line.find(':') + 1));
  }
  return 0;
}

double Sum(const double* v, std::size_t n) {
  double lanes[8] = {};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l)
      lanes[l] += v[i + l];
  }
  for (; i < n; ++i)
    lanes[0] += v[i];
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
         ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

// Values per second of decode + sum over `encoded` pieces, best of 5 passes.
template <typename Decode>
double DecodeRate(const std::vector<std::string>& encoded, const std::vector<std::size_t>& counts,
                  Decode decode) {
  std::vector<double> buffer(kChunkPoints);
  double total = 0, best = 0;
  std::size_t values = 0;
  for (std::size_t n : counts)
    values += n;
  for (int pass = 0; pass < 5; ++pass) {
    const auto started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      std::span<double> out(buffer.data(), counts[i]);
      decode(encoded[i], out);
      total += Sum(out.data(), out.size());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    best = std::max(best, double(values) / seconds);
  }
  if (total == 12345.678) std::printf(" ");  // keep the sums alive
  return best;
}

void Compression(BenchReport& report,
                 std::map<std::string, std::vector<datasets::NamedSeries>>& sets) {
  Sizes overall;
  for (auto& [name, series] : sets) {
    Sizes total;
    std::map<std::string, double> mean_bits;  // per-series mean, as the ALP paper reports
    for (const auto& s : series) {
      Sizes one;
      for (const Piece& p : Pieces(s))
        one.Add(Measure(p));
      for (const auto& [system, bits, bytes] : Rates(one))
        mean_bits[system] += bits / double(series.size());
      total.Add(one);
    }
    overall.Add(total);
    const std::string params_series = std::to_string(series.size());
    for (const auto& [system, bits, bytes] : Rates(total)) {
      report.Add(
          {system,
           name,
           {{"series", params_series}, {"points", std::to_string(std::size_t(total.points))}},
           "bits_per_value",
           bits,
           "bits"});
      report.Add({system,
                  name,
                  {{"series", params_series}},
                  "mean_bits_per_value",
                  mean_bits[system],
                  "bits"});
      report.Add({system, name, {{"series", params_series}}, "bytes_per_point", bytes, "bytes"});
    }
  }
  for (const auto& [system, bits, bytes] : Rates(overall)) {
    report.Add({system,
                "all",
                {{"points", std::to_string(std::size_t(overall.points))}},
                "bits_per_value",
                bits,
                "bits"});
    report.Add({system, "all", {}, "bytes_per_point", bytes, "bytes"});
  }
}

void DecodeSpeed(BenchReport& report,
                 std::map<std::string, std::vector<datasets::NamedSeries>>& sets) {
  const double mhz = CpuMhz();
  for (auto& [name, series] : sets) {
    std::vector<std::string> alp, gorilla, zstd;
    std::vector<std::size_t> counts;
    for (const auto& s : series) {
      for (const Piece& p : Pieces(s)) {
        std::string a, g;
        ByteWriter alp_out(&a), gorilla_out(&g);
        EncodeAlp(p.values, alp_out);
        EncodeGorilla(p.values, gorilla_out);
        alp.push_back(std::move(a));
        gorilla.push_back(std::move(g));
        zstd.push_back(Zstd(p.values.data(), p.values.size() * 8));
        counts.push_back(p.values.size());
      }
    }
    const double alp_rate =
        DecodeRate(alp, counts, [](const std::string& b, std::span<double> out) {
          ByteReader in(b);
          (void)DecodeAlp(in, out);
        });
    const double gorilla_rate =
        DecodeRate(gorilla, counts, [](const std::string& b, std::span<double> out) {
          ByteReader in(b);
          (void)DecodeGorilla(in, out);
        });
    const double zstd_rate =
        DecodeRate(zstd, counts, [](const std::string& b, std::span<double> out) {
          (void)ZSTD_decompress(out.data(), out.size() * 8, b.data(), b.size());
        });
    for (const auto& [system, rate] :
         {std::pair{"lake-alp", alp_rate}, {"gorilla", gorilla_rate}, {"zstd", zstd_rate}}) {
      report.Add({system, name, {{"threads", "1"}}, "decode_sum_rate", rate, "values/s"});
      if (mhz > 0)
        report.Add({system,
                    name,
                    {{"cpu_mhz", std::to_string(int(mhz))}},
                    "cycles_per_value",
                    mhz * 1e6 / rate,
                    "cycles"});
    }
  }
}

}  // namespace
}  // namespace lake::bench

int main(int argc, char** argv) {
  using namespace lake::bench;
  std::string out = "bench-results/timeseries.json";
  TsbsConfig tsbs;
  std::string only;  // "codecs" or "tsbs": one half of the bench
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--out")
      out = value;
    else if (flag == "--work")
      tsbs.work_dir = value;
    else if (flag == "--hosts")
      tsbs.hosts = std::stoi(value);
    else if (flag == "--days")
      tsbs.days = std::stoi(value);
    else if (flag == "--only")
      only = value;
  }
  BenchReport report;
  if (only != "tsbs") {
    std::map<std::string, std::vector<lake::datasets::NamedSeries>> sets;
    for (const std::string& name : lake::datasets::TimeseriesDatasets()) {
      auto series = lake::datasets::LoadTimeseriesDataset(name);
      if (!series.ok()) {
        std::fprintf(stderr, "%s\n", series.status().ToString().c_str());
        return 1;
      }
      sets[name] = std::move(*series);
    }
    Compression(report, sets);
    DecodeSpeed(report, sets);
  }
  if (only != "codecs") RunTsbs(tsbs, report);
  return report.Finish(out);
}
