#include "simd/distance.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "simd/kernel_tables.h"

namespace lake::simd {

namespace {

bool CpuHas(Isa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case Isa::kSse2:
      return true;  // part of x86-64
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
             __builtin_cpu_supports("f16c");
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
  }
  return false;
}

const KernelTable& TableOf(Isa isa) {
  switch (isa) {
    case Isa::kSse2:
      return detail::KernelTableSse2();
    case Isa::kAvx2:
      return detail::KernelTableAvx2();
    case Isa::kAvx512:
      return detail::KernelTableAvx512();
  }
  return detail::KernelTableSse2();
}

const KernelTable& ChooseTable() {
  const std::vector<Isa> supported = SupportedIsas();
  Isa best = supported.back();
  if (const char* forced = std::getenv("LAKE_SIMD"); forced != nullptr && *forced != '\0') {
    bool found = false;
    for (Isa isa : supported) {
      if (IsaName(isa) == forced) {
        best = isa;
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "lake: LAKE_SIMD=%s is not available on this CPU; using %s\n", forced,
                   std::string(IsaName(best)).c_str());
    }
  }
  return TableOf(best);
}

}  // namespace

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kSse2:
      return "sse2";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

std::vector<Isa> SupportedIsas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::kSse2, Isa::kAvx2, Isa::kAvx512}) {
    if (CpuHas(isa)) isas.push_back(isa);
  }
  return isas;
}

const KernelTable* KernelsFor(Isa isa) {
  return CpuHas(isa) ? &TableOf(isa) : nullptr;
}

const KernelTable& Kernels() {
  static const KernelTable& table = ChooseTable();
  return table;
}

}  // namespace lake::simd
