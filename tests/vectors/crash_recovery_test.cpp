// kill -9 of a process writing vectors, at a random moment: every
// acknowledged write is there after reopening, nothing deleted comes back,
// and the index restored from the last snapshot plus replay answers like a
// fresh build.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "support/kill_probe.h"
#include "support/temp_dir.h"
#include "vectors/vector_engine.h"

namespace lake::vectors {
namespace {

std::vector<float> VectorOf(std::int64_t id) {
  std::mt19937 rng(static_cast<std::uint32_t>(id));
  std::normal_distribution<float> normal;
  std::vector<float> values(64);
  for (float& v : values)
    v = normal(rng);
  return values;
}

struct Acknowledged {
  std::set<std::int64_t> upserted;
  std::set<std::int64_t> deleted;
  // A delete that had started but was not acknowledged when the kill came:
  // its ids may be there or not, but nothing else.
  std::set<std::int64_t> deleting;
};

// Runs the writer, reads its acknowledgements, and kills it with SIGKILL
// after `lines` of them.
Acknowledged RunAndKill(const std::string& dir, int lines) {
  Acknowledged acked;
  const auto take = [&](const std::string& line) {
    std::istringstream words(line);
    std::string verb;
    words >> verb;
    if (verb == "upserted") {
      std::int64_t first = 0, last = 0;
      words >> first >> last;
      for (std::int64_t id = first; id <= last; ++id)
        acked.upserted.insert(id);
    } else if (verb == "deleting") {
      for (std::int64_t id; words >> id;)
        acked.deleting.insert(id);
    } else if (verb == "deleted") {
      acked.deleted.insert(acked.deleting.begin(), acked.deleting.end());
      acked.deleting.clear();
    }
  };
  EXPECT_TRUE(lake::testing::RunProbeAndKill(WRITER_PROBE, dir, lines, take))
      << "the writer stopped on its own";
  return acked;
}

std::vector<std::int64_t> Ids(const VectorEngine& engine, std::int64_t query_id,
                              SearchMethod method) {
  const std::vector<float> query = VectorOf(query_id);
  // Random Gaussian vectors are the hard case for a graph: a wide search.
  auto found = engine.Search("crash", query, {.k = 10, .ef_search = 200, .method = method});
  EXPECT_TRUE(found.ok());
  std::vector<std::int64_t> ids;
  for (const Neighbor& n : *found)
    ids.push_back(n.id);
  return ids;
}

TEST(CrashRecovery, KillNineLosesNoAcknowledgedWrite) {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 3; ++round) {
    lake::testing::TempDir dir;
    const int lines = std::uniform_int_distribution<int>(30, 120)(rng);
    const Acknowledged acked = RunAndKill(dir.str(), lines);
    ASSERT_FALSE(acked.upserted.empty());

    auto store = storage::Store::Open(dir.str(), {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto engine = VectorEngine::Open(store->get());
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    for (std::int64_t id : acked.upserted) {
      auto record = (*engine)->Get("crash", id);
      ASSERT_TRUE(record.ok());
      if (acked.deleted.contains(id)) {
        EXPECT_FALSE(record->has_value()) << "deleted id " << id << " came back";
      } else if (acked.deleting.contains(id)) {
        if (record->has_value()) {
          EXPECT_EQ((*record)->embedding, VectorOf(id));
        }
      } else {
        ASSERT_TRUE(record->has_value()) << "acknowledged id " << id << " was lost";
        EXPECT_EQ((*record)->embedding, VectorOf(id));
      }
    }
    // Restored index (snapshot + replay) against exact search and a fresh build.
    std::vector<std::vector<std::int64_t>> restored;
    std::size_t hits = 0, total = 0;
    for (std::int64_t q = 0; q < 40; ++q) {
      restored.push_back(Ids(**engine, 100000 + q, SearchMethod::kIndex));
      const auto exact = Ids(**engine, 100000 + q, SearchMethod::kExact);
      const std::set<std::int64_t> truth(exact.begin(), exact.end());
      for (std::int64_t id : restored.back()) {
        hits += truth.count(id);
        EXPECT_FALSE(acked.deleted.contains(id));
      }
      total += exact.size();
    }
    EXPECT_GE(double(hits) / double(total), 0.95) << "round " << round;
    engine->reset();
    store->reset();
    std::filesystem::remove_all(dir.path() / "indexes");
    auto fresh_store = storage::Store::Open(dir.str(), {});
    auto fresh = VectorEngine::Open(fresh_store->get());
    std::size_t same = 0;
    for (std::int64_t q = 0; q < 40; ++q) {
      const auto ids = Ids(**fresh, 100000 + q, SearchMethod::kIndex);
      const std::set<std::int64_t> fresh_ids(ids.begin(), ids.end());
      for (std::int64_t id : restored[std::size_t(q)])
        same += fresh_ids.count(id);
    }
    EXPECT_GE(double(same) / double(total), 0.95) << "round " << round;
  }
}

}  // namespace
}  // namespace lake::vectors
