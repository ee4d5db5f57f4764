// lake-server --data-dir DIR [--socket PATH] [--tcp-port N [--tcp-host H]]
//             [--workers N] [--max-connections N] [--idle-timeout SECONDS]
//             [--snapshot-every SECONDS] [--block-cache-mb N]
//
// Owns a lake data directory: opens (or creates) it, recovers the engines
// (index snapshots plus replay, time-series heads from the WAL), and serves
// the protocol until SIGTERM or SIGINT, then finishes what is in flight,
// snapshots the vector indexes and closes. A second server on the same
// directory is refused (exit code 2).
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/log.h"
#include "common/periodic.h"
#include "server/server.h"
#include "server/service.h"
#include "server/token_store.h"
#include "storage/store.h"
#include "timeseries/timeseries_engine.h"
#include "vectors/vector_engine.h"

namespace {

constexpr int kRefused = 2;

struct Flags {
  std::string data_dir;
  std::string socket_path;
  int tcp_port = -1;
  std::string tcp_host = "127.0.0.1";
  // More workers than cores: the kernel time-slices a long request with
  // the short ones behind it, and one worker is kept for quick requests.
  int workers = static_cast<int>(std::max(4u, 2 * std::thread::hardware_concurrency()));
  double idle_timeout_s = 600;
  std::size_t max_connections = 512;
  double snapshot_every_s = 60;
  std::size_t block_cache_mb = 256;
};

int Fail(const lake::Status& status, std::string_view what) {
  lake::Log(lake::LogLevel::kError, std::string(what) + ": " + status.ToString());
  return status.code() == lake::StatusCode::kBusy ? kRefused : 1;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Serve(const Flags& flags) {
  using namespace lake;
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(flags.data_dir, error);
  if (error) return Fail(Status::IOError(error.message()), "cannot create " + flags.data_dir);
  ::chmod(flags.data_dir.c_str(), 0700);
  const std::string data_dir = fs::canonical(flags.data_dir).string();

  const auto started = std::chrono::steady_clock::now();
  auto store = storage::Store::Open(data_dir, {.block_cache_bytes = flags.block_cache_mb << 20});
  if (!store.ok()) return Fail(store.status(), "cannot start on " + data_dir);
  auto vectors = vectors::VectorEngine::Open(store->get());
  if (!vectors.ok()) return Fail(vectors.status(), "cannot recover the vector collections");
  auto series = timeseries::TimeSeriesEngine::Open(store->get(), {});
  if (!series.ok()) return Fail(series.status(), "cannot recover the time series");
  auto tokens = server::TokenStore::Open(store->get(), data_dir);
  if (!tokens.ok()) return Fail(tokens.status(), "cannot read the tokens");

  std::size_t records = 0;
  const auto collections = (*vectors)->ListCollections();
  for (const auto& info : collections)
    records += info.record_count;
  const timeseries::TimeSeriesStats ts = (*series)->Stats();
  Log(LogLevel::kInfo, "recovered " + data_dir + " in " + std::to_string(SecondsSince(started)) +
                           " s: " + std::to_string(collections.size()) + " collections (" +
                           std::to_string(records) + " vectors), " + std::to_string(ts.series) +
                           " series (" + std::to_string(ts.sealed_points) + " sealed points, " +
                           std::to_string(ts.head_points) + " unsealed points from the log)");

  server::Service service({store->get(), vectors->get(), series->get()}, tokens->get());
  auto transactions = service.RecoverTransactions();
  if (!transactions.ok()) return Fail(transactions.status(), "cannot apply committed transactions");
  if (*transactions > 0)
    Log(LogLevel::kInfo, "applied " + std::to_string(*transactions) +
                             " committed transactions that the last run had not finished");
  server::ServerOptions options;
  options.socket_path = flags.socket_path.empty() ? data_dir + "/lake.sock" : flags.socket_path;
  if (flags.tcp_port >= 0) options.tcp_port = static_cast<std::uint16_t>(flags.tcp_port);
  options.tcp_host = flags.tcp_host;
  options.workers = flags.workers;
  options.max_connections = flags.max_connections;
  options.idle_timeout = std::chrono::milliseconds(static_cast<long>(flags.idle_timeout_s * 1000));
  // Before the first answer: whoever sees the server answer finds its pid.
  const std::string pid_path = data_dir + "/lake-server.pid";
  std::ofstream(pid_path) << ::getpid() << "\n";
  auto server = server::Server::Start(
      options, [&service](server::Caller& caller, const protocol::Frame& request) {
        return service.Handle(caller, request);
      });
  if (!server.ok()) return Fail(server.status(), "cannot listen");
  service.AttachServer(server->get());

  std::string listening = options.socket_path;
  if (auto port = (*server)->tcp_port())
    listening += " and " + options.tcp_host + ":" + std::to_string(*port);
  Log(LogLevel::kInfo, "serving on " + listening + " with " + std::to_string(options.workers) +
                           " workers (pid " + std::to_string(::getpid()) + "; admin token in " +
                           server::TokenStore::AdminTokenPath(data_dir) + ")");

  // Index snapshots while serving, of the collections written to since their
  // last one: after a crash the next start restores a recent graph and
  // replays what came after, instead of building every index again.
  auto snapshotter = std::make_unique<Periodic>(
      std::chrono::milliseconds(static_cast<long>(flags.snapshot_every_s * 1000)), [&] {
        const Status taken = (*vectors)->SnapshotIndexes(/*changed_only=*/true);
        if (!taken.ok()) Log(LogLevel::kWarning, "index snapshot failed: " + taken.ToString());
      });
  Status ran = (*server)->Run();
  if (ran.code() == StatusCode::kBusy) {
    // A request that cannot be interrupted outlived the stop's grace: exit
    // now, as a crash would (every acknowledged write is durable; the next
    // start replays what the index snapshot lacks).
    Log(LogLevel::kError, "stopping without an index snapshot: " + ran.message());
    std::_Exit(1);
  }
  snapshotter.reset();
  server->reset();
  if (!ran.ok()) Log(LogLevel::kError, "serving failed: " + ran.ToString());
  Status closed = (*vectors)->Close();
  if (!closed.ok()) Log(LogLevel::kError, "index snapshot at stop failed: " + closed.ToString());
  series->reset();
  vectors->reset();
  store->reset();
  fs::remove(pid_path, error);
  Log(LogLevel::kInfo, ran.ok() && closed.ok() ? "stopped cleanly" : "stopped with errors");
  return ran.ok() && closed.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"lake-server: owns a lake data directory and serves it to clients"};
  app.add_option("--data-dir", flags.data_dir, "the data directory (created if missing)")
      ->required();
  app.add_option("--socket", flags.socket_path, "Unix socket path (default DIR/lake.sock)");
  app.add_option("--tcp-port", flags.tcp_port, "also listen on TCP (0: any free port)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--tcp-host", flags.tcp_host, "TCP address to bind")->capture_default_str();
  app.add_option("--workers", flags.workers, "worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--max-connections", flags.max_connections, "connections open at once")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  app.add_option("--snapshot-every", flags.snapshot_every_s,
                 "snapshot changed vector indexes this often while serving (s)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--idle-timeout", flags.idle_timeout_s, "close connections idle this long (s)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--block-cache-mb", flags.block_cache_mb, "RocksDB block cache")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return Serve(flags);
}
