// lake-rebuild-index --data-dir DIR [--collection NAME] [--m M]
//                    [--ef-construction E] [--threads T]
//
// Rebuilds vector indexes offline from the stored float32 vectors, with a
// progress bar, then checks recall@10 of the new index against exact search
// on a sample of stored vectors and writes the index snapshot. Refuses while
// a server (or anything else) holds the data directory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>

#include "storage/store.h"
#include "vectors/vector_engine.h"

namespace {

struct Options {
  std::string data_dir;
  std::string collection;
  std::optional<int> m;
  std::optional<int> ef_construction;
  std::optional<int> ivf_lists;
  int threads = 2;
};

constexpr int kUsageError = 64;
constexpr int kRefused = 2;
constexpr std::size_t kRecallSample = 200;

[[noreturn]] void Usage(const char* message) {
  std::fprintf(stderr,
               "lake-rebuild-index: %s\n"
               "usage: lake-rebuild-index --data-dir DIR [--collection NAME] [--m M]\n"
               "       [--ef-construction E] [--ivf-lists N] [--threads T]\n",
               message);
  std::exit(kUsageError);
}

Options Parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Usage(("missing value for " + flag).c_str());
    const char* value = argv[++i];
    const auto number = [&] {
      char* end = nullptr;
      const long parsed = std::strtol(value, &end, 10);
      if (*end != '\0' || parsed <= 0) Usage((flag + " needs a positive integer").c_str());
      return static_cast<int>(parsed);
    };
    if (flag == "--data-dir")
      options.data_dir = value;
    else if (flag == "--collection")
      options.collection = value;
    else if (flag == "--m")
      options.m = number();
    else if (flag == "--ef-construction")
      options.ef_construction = number();
    else if (flag == "--ivf-lists")
      options.ivf_lists = number();
    else if (flag == "--threads")
      options.threads = number();
    else
      Usage(("unknown option " + flag).c_str());
  }
  if (options.data_dir.empty()) Usage("--data-dir is required");
  return options;
}

// "[#########           ] 52,000/116,659 rows  8,123 rows/s  8 s left"
class ProgressBar {
 public:
  void Update(std::size_t done, std::size_t total) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const double rate = elapsed > 0 ? double(done) / elapsed : 0;
    const double left = rate > 0 ? double(total - done) / rate : 0;
    const int width = 30;
    const int filled = total ? int(double(width) * double(done) / double(total)) : width;
    std::fprintf(stderr, "\r  [%.*s%*s] %zu/%zu rows  %.0f rows/s  %.0f s left   ", filled,
                 "##############################", width - filled, "", done, total, rate, left);
    if (done == total) std::fprintf(stderr, "\n");
  }

 private:
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// Recall@10 of the index against exact search, querying with stored vectors.
double SampleRecall(lake::vectors::VectorEngine& engine, const std::string& name) {
  auto ids = engine.SampleIds(name, kRecallSample);
  if (!ids.ok() || ids->empty()) return 1.0;
  double total = 0;
  for (std::int64_t id : *ids) {
    auto record = engine.Get(name, id);
    if (!record.ok() || !record->has_value()) continue;
    const auto& embedding = (*record)->embedding;
    const auto version = (*record)->model_version;
    using lake::vectors::SearchMethod;
    auto approximate = engine.Search(
        name, embedding, {.k = 10, .model_version = version, .method = SearchMethod::kIndex});
    auto exact = engine.Search(name, embedding,
                               {.k = 10, .model_version = version, .method = SearchMethod::kExact});
    if (!approximate.ok() || !exact.ok()) continue;
    std::set<std::int64_t> expected;
    for (const auto& n : *exact)
      expected.insert(n.id);
    std::size_t hits = 0;
    for (const auto& n : *approximate)
      hits += expected.count(n.id);
    total += expected.empty() ? 1.0 : double(hits) / double(expected.size());
  }
  return total / double(ids->size());
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  auto store = lake::storage::Store::Open(options.data_dir, {.create_if_missing = false});
  if (!store.ok()) {
    const bool busy = store.status().code() == lake::StatusCode::kBusy;
    std::fprintf(stderr, "lake-rebuild-index: %s%s\n", store.status().ToString().c_str(),
                 busy ? "; stop the lake server first (tools/lake server stop)" : "");
    return kRefused;
  }
  auto engine = lake::vectors::VectorEngine::Open(
      store->get(), {.build_threads = options.threads, .load_indexes = false});
  if (!engine.ok()) {
    std::fprintf(stderr, "lake-rebuild-index: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  int rebuilt = 0;
  for (const auto& info : (*engine)->ListCollections()) {
    if (!options.collection.empty() && info.spec.name != options.collection) continue;
    lake::vectors::IndexSettings settings = info.spec.index;
    if (options.ivf_lists) {
      settings.kind = lake::vectors::IndexKind::kIvfFlat;
      settings.ivf_lists = *options.ivf_lists;
      settings.ivf_probes = std::min(settings.ivf_probes, settings.ivf_lists);
    } else if (options.m || options.ef_construction ||
               settings.kind == lake::vectors::IndexKind::kFlat) {
      settings.kind = lake::vectors::IndexKind::kHnsw;
    }
    if (options.m) settings.hnsw_m = *options.m;
    if (options.ef_construction) settings.hnsw_ef_construction = *options.ef_construction;
    std::fprintf(stderr, "%s: %zu rows, %s (m=%d ef_construction=%d lists=%d), %d threads\n",
                 info.spec.name.c_str(), info.record_count,
                 std::string(lake::vectors::IndexKindName(settings.kind)).c_str(), settings.hnsw_m,
                 settings.hnsw_ef_construction, settings.ivf_lists, options.threads);
    ProgressBar bar;
    const auto started = std::chrono::steady_clock::now();
    const auto status = (*engine)->RebuildIndex(
        info.spec.name, settings, options.threads,
        [&](std::size_t done, std::size_t total) { bar.Update(done, total); });
    if (!status.ok()) {
      std::fprintf(stderr, "lake-rebuild-index: %s: %s\n", info.spec.name.c_str(),
                   status.ToString().c_str());
      return 1;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double recall = SampleRecall(**engine, info.spec.name);
    std::printf("%s: rebuilt in %.1f s; recall@10 on stored vectors %.3f; snapshot written\n",
                info.spec.name.c_str(), seconds, recall);
    ++rebuilt;
  }
  if (rebuilt == 0) {
    std::fprintf(stderr, "lake-rebuild-index: %s\n",
                 options.collection.empty()
                     ? "no collections in this data directory"
                     : ("unknown collection '" + options.collection + "'").c_str());
    return 1;
  }
  return 0;
}
