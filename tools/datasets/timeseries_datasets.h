// The real time series in ../shared/data/timeseries (see its README), read
// in place as (timestamp, value) series for tests and benches: NAB, SKAB,
// darts, M4 and the ALP paper's samples. Sets without timestamps (M4, the
// ALP samples, two darts files) get a regular clock at their stated period.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace lake::datasets {

struct NamedSeries {
  std::string dataset;                   // nab, skab, darts, m4, alp
  std::string name;                      // file (and column) it came from
  std::vector<std::int64_t> timestamps;  // microseconds UTC, strictly increasing
  std::vector<double> values;
};

inline const std::vector<std::string>& TimeseriesDatasets() {
  static const std::vector<std::string> names = {"nab", "skab", "darts", "m4", "alp"};
  return names;
}

// Every series of one data set; an unknown name or missing file is an error.
Result<std::vector<NamedSeries>> LoadTimeseriesDataset(const std::string& dataset);

// Microseconds since the epoch of "YYYY-MM-DD[ HH:MM[:SS]]", "YYYY-MM" or
// "M/D/YYYY" (quotes allowed); kInvalidArgument for anything else.
Result<std::int64_t> ParseTimestamp(const std::string& text);

}  // namespace lake::datasets
