// Runs a writer probe (a separate binary: a process that runs RocksDB threads
// must not fork) on a data directory, hands each line it prints to `take`,
// and kills it with SIGKILL after `lines` lines; the lines it printed before
// the signal landed are handed over too. Returns whether the kill is what
// stopped it.
#pragma once

#include <functional>
#include <string>

namespace lake::testing {

bool RunProbeAndKill(const std::string& probe, const std::string& dir, int lines,
                     const std::function<void(const std::string& line)>& take);

}  // namespace lake::testing
