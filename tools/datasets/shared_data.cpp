#include "datasets/shared_data.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace lake::datasets {

std::string SharedDataPath(const std::string& relative) {
  std::vector<std::string> roots;
  if (const char* env = std::getenv("LAKE_SHARED_DATA"); env != nullptr && *env != '\0')
    roots.emplace_back(env);
  roots.emplace_back(LAKE_SHARED_DATA);
  roots.emplace_back("/work/shared/data");
  for (const std::string& root : roots) {
    const std::string candidate = root + "/" + relative;
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return roots.front() + "/" + relative;
}

}  // namespace lake::datasets
