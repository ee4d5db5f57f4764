// The one result shape every bench writes: a JSON list of rows
// {"system", "dataset", "params", "metric", "value", "unit"}, plus a table on
// stdout. `system` is "lake" (or "lake-<variant>") for ours and the peer's own
// name for baselines (hnswlib, faiss, ...).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lake::bench {

struct BenchRow {
  std::string system;
  std::string dataset;
  // Ordered name/value pairs; values that parse as numbers are written as
  // JSON numbers.
  std::vector<std::pair<std::string, std::string>> params;
  std::string metric;
  double value = 0;
  std::string unit;
};

class BenchReport {
 public:
  void Add(BenchRow row) { rows_.push_back(std::move(row)); }
  const std::vector<BenchRow>& rows() const { return rows_; }

  // Creates the parent directory when needed.
  Status WriteJson(const std::string& path) const;
  void PrintTable() const;
  // Prints the table and writes the rows to `path`: a bench's exit code.
  int Finish(const std::string& path) const;

 private:
  std::vector<BenchRow> rows_;
};

std::string FormatParams(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace lake::bench
