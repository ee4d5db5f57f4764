// series_writer_probe DIR
//
// Writes time series to a lake data directory until killed, for the kill -9
// test. Each batch b writes 100 points to each of 20 series (timestamps
// b*100+i seconds, values a pure function of series and time) in one atomic
// write; every 5th batch also overwrites batch b-3 with other values, and
// every 7th deletes batch b-4. Small chunks keep seals and rewrites busy.
// Each operation is announced before and acknowledged after it returns.
#include <cstdio>
#include <vector>

#include "storage/store.h"
#include "timeseries/timeseries_engine.h"

namespace {
constexpr int kSeries = 20;
constexpr int kPoints = 100;

double ValueOf(int series, std::int64_t t, bool updated) {
  return double(series * 1000 + t % 997) / 8.0 + (updated ? 0.5 : 0.0);
}

bool WriteBatch(lake::timeseries::TimeSeriesEngine& engine, const std::vector<std::uint64_t>& ids,
                std::int64_t batch, bool updated) {
  std::vector<std::vector<std::int64_t>> ts(kSeries);
  std::vector<std::vector<double>> values(kSeries);
  std::vector<lake::timeseries::SeriesPoints> parts;
  for (int s = 0; s < kSeries; ++s) {
    for (int i = 0; i < kPoints; ++i) {
      const std::int64_t t = (batch * kPoints + i) * 1'000'000;
      ts[s].push_back(t);
      values[s].push_back(ValueOf(s, t, updated));
    }
    parts.push_back({ids[s], ts[s], values[s]});
  }
  return engine.Write(parts).ok();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto store = lake::storage::Store::Open(argv[1], {});
  if (!store.ok()) return 1;
  auto engine = lake::timeseries::TimeSeriesEngine::Open(
      store->get(), {.chunk_max_points = 256, .retention_interval = 0});
  if (!engine.ok()) return 1;
  if (!(*engine)->SetRetention({.standard = {0, 0}, .compliance = {0, 0}}).ok()) return 1;
  std::vector<std::uint64_t> ids;
  for (int s = 0; s < kSeries; ++s) {
    auto id = (*engine)->EnsureSeries({1, "probe", {{"n", std::to_string(s)}}});
    if (!id.ok()) return 1;
    ids.push_back(*id);
  }
  for (std::int64_t batch = 0;; ++batch) {
    std::printf("writing %lld\n", static_cast<long long>(batch));
    std::fflush(stdout);
    if (!WriteBatch(**engine, ids, batch, false)) return 1;
    std::printf("wrote %lld\n", static_cast<long long>(batch));
    if (batch % 5 == 4) {
      std::printf("updating %lld\n", static_cast<long long>(batch - 3));
      std::fflush(stdout);
      if (!WriteBatch(**engine, ids, batch - 3, true)) return 1;
      std::printf("updated %lld\n", static_cast<long long>(batch - 3));
    }
    if (batch % 7 == 6) {
      std::printf("deleting %lld\n", static_cast<long long>(batch - 4));
      std::fflush(stdout);
      for (std::uint64_t id : ids) {
        const std::int64_t from = (batch - 4) * kPoints * 1'000'000;
        if (!(*engine)->DeleteRange(id, from, from + kPoints * 1'000'000).ok()) return 1;
      }
      std::printf("deleted %lld\n", static_cast<long long>(batch - 4));
    }
    std::fflush(stdout);
  }
}
