// recovery_bench: how long lake-server takes to answer again after a kill -9,
// with a million vectors in an HNSW collection (issue 13). Loads the rows
// through the protocol, lets the server take its periodic index snapshot
// (or not: --snapshot-every past the run), writes a few more rows, kills it
// with SIGKILL and times the restart until a search answers.
//
//   recovery_bench --work DIR --out FILE [--rows N] [--dim D]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "bench_report.h"
#include "launcher/server_process.h"
#include "protocol/session.h"

namespace lake::bench {
namespace {

using namespace protocol;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string work = "build/bench-work";
  std::string out = "bench-results/recovery.json";
  std::int64_t rows = 1'000'000;
  std::uint32_t dim = 16;
};

template <typename T>
T Check(Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "recovery_bench: %s: %s\n", what, result.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

UpsertRequest Rows(std::int64_t from, std::int64_t to, std::uint32_t dim) {
  std::mt19937 random(static_cast<unsigned>(from));
  std::normal_distribution<float> normal;
  UpsertRequest upsert{"recovery", {}};
  for (std::int64_t id = from; id < to; ++id) {
    std::vector<float> v(dim);
    for (float& x : v)
      x = normal(random);
    upsert.records.push_back({id, 0, 0, 0, std::move(v), "{}"});
  }
  return upsert;
}

// Seconds from a kill -9 until the restarted server answers a search.
double KillAndRestart(launcher::ServerProcess& server, std::uint32_t dim) {
  server.Kill();
  const auto started = Clock::now();
  if (!server.Start(std::chrono::seconds(3600))) {
    std::fprintf(stderr, "recovery_bench: no restart:\n%s\n", server.log().c_str());
    std::exit(1);
  }
  auto session = Check(server.Connect(), "connect");
  Check(session->Call(
            SearchRequest{"recovery", {.k = 10, .dimension = dim}, std::vector<float>(dim, 0.1f)}),
        "search");
  return std::chrono::duration<double>(Clock::now() - started).count();
}

double Measure(const Options& options, bool snapshots, BenchReport& report) {
  const std::string dir = options.work + (snapshots ? "/recovery-snap" : "/recovery-none");
  std::filesystem::remove_all(dir);
  // Without snapshots: the interval is past the run, as before this bench.
  launcher::ServerProcess server(LAKE_SERVER_BINARY, dir,
                                 {"--snapshot-every", snapshots ? "20" : "1000000"});
  if (!server.Start()) return -1;
  auto admin = Check(server.Connect(), "connect");
  CreateCollectionRequest create;
  create.spec.name = "recovery";
  create.spec.dimension = options.dim;
  Check(admin->Call(create), "create");
  const auto load_started = Clock::now();
  for (std::int64_t first = 0; first < options.rows; first += 10000)
    Check(admin->Call(Rows(first, std::min(options.rows, first + 10000), options.dim)), "load");
  const double load_s = std::chrono::duration<double>(Clock::now() - load_started).count();
  // A snapshot, then writes it does not hold (replayed at the restart).
  std::this_thread::sleep_for(std::chrono::seconds(snapshots ? 45 : 1));
  Check(admin->Call(Rows(options.rows, options.rows + 10000, options.dim)), "more rows");
  admin.reset();
  const double recovery_s = KillAndRestart(server, options.dim);
  server.Stop();
  const std::string system = snapshots ? "lake" : "lake-no-snapshots";
  const std::vector<std::pair<std::string, std::string>> params = {
      {"rows", std::to_string(options.rows)}, {"dim", std::to_string(options.dim)}};
  report.Add({system, "random-gaussian", params, "load through the protocol", load_s, "s"});
  report.Add({system, "random-gaussian", params, "recovery after kill -9", recovery_s, "s"});
  std::filesystem::remove_all(dir);
  return recovery_s;
}

}  // namespace
}  // namespace lake::bench

int main(int argc, char** argv) {
  lake::bench::Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i], value = argv[i + 1];
    if (arg == "--work") {
      options.work = value;
    } else if (arg == "--out") {
      options.out = value;
    } else if (arg == "--rows") {
      options.rows = std::stoll(value);
    } else if (arg == "--dim") {
      options.dim = static_cast<std::uint32_t>(std::stoul(value));
    } else {
      std::fprintf(stderr, "usage: recovery_bench --work DIR --out FILE [--rows N] [--dim D]\n");
      return 2;
    }
  }
  lake::bench::BenchReport report;
  lake::bench::Measure(options, false, report);
  lake::bench::Measure(options, true, report);
  return report.Finish(options.out);
}
