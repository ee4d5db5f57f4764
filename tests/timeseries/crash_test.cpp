// kill -9 of a process writing time series, at a random moment: every
// acknowledged point is there with its acknowledged value, a batch that was
// not acknowledged is there in every series or in none, and deletes hold.
#include <gtest/gtest.h>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "support/kill_probe.h"
#include "support/temp_dir.h"
#include "timeseries/timeseries_engine.h"

namespace lake::timeseries {
namespace {

constexpr int kSeries = 20;
constexpr int kPoints = 100;

double ValueOf(int series, std::int64_t t, bool updated) {
  return double(series * 1000 + t % 997) / 8.0 + (updated ? 0.5 : 0.0);
}

// What the writer said, per batch.
struct Log {
  std::map<std::int64_t, std::set<std::string>> events;  // batch -> verbs
};

Log RunAndKill(const std::string& dir, int lines) {
  Log log;
  const bool killed =
      lake::testing::RunProbeAndKill(SERIES_WRITER_PROBE, dir, lines, [&](const std::string& line) {
        std::istringstream words(line);
        std::string verb;
        std::int64_t batch;
        if (words >> verb >> batch) log.events[batch].insert(verb);
      });
  EXPECT_TRUE(killed) << "the writer stopped on its own";
  return log;
}

TEST(TimeSeriesCrash, KillNineLosesNoAcknowledgedPoint) {
  std::mt19937 random(std::random_device{}());
  for (int round = 0; round < 4; ++round) {
    lake::testing::TempDir dir;
    const int lines = std::uniform_int_distribution<int>(20, 400)(random);
    const Log log = RunAndKill(dir.str(), lines);
    ASSERT_FALSE(log.events.empty());

    auto store = storage::Store::Open(dir.str(), {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto engine = TimeSeriesEngine::Open(store->get(), {.retention_interval = 0});
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    std::vector<std::uint64_t> ids;
    for (int s = 0; s < kSeries; ++s)
      ids.push_back((*engine)->FindSeries({1, "probe", {{"n", std::to_string(s)}}}).at(0));
    for (const auto& [batch, verbs] : log.events) {
      const std::int64_t from = batch * kPoints * 1'000'000;
      auto scans = (*engine)->Scan(ids, from, from + kPoints * 1'000'000);
      ASSERT_TRUE(scans.ok()) << scans.status().ToString();
      std::size_t series_with_points = 0;
      for (int s = 0; s < kSeries; ++s) {
        const SeriesScan& scan = (*scans)[static_cast<std::size_t>(s)];
        if (scan.timestamps.empty()) continue;
        ++series_with_points;
        // Never half a batch in one series.
        ASSERT_EQ(scan.timestamps.size(), std::size_t{kPoints}) << "batch " << batch;
        for (std::size_t i = 0; i < scan.timestamps.size(); ++i) {
          const double original = ValueOf(s, scan.timestamps[i], false);
          const double updated = ValueOf(s, scan.timestamps[i], true);
          const double v = scan.values[i];
          if (verbs.contains("updated")) {
            ASSERT_EQ(v, updated) << "acknowledged update lost, batch " << batch;
          } else if (verbs.contains("updating")) {
            ASSERT_TRUE(v == original || v == updated);
          } else {
            ASSERT_EQ(v, original) << "batch " << batch;
          }
        }
      }
      if (verbs.contains("deleted")) {
        EXPECT_EQ(series_with_points, 0u) << "deleted batch " << batch << " came back";
      } else if (verbs.contains("deleting")) {
        // A delete runs series by series: any prefix of them may be done.
      } else if (verbs.contains("wrote")) {
        EXPECT_EQ(series_with_points, std::size_t{kSeries})
            << "acknowledged batch " << batch << " lost";
      } else {  // in flight: all series or none
        EXPECT_TRUE(series_with_points == 0 || series_with_points == kSeries)
            << "half-written batch " << batch << ": " << series_with_points << " series";
      }
    }
  }
}

}  // namespace
}  // namespace lake::timeseries
