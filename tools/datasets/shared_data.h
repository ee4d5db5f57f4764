// Where the shared real data lives (../shared/data, see its README): tests,
// benches and tools read it in place, never copy it.
#pragma once

#include <string>

namespace lake::datasets {

// `relative` under the first of $LAKE_SHARED_DATA, the directory the build
// was configured with (../shared/data beside the source tree by default) and
// /work/shared/data that holds it; under the first of them when none does.
std::string SharedDataPath(const std::string& relative);

}  // namespace lake::datasets
