#include "bench_report.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace lake::bench {

namespace {
nlohmann::json ParamValue(const std::string& text) {
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc() && end == text.data() + text.size()) return number;
  return text;
}
}  // namespace

std::string FormatParams(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += ' ';
    out += name + "=" + value;
  }
  return out;
}

Status BenchReport::WriteJson(const std::string& path) const {
  nlohmann::json rows = nlohmann::json::array();
  for (const BenchRow& row : rows_) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [name, value] : row.params)
      params[name] = ParamValue(value);
    rows.push_back({{"system", row.system},
                    {"dataset", row.dataset},
                    {"params", params},
                    {"metric", row.metric},
                    {"value", row.value},
                    {"unit", row.unit}});
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  std::ofstream out(path);
  if (!out) return Status::IOError("cannot write " + path);
  out << rows.dump(1) << "\n";
  return out ? Status::Ok() : Status::IOError("cannot write " + path);
}

void BenchReport::PrintTable() const {
  std::size_t widths[4] = {6, 7, 6, 6};
  for (const BenchRow& row : rows_) {
    widths[0] = std::max(widths[0], row.system.size());
    widths[1] = std::max(widths[1], row.dataset.size());
    widths[2] = std::max(widths[2], FormatParams(row.params).size());
    widths[3] = std::max(widths[3], row.metric.size());
  }
  const auto print = [&](const std::string& system, const std::string& dataset,
                         const std::string& params, const std::string& metric,
                         const std::string& value, const std::string& unit) {
    std::printf("%-*s  %-*s  %-*s  %-*s  %14s  %s\n", int(widths[0]), system.c_str(),
                int(widths[1]), dataset.c_str(), int(widths[2]), params.c_str(), int(widths[3]),
                metric.c_str(), value.c_str(), unit.c_str());
  };
  print("system", "dataset", "params", "metric", "value", "unit");
  for (const BenchRow& row : rows_) {
    char value[32];
    std::snprintf(value, sizeof(value), row.value >= 1e5 ? "%.4g" : "%.3f", row.value);
    print(row.system, row.dataset, FormatParams(row.params), row.metric, value, row.unit);
  }
}

int BenchReport::Finish(const std::string& path) const {
  PrintTable();
  if (Status status = WriteJson(path); !status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("\nwrote %s\n", path.c_str());
  return 0;
}

}  // namespace lake::bench
