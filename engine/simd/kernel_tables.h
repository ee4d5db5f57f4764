// Private to engine/simd: one table per instruction set, each defined in the
// translation unit compiled with that instruction set's flags.
#pragma once

#include "simd/distance.h"

namespace lake::simd::detail {

const KernelTable& KernelTableSse2();
const KernelTable& KernelTableAvx2();
const KernelTable& KernelTableAvx512();

}  // namespace lake::simd::detail
