#include "datasets/timeseries_datasets.h"

#include "datasets/shared_data.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

namespace lake::datasets {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kHour = 3600 * kSecond;
// Synthetic clocks start at 2020-01-01 00:00 UTC.
constexpr std::int64_t kSyntheticStart = 1'577'836'800 * kSecond;

std::int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return std::int64_t{era} * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::vector<std::string> Split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, separator)) {
    if (!field.empty() && field.back() == '\r') field.pop_back();
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"')
      field = field.substr(1, field.size() - 2);
    fields.push_back(field);
  }
  if (!line.empty() && line.back() == separator) fields.emplace_back();
  return fields;
}

bool ParseValue(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

Result<std::vector<std::string>> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Sorts by time and drops repeated timestamps (the later row wins), so
// every series is strictly increasing.
void Normalise(NamedSeries& s) {
  std::vector<std::size_t> order(s.timestamps.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.timestamps[a] < s.timestamps[b]; });
  NamedSeries out{s.dataset, s.name, {}, {}};
  for (std::size_t i : order) {
    if (!out.timestamps.empty() && out.timestamps.back() == s.timestamps[i]) {
      out.values.back() = s.values[i];
      continue;
    }
    out.timestamps.push_back(s.timestamps[i]);
    out.values.push_back(s.values[i]);
  }
  s = std::move(out);
}

// A CSV with a time column first and one series per numeric column after it.
Status LoadTimedCsv(const fs::path& path, const std::string& dataset, char separator,
                    const std::vector<std::string>& skip_columns, std::vector<NamedSeries>* out) {
  LAKE_ASSIGN_OR_RETURN(auto lines, ReadLines(path));
  if (lines.empty()) return Status::Corruption(path.string() + ": empty");
  const auto header = Split(lines[0], separator);
  std::vector<NamedSeries> columns(header.size());
  for (std::size_t c = 1; c < header.size(); ++c)
    columns[c] = {dataset, path.filename().string() + ":" + header[c], {}, {}};
  for (std::size_t r = 1; r < lines.size(); ++r) {
    const auto fields = Split(lines[r], separator);
    if (fields.empty()) continue;
    auto ts = ParseTimestamp(fields[0]);
    if (!ts.ok()) return Status::Corruption(path.string() + ": bad time '" + fields[0] + "'");
    for (std::size_t c = 1; c < fields.size() && c < header.size(); ++c) {
      double v;
      if (!ParseValue(fields[c], &v)) continue;
      columns[c].timestamps.push_back(*ts);
      columns[c].values.push_back(v);
    }
  }
  for (std::size_t c = 1; c < columns.size(); ++c) {
    if (columns[c].values.empty()) continue;
    if (std::find(skip_columns.begin(), skip_columns.end(), header[c]) != skip_columns.end())
      continue;
    Normalise(columns[c]);
    out->push_back(std::move(columns[c]));
  }
  return Status::Ok();
}

// One value per line (after an optional header), on a regular clock.
Status LoadValueColumn(const fs::path& path, const std::string& dataset, std::int64_t period,
                       std::vector<NamedSeries>* out) {
  LAKE_ASSIGN_OR_RETURN(auto lines, ReadLines(path));
  NamedSeries s{dataset, path.filename().string(), {}, {}};
  for (const std::string& line : lines) {
    double v;
    if (!ParseValue(Split(line, ',').front(), &v)) continue;
    s.timestamps.push_back(kSyntheticStart + static_cast<std::int64_t>(s.values.size()) * period);
    s.values.push_back(v);
  }
  out->push_back(std::move(s));
  return Status::Ok();
}

// M4's wide rows: an id, then the values, on a regular clock.
Status LoadWideRows(const fs::path& path, std::int64_t period, std::vector<NamedSeries>* out) {
  LAKE_ASSIGN_OR_RETURN(auto lines, ReadLines(path));
  for (std::size_t r = 1; r < lines.size(); ++r) {
    const auto fields = Split(lines[r], ',');
    NamedSeries s{"m4", fields.front(), {}, {}};
    for (std::size_t c = 1; c < fields.size(); ++c) {
      double v;
      if (!ParseValue(fields[c], &v)) continue;
      s.timestamps.push_back(kSyntheticStart + static_cast<std::int64_t>(s.values.size()) * period);
      s.values.push_back(v);
    }
    if (!s.values.empty()) out->push_back(std::move(s));
  }
  return Status::Ok();
}

std::vector<fs::path> CsvFilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".csv")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Result<std::int64_t> ParseTimestamp(const std::string& text) {
  int y = 0, mo = 0, d = 1, h = 0, mi = 0, s = 0;
  char tail = 0;
  const char* t = text.c_str();
  if (std::sscanf(t, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) >= 3 ||
      std::sscanf(t, "%4d-%2d%c", &y, &mo, &tail) == 2) {
  } else if (std::sscanf(t, "%d/%d/%4d%c", &mo, &d, &y, &tail) == 3) {
  } else {
    return Status::InvalidArgument("not a timestamp: " + text);
  }
  if (tail != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return Status::InvalidArgument("not a timestamp: " + text);
  const std::int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60 * kSecond + std::int64_t{s} * kSecond;
}

Result<std::vector<NamedSeries>> LoadTimeseriesDataset(const std::string& dataset) {
  const fs::path root = SharedDataPath("timeseries");
  std::vector<NamedSeries> series;
  if (dataset == "nab") {
    for (const auto& file : CsvFilesUnder(root / "nab"))
      LAKE_RETURN_IF_ERROR(LoadTimedCsv(file, dataset, ',', {}, &series));
  } else if (dataset == "skab") {
    for (const auto& file : CsvFilesUnder(root / "skab"))
      LAKE_RETURN_IF_ERROR(LoadTimedCsv(file, dataset, ';', {"anomaly", "changepoint"}, &series));
  } else if (dataset == "darts") {
    // heart_rate has no clock (one value per beat interval, taken as 1 s);
    // taylor is half-hourly electricity demand.
    for (const auto& file : CsvFilesUnder(root / "darts")) {
      const std::string name = file.filename().string();
      if (name == "heart_rate.csv") {
        LAKE_RETURN_IF_ERROR(LoadValueColumn(file, dataset, kSecond, &series));
      } else if (name == "taylor.csv") {
        LAKE_RETURN_IF_ERROR(LoadValueColumn(file, dataset, kHour / 2, &series));
      } else {
        LAKE_RETURN_IF_ERROR(LoadTimedCsv(file, dataset, ',', {}, &series));
      }
    }
  } else if (dataset == "m4") {
    LAKE_RETURN_IF_ERROR(LoadWideRows(root / "m4" / "Hourly-train.csv", kHour, &series));
    LAKE_RETURN_IF_ERROR(LoadWideRows(root / "m4" / "Weekly-train.csv", 168 * kHour, &series));
  } else if (dataset == "alp") {
    for (const auto& file : CsvFilesUnder(root / "alp_samples"))
      LAKE_RETURN_IF_ERROR(LoadValueColumn(file, dataset, kSecond, &series));
  } else {
    return Status::InvalidArgument("unknown time-series data set: " + dataset);
  }
  if (series.empty()) return Status::NotFound("no series in " + (root / dataset).string());
  return series;
}

}  // namespace lake::datasets
