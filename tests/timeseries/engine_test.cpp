// The time-series engine against a naive in-memory model: random late,
// out-of-order and duplicate writes, deletes, seals and reopens; rollup
// answers equal raw answers bit for bit; retention drops exactly what is
// expired.
#include <chrono>

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "support/temp_dir.h"
#include "timeseries/timeseries_engine.h"

namespace lake::timeseries {
namespace {

constexpr std::int64_t kStart = 1'700'000'000'000'000;  // 2023-11-14

struct Harness {
  lake::testing::TempDir dir;
  std::int64_t now = kStart + 400 * kMicrosPerDay;
  TimeSeriesOptions options;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<TimeSeriesEngine> engine;

  explicit Harness(std::size_t chunk_points = 64) {
    options.chunk_max_points = chunk_points;
    options.chunk_max_span = 6 * kMicrosPerHour;
    options.clock = [this] { return now; };
    options.retention_interval = 0;
    Reopen();
  }
  void Reopen() {
    engine.reset();
    store.reset();
    auto s = storage::Store::Open(dir.str(), {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(*s);
    auto e = TimeSeriesEngine::Open(store.get(), options);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine = std::move(*e);
  }
  void KeepForever() {
    ASSERT_TRUE(engine->SetRetention({.standard = {0, 0}, .compliance = {0, 0}}).ok());
  }
  std::uint64_t Series(std::int64_t tenant, const std::string& metric, Tags tags = {}) {
    auto id = engine->EnsureSeries({tenant, metric, std::move(tags)});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return *id;
  }
  void Write(std::uint64_t series, const std::vector<std::int64_t>& ts,
             const std::vector<double>& values) {
    const SeriesPoints part{series, ts, values};
    const Status status = engine->Write({&part, 1});
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
};

using Model = std::map<std::int64_t, double>;

void ExpectScanEquals(const TimeSeriesEngine& engine, std::uint64_t series, const Model& model,
                      std::int64_t start, std::int64_t end) {
  auto scans = engine.Scan({&series, 1}, start, end);
  ASSERT_TRUE(scans.ok()) << scans.status().ToString();
  const SeriesScan& scan = scans->front();
  std::vector<std::int64_t> want_ts;
  std::vector<double> want_values;
  for (auto it = model.lower_bound(start); it != model.end() && it->first < end; ++it) {
    want_ts.push_back(it->first);
    want_values.push_back(it->second);
  }
  ASSERT_EQ(scan.timestamps, want_ts);
  for (std::size_t i = 0; i < want_values.size(); ++i)
    ASSERT_EQ(std::bit_cast<std::uint64_t>(scan.values[i]),
              std::bit_cast<std::uint64_t>(want_values[i]));
}

// Naive buckets: count, min, max, first, last exact; sum and stddev close.
void ExpectBucketsMatchModel(const std::vector<BucketRow>& rows, const Model& model,
                             std::int64_t start, std::int64_t end, std::int64_t width,
                             std::int64_t origin) {
  std::map<std::int64_t, std::vector<double>> buckets;
  for (auto it = model.lower_bound(start); it != model.end() && it->first < end; ++it)
    buckets[BucketOf(it->first, width, origin)].push_back(it->second);
  ASSERT_EQ(rows.size(), buckets.size());
  std::size_t i = 0;
  for (const auto& [bucket, values] : buckets) {
    const BucketRow& row = rows[i++];
    ASSERT_EQ(row.bucket, bucket);
    const Aggregate& a = row.aggregate;
    ASSERT_EQ(a.count, values.size());
    double sum = 0, lo = values[0], hi = values[0];
    for (double v : values) {
      sum += v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    const double mean = sum / double(values.size());
    double m2 = 0;
    for (double v : values)
      m2 += (v - mean) * (v - mean);
    EXPECT_EQ(a.min, lo);
    EXPECT_EQ(a.max, hi);
    EXPECT_EQ(a.first, values.front());
    EXPECT_EQ(a.last, values.back());
    EXPECT_NEAR(a.sum, sum, 1e-9 * (1 + std::fabs(sum)));
    if (values.size() > 1) {
      EXPECT_NEAR(a.Stddev(), std::sqrt(m2 / double(values.size() - 1)),
                  1e-7 * (1 + std::sqrt(m2)));
    }
  }
}

void ExpectSameRows(const std::vector<BucketRow>& a, const std::vector<BucketRow>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].bucket, b[i].bucket);
    ASSERT_EQ(a[i].group, b[i].group);
    ASSERT_EQ(a[i].aggregate.count, b[i].aggregate.count) << "bucket " << a[i].bucket;
    for (auto field : {&Aggregate::sum, &Aggregate::m2, &Aggregate::min, &Aggregate::max,
                       &Aggregate::first, &Aggregate::last}) {
      ASSERT_EQ(std::bit_cast<std::uint64_t>(a[i].aggregate.*field),
                std::bit_cast<std::uint64_t>(b[i].aggregate.*field))
          << "bucket " << a[i].bucket;
    }
  }
}

std::vector<BucketRow> Buckets(const TimeSeriesEngine& engine, std::uint64_t series,
                               std::int64_t start, std::int64_t end, std::int64_t width,
                               std::int64_t origin, bool rollups) {
  auto rows = engine.TimeBucket({.series = {series},
                                 .start = start,
                                 .end = end,
                                 .width = width,
                                 .origin = origin,
                                 .use_rollups = rollups});
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? *rows : std::vector<BucketRow>{};
}

void CheckAgainstModel(const TimeSeriesEngine& engine, std::uint64_t series, const Model& model,
                       std::mt19937_64& random) {
  const std::int64_t span = 3 * kMicrosPerDay;
  ExpectScanEquals(engine, series, model, kStart - kMicrosPerDay, kStart + span);
  for (int q = 0; q < 6; ++q) {
    const std::int64_t a = kStart + static_cast<std::int64_t>(random() % span) - kMicrosPerHour;
    const std::int64_t b = a + 1 + static_cast<std::int64_t>(random() % span);
    ExpectScanEquals(engine, series, model, a, b);
    struct Grid {
      std::int64_t width, origin;
    };
    for (Grid g : {Grid{kMicrosPerMinute, 0}, Grid{5 * kMicrosPerMinute, 0},
                   Grid{kMicrosPerHour, 0}, Grid{3 * kMicrosPerHour, kMicrosPerHour},
                   Grid{kMicrosPerDay, 0}, Grid{45 * kMicrosPerSecond, 7},
                   Grid{2 * kMicrosPerDay, 7}}) {  // whole chunks from their headers
      const auto from_rollups = Buckets(engine, series, a, b, g.width, g.origin, true);
      const auto from_raw = Buckets(engine, series, a, b, g.width, g.origin, false);
      ExpectSameRows(from_rollups, from_raw);
      ExpectBucketsMatchModel(from_rollups, model, a, b, g.width, g.origin);
    }
  }
}

TEST(TimeSeriesEngine, RandomLateOutOfOrderDuplicateWritesAndDeletesMatchAModel) {
  Harness h(64);
  h.KeepForever();
  const std::uint64_t series = h.Series(1, "heart_rate", {{"device", "watch"}});
  Model model;
  std::mt19937_64 random(11);
  std::int64_t frontier = kStart;
  for (int round = 0; round < 60; ++round) {
    const int kind = static_cast<int>(random() % 10);
    std::vector<std::int64_t> ts;
    std::vector<double> values;
    if (kind < 6) {  // mostly in order, 1-20 s apart, some duplicates
      for (int i = 0; i < 150; ++i) {
        frontier += 1'000'000 * static_cast<std::int64_t>(1 + random() % 20);
        ts.push_back(random() % 10 == 0 && !ts.empty() ? ts.back() : frontier);
        values.push_back(std::round(double(random() % 100000) / 7.0) / 100.0);
      }
    } else if (kind < 8) {  // late points anywhere in the past, unordered; half are updates
      for (int i = 0; i < 40; ++i) {
        std::int64_t t =
            kStart + static_cast<std::int64_t>(random() % std::uint64_t(frontier - kStart + 1));
        if (i % 2 == 0 && !model.empty()) {
          const auto existing = model.lower_bound(t);
          t = existing == model.end() ? model.rbegin()->first : existing->first;
        }
        ts.push_back(t);
        values.push_back(double(random() % 1000) - 500.0);
      }
    } else if (kind == 8) {  // delete a range
      const std::int64_t a =
          kStart + static_cast<std::int64_t>(random() % std::uint64_t(frontier - kStart + 1));
      const std::int64_t b = a + static_cast<std::int64_t>(random() % (2 * kMicrosPerHour));
      ASSERT_TRUE(h.engine->DeleteRange(series, a, b + 1).ok());
      model.erase(model.lower_bound(a), model.lower_bound(b + 1));
      continue;
    } else {
      if (random() % 2 == 0) {
        ASSERT_TRUE(h.engine->Flush().ok());
      } else {
        h.Reopen();
      }
      CheckAgainstModel(*h.engine, series, model, random);
      continue;
    }
    h.Write(series, ts, values);
    for (std::size_t i = 0; i < ts.size(); ++i)
      model[ts[i]] = values[i];
  }
  CheckAgainstModel(*h.engine, series, model, random);
  h.Reopen();
  CheckAgainstModel(*h.engine, series, model, random);
  auto last = h.engine->LastPoint(series);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->timestamp, model.rbegin()->first);
  EXPECT_EQ((*last)->value, model.rbegin()->second);
  const TimeSeriesStats stats = h.engine->Stats();
  EXPECT_EQ(stats.sealed_points + stats.head_points, model.size());
  EXPECT_GT(stats.chunks, 10u);
}

TEST(TimeSeriesEngine, SpecialValuesAggregateLikePostgres) {
  Harness h;
  h.KeepForever();
  const std::uint64_t series = h.Series(1, "odd");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  h.Write(series, {kStart, kStart + 1, kStart + 2, kStart + 3}, {1.0, nan, -0.0, 5.0});
  ASSERT_TRUE(h.engine->Flush().ok());
  for (bool rollups : {true, false}) {
    const auto rows = Buckets(*h.engine, series, kStart - kMicrosPerDay, kStart + kMicrosPerDay,
                              kMicrosPerDay, 0, rollups);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].aggregate.count, 4u);
    EXPECT_EQ(rows[0].aggregate.min, -0.0);
    EXPECT_TRUE(std::isnan(rows[0].aggregate.max));  // NaN sorts last, as in PostgreSQL
    EXPECT_TRUE(std::isnan(rows[0].aggregate.sum));
  }
  ExpectScanEquals(*h.engine, series,
                   {{kStart, 1.0}, {kStart + 1, nan}, {kStart + 2, -0.0}, {kStart + 3, 5.0}},
                   kStart, kStart + 4);
}

TEST(TimeSeriesEngine, TagFiltersAndGroupByTag) {
  Harness h;
  h.KeepForever();
  const std::uint64_t a = h.Series(7, "cpu", {{"host", "a"}, {"dc", "east"}});
  const std::uint64_t b = h.Series(7, "cpu", {{"host", "b"}, {"dc", "east"}});
  const std::uint64_t c = h.Series(7, "cpu", {{"host", "c"}, {"dc", "west"}});
  const std::uint64_t other_tenant = h.Series(8, "cpu", {{"host", "a"}, {"dc", "east"}});
  EXPECT_EQ(h.Series(7, "cpu", {{"dc", "east"}, {"host", "a"}}), a) << "tag order is irrelevant";
  EXPECT_EQ(h.engine->FindSeries({7, "cpu", {{"dc", "east"}}}), (std::vector<std::uint64_t>{a, b}));
  EXPECT_EQ(h.engine->FindSeries({7, "cpu", {}}), (std::vector<std::uint64_t>{a, b, c}));
  EXPECT_EQ(h.engine->FindSeries({8, "cpu", {{"host", "a"}}}),
            (std::vector<std::uint64_t>{other_tenant}));
  EXPECT_TRUE(h.engine->FindSeries({7, "cpu", {{"dc", "north"}}}).empty());
  // Broader filters: any metric of a tenant, any tenant, by kind.
  const std::uint64_t mem = h.Series(7, "mem", {{"host", "a"}});
  EXPECT_EQ(h.engine->FindSeries({7, std::nullopt, {{"host", "a"}}}),
            (std::vector<std::uint64_t>{a, mem}));
  EXPECT_EQ(h.engine->FindSeries({std::nullopt, "cpu", {{"host", "a"}}}),
            (std::vector<std::uint64_t>{a, other_tenant}));
  EXPECT_EQ(h.engine->FindSeries({}).size(), 5u);
  EXPECT_TRUE(h.engine->FindSeries({.kind = SeriesKind::kEvent}).empty());
  EXPECT_EQ(h.engine->FindSeries({7, "cpu", {}, SeriesKind::kMetric}).size(), 3u);
  auto described = h.engine->DescribeSeries(c);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->key.tenant, 7);
  EXPECT_EQ(*FindTag(described->key.tags, "host"), "c");
  EXPECT_EQ(h.engine->DescribeSeries(999).status().code(), StatusCode::kNotFound);
  h.Write(a, {kStart}, {1});
  h.Write(b, {kStart + 1}, {2});
  h.Write(c, {kStart + 2}, {4});
  auto rows = h.engine->TimeBucket({.series = {a, b, c},
                                    .start = kStart,
                                    .end = kStart + kMicrosPerHour,
                                    .width = kMicrosPerHour,
                                    .origin = 0,
                                    .group_by = GroupBy::kTag,
                                    .group_tag = "dc"});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].group, "east");
  EXPECT_EQ((*rows)[0].aggregate.sum, 3);
  EXPECT_EQ((*rows)[1].group, "west");
  EXPECT_EQ((*rows)[1].aggregate.sum, 4);
  h.Reopen();
  EXPECT_EQ(h.engine->FindSeries({7, "cpu", {{"dc", "east"}}}), (std::vector<std::uint64_t>{a, b}));
}

TEST(TimeSeriesEngine, EstimatesCountPointsFromChunkHeadersAndHeads) {
  Harness h;
  h.KeepForever();
  const std::uint64_t a = h.Series(1, "estimate"), b = h.Series(2, "estimate");
  std::vector<std::int64_t> ts;
  std::vector<double> values;
  for (int i = 0; i < 1000; ++i) {
    ts.push_back(kStart + i * kMicrosPerMinute);
    values.push_back(i);
  }
  h.Write(a, ts, values);  // sealed chunks of 64 and a head of the rest
  h.Write(b, {kStart}, {1.0});
  const std::vector<std::uint64_t> both{a, b};
  auto all = h.engine->EstimatePoints(both, INT64_MIN, INT64_MAX);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->series, 2u);
  EXPECT_DOUBLE_EQ(all->points, 1001);
  EXPECT_EQ(all->first, kStart);
  EXPECT_EQ(all->last, kStart + 999 * kMicrosPerMinute);
  // Half the time: chunks cut by the range count pro rata, within a point
  // per cut chunk.
  auto half = h.engine->EstimatePoints(both, kStart + 500 * kMicrosPerMinute, INT64_MAX);
  ASSERT_TRUE(half.ok());
  EXPECT_NEAR(half->points, 500, 1);
  EXPECT_EQ(half->first, kStart + 500 * kMicrosPerMinute);
  EXPECT_TRUE(half->any);
  EXPECT_EQ(half->data_first, half->first);
  auto none = h.engine->EstimatePoints(both, kStart - kMicrosPerDay, kStart);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->points, 0);
  EXPECT_EQ(none->first, 0);
  EXPECT_FALSE(none->any);
  EXPECT_FALSE(h.engine->EstimatePoints(std::vector<std::uint64_t>{999}, 0, 1).ok());
}

TEST(TimeSeriesEngine, ADeleteOfAnyWidthCostsWhatItsDataCosts) {
  Harness h;
  h.KeepForever();
  const std::uint64_t series = h.Series(1, "wide");
  std::vector<std::int64_t> ts;
  std::vector<double> values;
  for (int i = 0; i < 500; ++i) {
    ts.push_back(kStart + i * kMicrosPerMinute);
    values.push_back(i);
  }
  h.Write(series, ts, values);
  ASSERT_TRUE(h.engine->Flush().ok());
  // Far beyond the data on either side; before the data: nothing to do.
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(h.engine->DeleteRange(series, INT64_MIN, kStart - kMicrosPerDay).ok());
  ASSERT_TRUE(h.engine->DeleteRange(series, kStart + 100 * kMicrosPerMinute, INT64_MAX).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  auto left = h.engine->Scan(std::vector<std::uint64_t>{series}, INT64_MIN, INT64_MAX);
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->front().timestamps.size(), 100u);
  auto rows = h.engine->TimeBucket(
      {.series = {series}, .start = kStart, .end = kStart + kMicrosPerDay, .width = kMicrosPerDay});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().aggregate.count, 100u) << "the rollups forgot the deleted minutes";
  ASSERT_TRUE(h.engine->DeleteRange(series, INT64_MIN, INT64_MAX).ok());
  left = h.engine->Scan(std::vector<std::uint64_t>{series}, INT64_MIN, INT64_MAX);
  EXPECT_TRUE(left->front().timestamps.empty());
}

TEST(TimeSeriesEngine, BadInputIsRejectedAndChangesNothing) {
  Harness h;
  h.KeepForever();
  const std::uint64_t series = h.Series(1, "m");
  const std::vector<std::int64_t> ts = {kStart, kStart + 1};
  const std::vector<double> one = {1.0};
  const std::vector<double> two = {1.0, 2.0};
  const SeriesPoints good{series, ts, two};
  const SeriesPoints mismatched{series, ts, one};
  const SeriesPoints unknown{999, ts, two};
  const SeriesPoints batch1[] = {good, mismatched};
  const Status s1 = h.engine->Write(batch1);
  EXPECT_EQ(s1.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s1.message().find("2 timestamps but 1 values"), std::string::npos) << s1.message();
  const SeriesPoints batch2[] = {good, unknown};
  EXPECT_EQ(h.engine->Write(batch2).code(), StatusCode::kNotFound);
  const std::vector<std::int64_t> huge = {std::int64_t{1} << 62};
  const SeriesPoints out_of_range{series, huge, one};
  EXPECT_EQ(h.engine->Write({&out_of_range, 1}).code(), StatusCode::kInvalidArgument);
  ExpectScanEquals(*h.engine, series, {}, INT64_MIN, INT64_MAX);
  EXPECT_EQ(h.engine->EnsureSeries({1, ""}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.engine->EnsureSeries({1, "m", {{"a", "1"}, {"a", "2"}}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(h.engine->TimeBucket({.series = {series}, .start = 5, .end = 1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(h.engine->DeleteRange(12345, 0, 1).code(), StatusCode::kNotFound);
}

TEST(TimeSeriesEngine, RetentionDropsExactlyWhatIsExpiredAndKeepsRollups) {
  Harness h(512);
  h.options.chunk_max_span = kMicrosPerDay;
  h.Reopen();
  // Defaults: raw 30 days, rollups 365 days. Forty days of points every 5 min.
  const std::uint64_t series = h.Series(3, "temperature");
  const std::uint64_t kept =
      h.engine->EnsureSeries({3, "audit", {}, RetentionClass::kCompliance}).value();
  // Written as time passes: a day's points at the end of that day.
  Model model;
  for (std::int64_t day = 20; day < 60; ++day) {
    h.now = kStart + (day + 1) * kMicrosPerDay;
    std::vector<std::int64_t> ts;
    std::vector<double> values;
    for (std::int64_t t = kStart + day * kMicrosPerDay; t < h.now; t += 5 * kMicrosPerMinute) {
      ts.push_back(t);
      values.push_back(double((t / kMicrosPerMinute) % 997) / 10.0);
      model[t] = values.back();
    }
    h.Write(series, ts, values);
    h.Write(kept, ts, values);
  }
  ASSERT_TRUE(h.engine->Flush().ok());
  const std::int64_t old_start = kStart + 20 * kMicrosPerDay;
  const auto daily_before = Buckets(*h.engine, series, old_start, h.now, kMicrosPerDay, 0, true);

  // A write older than the raw horizon is refused, with the horizon named.
  const std::vector<std::int64_t> too_old = {kStart};
  const std::vector<double> v = {1};
  const SeriesPoints stale{series, too_old, v};
  const Status refused = h.engine->Write({&stale, 1});
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("retention horizon"), std::string::npos);

  const std::size_t chunks_before = h.engine->Stats().chunks;
  ASSERT_TRUE(h.engine->ApplyRetention().ok());
  const std::size_t chunks_after = h.engine->Stats().chunks;
  EXPECT_LT(chunks_after, chunks_before);

  const std::int64_t horizon = h.now - 30 * kMicrosPerDay;
  Model live(model.lower_bound(horizon), model.end());
  ExpectScanEquals(*h.engine, series, live, INT64_MIN + 1, INT64_MAX);
  ExpectScanEquals(*h.engine, kept, model, INT64_MIN + 1, INT64_MAX);
  // The daily rollups of the expired days are intact and unchanged.
  const auto daily_after = Buckets(*h.engine, series, old_start, h.now, kMicrosPerDay, 0, true);
  ExpectSameRows(daily_before, daily_after);
  // After a reopen the dropped chunks stay dropped.
  h.Reopen();
  EXPECT_EQ(h.engine->Stats().chunks, chunks_after);
  ExpectScanEquals(*h.engine, series, live, INT64_MIN + 1, INT64_MAX);
  // A year later the rollups go too.
  h.now += 400 * kMicrosPerDay;
  ASSERT_TRUE(h.engine->ApplyRetention().ok());
  EXPECT_TRUE(Buckets(*h.engine, series, old_start, h.now, kMicrosPerDay, 0, true).empty());
  ExpectScanEquals(*h.engine, kept, model, INT64_MIN + 1, INT64_MAX);
}

TEST(TimeSeriesEngine, EventsAndStatesKeepTextsAndStatesOnlyTheirChanges) {
  Harness h(8);
  h.KeepForever();
  const std::uint64_t activity =
      h.engine->EnsureSeries({5, "activity", {}, RetentionClass::kStandard, SeriesKind::kState})
          .value();
  const std::uint64_t app =
      h.engine->EnsureSeries({5, "app_opened", {}, RetentionClass::kStandard, SeriesKind::kEvent})
          .value();
  const std::vector<std::int64_t> ts = {kStart, kStart + 1, kStart + 2, kStart + 3, kStart + 4};
  const std::vector<std::string_view> states = {"asleep", "asleep", "walking", "walking", "asleep"};
  const std::vector<std::string_view> events = {R"({"app":"maps"})", R"({"app":"mail"})",
                                                R"({"app":"maps"})", R"({"app":"camera"})",
                                                R"({"app":"maps"})"};
  const TextPoints parts[] = {{activity, ts, states}, {app, ts, events}};
  ASSERT_TRUE(h.engine->WriteText(parts).ok());
  // Still asleep: not a change, not written.
  const std::vector<std::int64_t> later = {kStart + 10};
  const std::vector<std::string_view> asleep = {"asleep"};
  const TextPoints same{activity, later, asleep};
  ASSERT_TRUE(h.engine->WriteText({&same, 1}).ok());

  for (int pass = 0; pass < 2; ++pass) {
    const std::uint64_t ids[] = {activity, app};
    auto scans = h.engine->Scan(ids, kStart, kStart + kMicrosPerHour);
    ASSERT_TRUE(scans.ok()) << scans.status().ToString();
    EXPECT_EQ((*scans)[0].timestamps, (std::vector<std::int64_t>{kStart, kStart + 2, kStart + 4}));
    EXPECT_EQ((*scans)[0].texts, (std::vector<std::string>{"asleep", "walking", "asleep"}));
    EXPECT_EQ((*scans)[1].texts, std::vector<std::string>(events.begin(), events.end()));
    auto rows = h.engine->TimeBucket({.series = {app},
                                      .start = kStart,
                                      .end = kStart + kMicrosPerHour,
                                      .width = kMicrosPerHour});
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].aggregate.count, 5u);
    EXPECT_EQ((*rows)[0].first_text, R"({"app":"maps"})");
    EXPECT_EQ((*rows)[0].last_text, R"({"app":"maps"})");
    ASSERT_TRUE(h.engine->Flush().ok());
    h.Reopen();  // the texts and the points survive a restart
  }

  const std::vector<double> number = {1.0};
  const SeriesPoints numeric{activity, later, number};
  EXPECT_EQ(h.engine->Write({&numeric, 1}).code(), StatusCode::kInvalidArgument);
  const std::uint64_t metric = h.Series(5, "steps");
  const TextPoints text_to_metric{metric, later, asleep};
  EXPECT_EQ(h.engine->WriteText({&text_to_metric, 1}).code(), StatusCode::kInvalidArgument);
  const std::string huge(kMaxTextBytes + 1, 'x');
  const std::vector<std::string_view> too_long = {huge};
  const TextPoints oversized{app, later, too_long};
  EXPECT_EQ(h.engine->WriteText({&oversized, 1}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.engine->EnsureSeries({5, "activity"}).status().code(), StatusCode::kInvalidArgument)
      << "a state series is not also a metric";
  EXPECT_EQ(h.engine->TimeBucket({.series = {metric, app}, .start = kStart, .end = kStart + 1})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

// Each resolution ages on its own: with raw kept 3 days and minutes 5, a
// per-minute query reaches back 5 days while an hourly one sees all 10.
TEST(TimeSeriesEngine, EveryResolutionHasItsOwnRetention) {
  Harness h(512);
  h.options.chunk_max_span = kMicrosPerDay;
  h.Reopen();
  ASSERT_TRUE(
      h.engine->SetRetention({.standard = {3 * kMicrosPerDay, 5 * kMicrosPerDay, 0, 0}}).ok());
  const std::uint64_t series = h.Series(2, "steps");
  const std::int64_t start = FloorTo(kStart, kMicrosPerDay);
  for (std::int64_t day = 0; day < 10; ++day) {
    h.now = start + (day + 1) * kMicrosPerDay;
    std::vector<std::int64_t> ts;
    std::vector<double> values;
    for (std::int64_t t = start + day * kMicrosPerDay; t < h.now; t += kMicrosPerMinute) {
      ts.push_back(t);
      values.push_back(double(t / kMicrosPerMinute % 50));
    }
    h.Write(series, ts, values);
  }
  ASSERT_TRUE(h.engine->Flush().ok());
  ASSERT_TRUE(h.engine->ApplyRetention().ok());
  const auto per_minute = Buckets(*h.engine, series, start, h.now, kMicrosPerMinute, 0, true);
  ASSERT_FALSE(per_minute.empty());
  EXPECT_EQ(per_minute.front().bucket, h.now - 5 * kMicrosPerDay);
  EXPECT_EQ(per_minute.size(), std::size_t{5 * 24 * 60});
  const auto hourly = Buckets(*h.engine, series, start, h.now, kMicrosPerHour, 0, true);
  ASSERT_EQ(hourly.size(), std::size_t{10 * 24});
  EXPECT_EQ(hourly.front().bucket, start);
  EXPECT_EQ(hourly.front().aggregate.count, 60u);
  // Below the raw horizon only rollups hold data: the estimate's span of
  // data still reaches down to the start asked, so a request narrowed to
  // it (the wrapper's rollup scans and pushed aggregates) keeps every
  // hourly bucket.
  auto estimate = h.engine->EstimatePoints(std::vector<std::uint64_t>{series}, start, h.now);
  ASSERT_TRUE(estimate.ok());
  EXPECT_TRUE(estimate->any);
  EXPECT_EQ(estimate->data_first, start);
  EXPECT_EQ(estimate->data_last, h.now - kMicrosPerMinute);
  EXPECT_GT(estimate->first, start);  // the raw points counted are the last 3 days'
}

TEST(TimeSeriesEngine, RetentionSettingsPersistAndValidate) {
  Harness h;
  EXPECT_EQ(h.engine->retention().standard.raw, 30 * kMicrosPerDay);
  EXPECT_EQ(h.engine->retention().compliance.raw, 7 * 365 * kMicrosPerDay);
  EXPECT_EQ(h.engine->retention().standard.day, 365 * kMicrosPerDay);
  RetentionSettings settings;
  settings.standard = {kMicrosPerDay, 2 * kMicrosPerDay, 3 * kMicrosPerDay, 0};
  ASSERT_TRUE(h.engine->SetRetention(settings).ok());
  h.Reopen();
  EXPECT_EQ(h.engine->retention().standard.minute, 2 * kMicrosPerDay);
  EXPECT_EQ(h.engine->retention().standard.hour, 3 * kMicrosPerDay);
  EXPECT_EQ(h.engine->retention().standard.day, 0);
  settings.standard.raw = -1;
  EXPECT_EQ(h.engine->SetRetention(settings).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lake::timeseries
