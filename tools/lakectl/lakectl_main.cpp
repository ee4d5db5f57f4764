// lakectl: the operator's tool, a client of lake-server.
//
//   lakectl [--data-dir DIR] [--socket PATH] [--token TOKEN] COMMAND
//     status | stats | collections [NAME] | create-collection NAME --dimension N ...
//     drop-collection NAME | token create --tenant N | token revoke TOKEN
//     snapshot | checkpoint DIR | flush | restore --from DIR [--force]
//     import COLLECTION FILE.jsonl | import-points FILE.jsonl
//     retention [--class C] [--raw D] [--minute D] [--hour D] [--day D]
//     sample --embeddings COLLECTION=FILE ...
//
// The socket defaults to DIR/lake.sock and the token to $LAKE_TOKEN, then
// to DIR/admin.token. `restore` is offline: it refuses while a server runs.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "import.h"
#include "protocol/session.h"
#include "sample.h"

namespace {

namespace fs = std::filesystem;
using lake::Result;
using lake::Status;
using lake::protocol::Session;

struct Target {
  std::string data_dir;
  std::string socket_path;
  std::string token;

  std::string socket() const { return socket_path.empty() ? data_dir + "/lake.sock" : socket_path; }
};

int Fail(const Status& status) {
  std::fprintf(stderr, "lakectl: %s\n", status.ToString().c_str());
  return 1;
}

Result<std::unique_ptr<Session>> Connect(const Target& target) {
  std::string token = target.token;
  if (token.empty() && std::getenv("LAKE_TOKEN") != nullptr) token = std::getenv("LAKE_TOKEN");
  if (token.empty()) {
    std::ifstream in(target.data_dir + "/admin.token");
    std::getline(in, token);
    if (token.empty()) {
      return Status::InvalidArgument(
          "no token: pass --token, set LAKE_TOKEN, or run as the "
          "owner of " +
          target.data_dir + "/admin.token");
    }
  }
  lake::protocol::ClientOptions options;
  options.socket_path = target.socket();
  options.io_timeout = std::chrono::hours(1);  // rebuilds and checkpoints take a while
  return Session::Open(options, token);
}

template <typename Request>
int Run(const Target& target, const Request& request,
        const std::function<void(const typename Request::Reply&)>& print = {}) {
  auto session = Connect(target);
  if (!session.ok()) return Fail(session.status());
  auto reply = (*session)->Call(request);
  if (!reply.ok()) return Fail(reply.status());
  if (print) print(*reply);
  return 0;
}

void PrintCollections(const lake::protocol::CollectionsReply& reply) {
  std::printf("%-24s %6s %-14s %-9s %-8s %10s %14s %14s\n", "name", "dim", "metric", "index",
              "codec", "records", "table_bytes", "index_bytes");
  for (const auto& info : reply.collections) {
    const auto& spec = info.spec;
    std::printf("%-24s %6u %-14s %-9s %-8s %10zu %14zu %14zu\n", spec.name.c_str(), spec.dimension,
                std::string(lake::vectors::MetricName(spec.metric)).c_str(),
                std::string(lake::vectors::IndexKindName(spec.index.kind)).c_str(),
                std::string(lake::vectors::CodecName(spec.codec)).c_str(), info.record_count,
                info.table_bytes, info.index_bytes);
  }
}

int Restore(const Target& target, const std::string& from, bool force) {
  std::error_code error;
  if (!fs::exists(fs::path(from) / "db" / "CURRENT", error)) {
    return Fail(Status::InvalidArgument(from + " is not a lake checkpoint (no db/CURRENT)"));
  }
  if (Connect(target).ok() || fs::exists(target.data_dir + "/lake-server.pid", error)) {
    std::ifstream pid_file(target.data_dir + "/lake-server.pid");
    pid_t pid = 0;
    if (!(pid_file >> pid) || ::kill(pid, 0) == 0) {
      return Fail(Status::Busy("a lake-server is running on " + target.data_dir +
                               "; stop it first (tools/lake server stop)"));
    }
  }
  if (fs::exists(target.data_dir, error) && !fs::is_empty(target.data_dir, error)) {
    if (!force) {
      return Fail(
          Status::AlreadyExists(target.data_dir + " holds data; pass --force to move it aside"));
    }
    const std::string aside = target.data_dir + ".before-restore-" +
                              std::to_string(std::chrono::system_clock::now().time_since_epoch() /
                                             std::chrono::seconds(1));
    fs::rename(target.data_dir, aside, error);
    if (error)
      return Fail(Status::IOError("cannot move " + target.data_dir + ": " + error.message()));
    std::printf("moved the old data directory to %s\n", aside.c_str());
  }
  fs::create_directories(fs::path(target.data_dir).parent_path(), error);
  fs::copy(from, target.data_dir, fs::copy_options::recursive, error);
  if (error) return Fail(Status::IOError("cannot copy " + from + ": " + error.message()));
  fs::permissions(target.data_dir, fs::perms::owner_all, error);
  std::printf("restored %s into %s\n", from.c_str(), target.data_dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lake::protocol;
  Target target;
  target.data_dir =
      std::getenv("LAKE_DATA_DIR") != nullptr ? std::getenv("LAKE_DATA_DIR") : "var/lake";
  CLI::App app{"lakectl: operate a lake-server"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command
  app.add_option("--data-dir", target.data_dir, "the server's data directory")
      ->capture_default_str();
  app.add_option("--socket", target.socket_path, "the server's socket (default DIR/lake.sock)");
  app.add_option("--token", target.token, "token (default $LAKE_TOKEN, then DIR/admin.token)");

  int code = 0;
  app.add_subcommand("status", "is the server up? (its identity for this token)")->callback([&] {
    code = Run(target, PingRequest{}, [&](const EmptyReply&) {
      std::printf("lake-server is up on %s\n", target.socket().c_str());
    });
  });
  app.add_subcommand("stats", "counters, sizes, latency percentiles (JSON)")->callback([&] {
    code = Run(target, StatsRequest{}, [](const TextReply& r) { std::puts(r.text.c_str()); });
  });

  auto* collections = app.add_subcommand("collections", "list the vector collections");
  std::string collection_name;
  collections->add_option("name", collection_name, "only this one");
  collections->callback(
      [&] { code = Run(target, ListCollectionsRequest{collection_name}, PrintCollections); });

  auto* create = app.add_subcommand("create-collection", "create a vector collection");
  CreateCollectionRequest create_request;
  auto& spec = create_request.spec;
  std::string metric = "l2", codec = "float32", index = "hnsw";
  create->add_option("name", spec.name)->required();
  create->add_option("--dimension", spec.dimension)->required();
  create->add_option("--metric", metric, "l2, cosine or inner_product")->capture_default_str();
  create->add_option("--codec", codec, "float32, float16 or int8")->capture_default_str();
  create->add_option("--index", index, "hnsw, ivf_flat, ivf_pq or flat")->capture_default_str();
  create->add_option("--model", spec.model_name, "embedding model name");
  create->add_option("--m", spec.index.hnsw_m)->capture_default_str();
  create->add_option("--ef-construction", spec.index.hnsw_ef_construction)->capture_default_str();
  create->add_option("--ef-search", spec.index.hnsw_ef_search)->capture_default_str();
  create->add_option("--lists", spec.index.ivf_lists)->capture_default_str();
  create->add_option("--probes", spec.index.ivf_probes)->capture_default_str();
  create->callback([&] {
    auto parsed_metric = lake::vectors::ParseMetric(metric);
    auto parsed_codec = lake::vectors::ParseCodec(codec);
    auto parsed_index = lake::vectors::ParseIndexKind(index);
    for (const Status& status :
         {parsed_metric.status(), parsed_codec.status(), parsed_index.status()}) {
      if (!status.ok()) {
        code = Fail(status);
        return;
      }
    }
    spec.metric = *parsed_metric;
    spec.codec = *parsed_codec;
    spec.index.kind = *parsed_index;
    code = Run(target, create_request,
               [&](const EmptyReply&) { std::printf("created %s\n", spec.name.c_str()); });
  });

  auto* drop = app.add_subcommand("drop-collection", "drop a collection and all its records");
  DropCollectionRequest drop_request;
  drop->add_option("name", drop_request.name)->required();
  drop->callback([&] {
    code = Run(target, drop_request,
               [&](const EmptyReply&) { std::printf("dropped %s\n", drop_request.name.c_str()); });
  });

  auto* token = app.add_subcommand("token", "tenant tokens");
  token->require_subcommand(1);
  CreateTokenRequest token_create;
  auto* token_create_command = token->add_subcommand("create", "a new token for one tenant");
  token_create_command->add_option("--tenant", token_create.tenant)->required();
  token_create_command->callback([&] {
    code = Run(target, token_create, [](const TextReply& r) { std::puts(r.text.c_str()); });
  });
  RevokeTokenRequest token_revoke;
  auto* token_revoke_command = token->add_subcommand("revoke", "revoke a tenant token");
  token_revoke_command->add_option("token", token_revoke.token)->required();
  token_revoke_command->callback([&] {
    code = Run(target, token_revoke, [&](const CountReply& r) {
      std::puts(r.count == 1 ? "revoked" : "no such token");
      if (r.count == 0) code = 1;
    });
  });

  app.add_subcommand("snapshot", "write index snapshots now")->callback([&] {
    code = Run(target, SnapshotIndexesRequest{},
               [](const EmptyReply&) { std::puts("index snapshots written"); });
  });
  app.add_subcommand("flush", "seal every time-series head into chunks")->callback([&] {
    code = Run(target, FlushRequest{}, [](const EmptyReply&) { std::puts("flushed"); });
  });
  auto* checkpoint = app.add_subcommand("checkpoint", "consistent backup of the running server");
  std::string checkpoint_dir;
  checkpoint->add_option("dir", checkpoint_dir, "a new directory")->required();
  checkpoint->callback([&] {
    std::error_code error;
    const std::string absolute = fs::absolute(checkpoint_dir, error).string();
    code = Run(target, CheckpointRequest{absolute},
               [&](const EmptyReply&) { std::printf("checkpoint in %s\n", absolute.c_str()); });
  });
  auto* restore = app.add_subcommand("restore", "replace the data directory by a checkpoint");
  std::string restore_from;
  bool force = false;
  restore->add_option("--from", restore_from, "a checkpoint directory")->required();
  restore->add_flag("--force", force, "move an existing data directory aside");
  restore->callback([&] { code = Restore(target, restore_from, force); });

  auto* import_command =
      app.add_subcommand("import", "load records from JSON lines into a collection");
  std::string import_collection, import_file;
  import_command->add_option("collection", import_collection)->required();
  import_command->add_option("file", import_file, "one JSON object per line")->required();
  import_command->callback([&] {
    auto session = Connect(target);
    if (!session.ok()) {
      code = Fail(session.status());
      return;
    }
    auto loaded = lake::tools::ImportRecords(**session, import_collection, import_file);
    if (!loaded.ok()) {
      code = Fail(loaded.status());
      return;
    }
    std::printf("imported %zu records into %s\n", *loaded, import_collection.c_str());
  });

  auto* import_points = app.add_subcommand("import-points", "load time-series points (JSON lines)");
  std::string points_file;
  import_points->add_option("file", points_file, "one JSON object per line")->required();
  import_points->callback([&] {
    auto session = Connect(target);
    if (!session.ok()) {
      code = Fail(session.status());
      return;
    }
    auto loaded = lake::tools::ImportPoints(**session, points_file);
    if (!loaded.ok()) {
      code = Fail(loaded.status());
      return;
    }
    std::printf("imported %zu points\n", *loaded);
  });

  // Retention: print it, or change one class's durations (days; 0 = forever).
  auto* retention = app.add_subcommand("retention", "show or set how long data is kept");
  std::string retention_class = "standard";
  std::optional<double> raw_days, minute_days, hour_days, day_days;
  retention->add_option("--class", retention_class, "standard or compliance")
      ->capture_default_str();
  retention->add_option("--raw", raw_days, "days of raw points (0: forever)");
  retention->add_option("--minute", minute_days, "days of 1-minute rollups");
  retention->add_option("--hour", hour_days, "days of 1-hour rollups");
  retention->add_option("--day", day_days, "days of 1-day rollups");
  retention->callback([&] {
    auto session = Connect(target);
    if (!session.ok()) {
      code = Fail(session.status());
      return;
    }
    auto current = (*session)->Call(GetRetentionRequest{});
    if (!current.ok()) {
      code = Fail(current.status());
      return;
    }
    if (retention_class != "standard" && retention_class != "compliance") {
      code = Fail(Status::InvalidArgument("--class is standard or compliance"));
      return;
    }
    auto& policy =
        retention_class == "standard" ? current->settings.standard : current->settings.compliance;
    const auto set = [](std::int64_t& field, const std::optional<double>& days) {
      if (days) field = static_cast<std::int64_t>(*days * 86400e6);
    };
    set(policy.raw, raw_days);
    set(policy.minute, minute_days);
    set(policy.hour, hour_days);
    set(policy.day, day_days);
    if (raw_days || minute_days || hour_days || day_days) {
      auto changed = (*session)->Call(SetRetentionRequest{current->settings});
      if (!changed.ok()) {
        code = Fail(changed.status());
        return;
      }
    }
    const auto days = [](std::int64_t micros) { return double(micros) / 86400e6; };
    for (const auto& [name, p] : {std::pair{"standard", current->settings.standard},
                                  std::pair{"compliance", current->settings.compliance}}) {
      std::printf("%-10s raw %g days, 1-minute %g, 1-hour %g, 1-day %g (0: forever)\n", name,
                  days(p.raw), days(p.minute), days(p.hour), days(p.day));
    }
  });

  auto* sample = app.add_subcommand("sample", "load sample data if missing; showcase queries");
  std::vector<std::string> sample_loads;
  sample
      ->add_option("--embeddings", sample_loads,
                   "COLLECTION=FILE: X.fvecs (texts from X.txt) or bare 768-d float32 rows")
      ->required();
  sample->callback([&] {
    std::vector<lake::tools::SampleEmbeddings> embeddings;
    for (const std::string& load : sample_loads) {
      const std::size_t equals = load.find('=');
      if (equals == std::string::npos || equals == 0) {
        code = Fail(lake::Status::InvalidArgument("--embeddings wants COLLECTION=FILE, got '" +
                                                  load + "'"));
        return;
      }
      embeddings.push_back({load.substr(0, equals), load.substr(equals + 1)});
    }
    auto session = Connect(target);
    Status status = session.ok() ? lake::tools::RunSample(**session, embeddings) : session.status();
    code = status.ok() ? 0 : Fail(status);
  });

  CLI11_PARSE(app, argc, argv);
  return code;
}
