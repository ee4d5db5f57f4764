// A TSBS-style "cpu-only" workload, generated deterministically: hosts that
// report ten CPU metrics every 10 seconds (integer percentages on a clamped
// random walk, as TSBS generates them), and TSBS's standard queries over it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench_report.h"
#include "timeseries/timeseries_engine.h"

namespace lake::bench {

struct TsbsConfig {
  int hosts = 100;
  int days = 30;
  std::string work_dir = "build/bench-work";
};

// Ingests the workload (1 and 2 writer threads, each into a fresh data
// directory), then times single-groupby, double-groupby-all, high-cpu-all and
// lastpoint on the full data set; adds the rows to `report`.
void RunTsbs(const TsbsConfig& config, BenchReport& report);

}  // namespace lake::bench
