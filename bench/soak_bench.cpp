// soak_bench: lake-server under a mixed load of well-behaved tenants while
// a chaos loop attacks it (issue 13). Tenants upsert vectors, search,
// write points and aggregate them, each request with a 2 s budget; after a
// quiet phase that sets their latency baseline, the chaos loop sends what
// once killed or stalled the server: huge k, unbounded aggregates over every
// series, clients that die mid-frame, slowloris hellos, floods of
// connections, and kill -9 of lake-server (restarted at once). At the end
// every acknowledged write is read back.
//
// Fails (exit 1) when an acknowledged write is lost, when a well-behaved
// request fails with anything but a clean error (unavailable while the
// server restarts, cancelled past its budget, busy at a limit) or answers
// later than its budget allows, when lake-server's memory passes the cap,
// or (--strict) when the chaos phase's p99 is more than 10x the quiet one.
//
//   soak_bench --work DIR --out FILE [--seconds S] [--tenants N] [--strict]
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_report.h"
#include "launcher/server_process.h"
#include "protocol/session.h"

namespace lake::bench {
namespace {

using namespace protocol;
using Clock = std::chrono::steady_clock;
constexpr std::uint32_t kDim = 32;
constexpr std::uint32_t kBudgetMs = 2000;
// A clean failure may come this long after the budget (a reconnect, a
// server restart in between).
constexpr auto kLateAfter = std::chrono::milliseconds(kBudgetMs + 3000);
constexpr double kMemoryCapMb = 4096;
constexpr std::int64_t kMinute = 60'000'000;
// Each tenant upserts ids from a window of this many, over and over: the
// collection stops growing (the quiet baseline stays comparable) and the
// index lives under churn.
constexpr std::int64_t kIdsPerTenant = 20000;

struct Options {
  std::string work = "build/bench-work";
  std::string out = "bench-results/soak.json";
  double seconds = 60;
  int tenants = 4;
  bool strict = false;
};

// Latencies of one phase, and what went wrong in it.
struct Phase {
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::uint64_t clean_errors = 0;  // unavailable, cancelled, busy
  std::uint64_t bad_errors = 0;    // anything else
  std::uint64_t late = 0;
  std::string first_bad;

  void Record(double ms, const Status& status, bool late_answer) {
    std::lock_guard lock(mutex);
    latencies_ms.push_back(ms);
    late += late_answer;
    if (status.ok()) return;
    const StatusCode code = status.code();
    if (code == StatusCode::kUnavailable || code == StatusCode::kCancelled ||
        code == StatusCode::kBusy || code == StatusCode::kIOError) {
      ++clean_errors;
    } else {
      if (bad_errors++ == 0) first_bad = status.ToString();
    }
  }
  double Percentile(double p) {
    std::lock_guard lock(mutex);
    if (latencies_ms.empty()) return 0;
    std::vector<double> sorted = latencies_ms;
    const std::size_t at = std::min(sorted.size() - 1, std::size_t(p * double(sorted.size())));
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(at), sorted.end());
    return sorted[at];
  }
};

struct Shared {
  launcher::ServerProcess* server = nullptr;
  std::mutex server_mutex;  // held while the server is killed and restarted
  std::atomic<bool> chaos{false};
  std::atomic<bool> done{false};
  Phase quiet, stormy;
  std::atomic<int> restarts{0};
  std::atomic<double> peak_rss_mb{0};
};

struct Tenant {
  std::int64_t id = 0;
  std::string token;
  std::uint64_t series = 0;
  std::vector<std::int64_t> acked_ids;
  std::vector<std::int64_t> acked_times;
};

std::int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<float> RandomVector(std::mt19937& random) {
  std::normal_distribution<float> normal;
  std::vector<float> v(kDim);
  for (float& x : v)
    x = normal(random);
  return v;
}

ClientOptions Budgeted(const launcher::ServerProcess& server) {
  ClientOptions options = server.client_options();
  options.io_timeout = std::chrono::milliseconds(kBudgetMs + 2000);
  options.budget_ms = [] { return std::optional<std::uint32_t>(kBudgetMs); };
  return options;
}

// One well-behaved tenant: a request at a time, a new session after a
// failure, every acknowledged write remembered.
void RunTenant(Shared& shared, Tenant& tenant, std::int64_t base_time) {
  std::mt19937 random(static_cast<unsigned>(tenant.id));
  std::unique_ptr<Session> session;
  std::int64_t written = 0;
  std::int64_t next_time = base_time;
  for (std::uint64_t n = 0; !shared.done; ++n) {
    const auto started = Clock::now();
    Status status;
    if (!session) {
      auto opened = Session::Open(Budgeted(*shared.server), tenant.token);
      status = opened.status();
      if (opened.ok()) session = std::move(opened).value();
    }
    if (session) {
      switch (n % 4) {
        case 0: {
          const std::int64_t id = tenant.id * 1'000'000'000 + written++ % kIdsPerTenant;
          UpsertRequest upsert{"soak", {{id, 0, 0, 0, RandomVector(random), "{}"}}};
          status = session->Call(upsert).status();
          if (status.ok()) tenant.acked_ids.push_back(id);
          break;
        }
        case 1:
          status =
              session
                  ->Call(SearchRequest{"soak", {.k = 10, .dimension = kDim}, RandomVector(random)})
                  .status();
          break;
        case 2:
          status = session->Call(WritePointsRequest{{{tenant.series, {next_time}, {double(n)}}}})
                       .status();
          if (status.ok()) tenant.acked_times.push_back(next_time);
          next_time += 1000;
          break;
        default:
          status = session
                       ->Call(TimeBucketRequest{{.series = {tenant.series},
                                                 .start = base_time,
                                                 .end = base_time + 60 * kMinute,
                                                 .width = kMinute}})
                       .status();
      }
      if (!status.ok() && !session->connected()) session.reset();
    }
    const auto took = Clock::now() - started;
    (shared.chaos ? shared.stormy : shared.quiet)
        .Record(std::chrono::duration<double, std::milli>(took).count(), status, took > kLateAfter);
    if (!status.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A raw Unix-socket connection for the attacks no client library makes.
int RawConnect(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  return fd;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return;
    bytes.remove_prefix(std::size_t(sent));
  }
}

double RssMb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// The attacks, one at a time, until the run ends.
void RunChaos(Shared& shared, const std::vector<std::uint64_t>& all_series) {
  std::mt19937 random(99);
  auto last_kill = Clock::now();
  std::vector<int> slowloris;
  while (!shared.done) {
    const std::string socket = shared.server->socket_path();
    auto admin = Session::Open(Budgeted(*shared.server), shared.server->admin_token());
    switch (random() % 6) {
      case 0:  // huge k
        if (admin.ok())
          (void)(*admin)->Call(SearchRequest{"soak",
                                             {.k = std::size_t{1} << 40, .dimension = kDim},
                                             std::vector<float>(kDim, 1.0f)});
        break;
      case 1:  // every series, no bounds, minute buckets
        if (admin.ok())
          (void)(*admin)->Call(TimeBucketRequest{{.series = all_series,
                                                  .start = std::numeric_limits<std::int64_t>::min(),
                                                  .end = std::numeric_limits<std::int64_t>::max(),
                                                  .width = kMinute}});
        break;
      case 2: {  // a client that dies mid-frame, after authenticating
        const int fd = RawConnect(socket);
        if (fd < 0) break;
        SendAll(fd, EncodeHello());
        SendAll(fd, EncodeFrame(static_cast<std::uint16_t>(MessageType::kAuthenticate), 1,
                                Encode(AuthenticateRequest{shared.server->admin_token()})));
        std::string partial = EncodeFrame(static_cast<std::uint16_t>(MessageType::kUpsert), 2,
                                          std::string(32u << 20, 'x'));
        partial.resize(4u << 20);
        SendAll(fd, partial);
        ::close(fd);
        break;
      }
      case 3: {  // slowloris: part of a hello, then nothing
        const int fd = RawConnect(socket);
        if (fd >= 0) {
          SendAll(fd, EncodeHello().substr(0, 3));
          slowloris.push_back(fd);
        }
        break;
      }
      case 4: {  // a flood of connections, held a moment
        std::vector<std::unique_ptr<Session>> flood;
        for (int i = 0; i < 200; ++i) {
          auto opened = Session::Open(Budgeted(*shared.server), shared.server->admin_token());
          if (opened.ok()) flood.push_back(std::move(opened).value());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        break;
      }
      default:  // kill -9, at most every 15 s
        if (Clock::now() - last_kill < std::chrono::seconds(15)) break;
        admin = Status::Cancelled("");  // drop the session before the kill
        {
          std::lock_guard lock(shared.server_mutex);
          shared.server->Kill();
          if (!shared.server->Start()) {
            std::fprintf(stderr, "soak: lake-server did not restart:\n%s\n",
                         shared.server->log().c_str());
            std::exit(1);
          }
        }
        ++shared.restarts;
        last_kill = Clock::now();
    }
    if (slowloris.size() > 20) {
      for (int fd : slowloris)
        ::close(fd);
      slowloris.clear();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (int fd : slowloris)
    ::close(fd);
}

template <typename T>
T Check(Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "soak: %s: %s\n", what, result.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

int Run(const Options& options) {
  const std::string dir = options.work + "/soak";
  std::filesystem::remove_all(dir);
  launcher::ServerProcess server(LAKE_SERVER_BINARY, dir);
  if (!server.Start()) {
    std::fprintf(stderr, "soak: lake-server did not start:\n%s\n", server.log().c_str());
    return 1;
  }
  Shared shared;
  shared.server = &server;
  auto admin = Check(server.Connect(), "connect");
  CreateCollectionRequest create;
  create.spec.name = "soak";
  create.spec.dimension = kDim;
  Check(admin->Call(create), "create collection");
  std::vector<Tenant> tenants(std::size_t(options.tenants));
  std::vector<std::uint64_t> all_series;
  for (int t = 0; t < options.tenants; ++t) {
    Tenant& tenant = tenants[std::size_t(t)];
    tenant.id = t + 1;
    tenant.token = Check(admin->Call(CreateTokenRequest{tenant.id}), "token").text;
    tenant.series =
        Check(admin->Call(EnsureSeriesRequest{{{tenant.id, "load", {}}}}), "series").ids[0];
    all_series.push_back(tenant.series);
  }
  admin.reset();
  const std::int64_t base_time = NowMicros() / kMinute * kMinute;

  std::vector<std::thread> clients;
  for (Tenant& tenant : tenants)
    clients.emplace_back([&] { RunTenant(shared, tenant, base_time); });
  std::thread sampler([&] {
    while (!shared.done) {
      const double rss = RssMb(server.pid());
      if (rss > shared.peak_rss_mb) shared.peak_rss_mb = rss;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  const auto quiet = std::chrono::duration<double>(options.seconds / 4);
  std::this_thread::sleep_for(quiet);
  shared.chaos = true;
  std::thread chaos([&] { RunChaos(shared, all_series); });
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds) - quiet);
  shared.done = true;
  chaos.join();
  for (std::thread& client : clients)
    client.join();
  sampler.join();

  // Every acknowledged write is there.
  admin = Check(server.Connect(), "connect after the run");
  std::uint64_t verified = 0, lost = 0;
  for (Tenant& tenant : tenants) {
    std::sort(tenant.acked_ids.begin(), tenant.acked_ids.end());
    tenant.acked_ids.erase(std::unique(tenant.acked_ids.begin(), tenant.acked_ids.end()),
                           tenant.acked_ids.end());
    for (std::size_t first = 0; first < tenant.acked_ids.size(); first += 1000) {
      GetRequest get{"soak", 0, {}};
      for (std::size_t i = first; i < std::min(tenant.acked_ids.size(), first + 1000); ++i)
        get.ids.push_back(tenant.acked_ids[i]);
      const auto found = Check(admin->Call(get), "get").records.size();
      verified += found;
      lost += get.ids.size() - found;
    }
    const auto scanned =
        Check(admin->Call(ScanRequest{
                  {tenant.series}, base_time, std::numeric_limits<std::int64_t>::max()}),
              "scan");
    const std::vector<std::int64_t>& times = scanned.series[0].timestamps;
    for (std::int64_t t : tenant.acked_times) {
      const bool there = std::binary_search(times.begin(), times.end(), t);
      verified += there;
      lost += !there;
    }
  }
  server.Stop();

  BenchReport report;
  const auto add = [&](const std::string& metric, double value, const std::string& unit) {
    report.Add({"lake",
                "soak",
                {{"tenants", std::to_string(options.tenants)},
                 {"seconds", std::to_string(int(options.seconds))}},
                metric,
                value,
                unit});
  };
  const double quiet_p99 = shared.quiet.Percentile(0.99);
  const double stormy_p99 = shared.stormy.Percentile(0.99);
  add("requests quiet", double(shared.quiet.latencies_ms.size()), "requests");
  add("requests under chaos", double(shared.stormy.latencies_ms.size()), "requests");
  add("p50 quiet", shared.quiet.Percentile(0.5), "ms");
  add("p99 quiet", quiet_p99, "ms");
  add("p50 under chaos", shared.stormy.Percentile(0.5), "ms");
  add("p99 under chaos", stormy_p99, "ms");
  add("clean errors under chaos", double(shared.stormy.clean_errors), "requests");
  add("bad errors", double(shared.quiet.bad_errors + shared.stormy.bad_errors), "requests");
  add("late answers", double(shared.quiet.late + shared.stormy.late), "requests");
  add("restarts survived", shared.restarts, "kill -9");
  add("peak RSS", shared.peak_rss_mb, "MiB");
  add("writes verified", double(verified), "writes");
  add("writes lost", double(lost), "writes");
  const int exit_code = report.Finish(options.out);

  bool failed = exit_code != 0;
  const auto fail = [&](const std::string& why) {
    std::fprintf(stderr, "soak: FAIL: %s\n", why.c_str());
    failed = true;
  };
  if (lost > 0) fail(std::to_string(lost) + " acknowledged writes lost");
  if (shared.quiet.bad_errors + shared.stormy.bad_errors > 0)
    fail("well-behaved requests failed badly, first: " + shared.quiet.first_bad +
         shared.stormy.first_bad);
  if (shared.quiet.late + shared.stormy.late > 0) fail("answers came later than their budget");
  if (shared.peak_rss_mb > kMemoryCapMb) fail("lake-server used more memory than the cap");
  if (verified == 0) fail("nothing was written");
  if (options.strict && stormy_p99 > 10 * std::max(quiet_p99, 1.0))
    fail("p99 under chaos is more than 10x the quiet p99");
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace lake::bench

int main(int argc, char** argv) {
  lake::bench::Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "soak_bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--work") {
      options.work = value();
    } else if (arg == "--out") {
      options.out = value();
    } else if (arg == "--seconds") {
      options.seconds = std::stod(value());
    } else if (arg == "--tenants") {
      options.tenants = std::stoi(value());
    } else if (arg == "--strict") {
      options.strict = true;
    } else {
      std::fprintf(stderr,
                   "usage: soak_bench --work DIR --out FILE [--seconds S] [--tenants N] "
                   "[--strict]\n");
      return 2;
    }
  }
  return lake::bench::Run(options);
}
