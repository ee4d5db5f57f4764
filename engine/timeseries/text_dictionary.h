// The texts of event and state series, each stored once: a text becomes a
// small integer code, and the code is what the series' points hold as their
// value. Chunks, heads, late data, deletes and retention then work for text
// series exactly as for metrics, and repeated states ("asleep", "walking")
// compress to a few bits per point. New codes are made durable before any
// point that uses them.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "storage/store.h"

namespace lake::timeseries {

inline constexpr std::size_t kMaxTextBytes = 16 * 1024;

class TextDictionary {
 public:
  Status Load(storage::Store* store);
  // The codes of `texts`, adding (and persisting) the new ones.
  Result<std::vector<double>> Encode(std::span<const std::string_view> texts);
  // The text of a code; kCorruption for a code never issued.
  Result<std::string> Decode(double code) const;

 private:
  storage::Store* store_ = nullptr;
  mutable std::mutex mutex_;
  // Looked up by string_view: no allocation for texts already known.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> codes_;
  std::vector<std::string> texts_;
};

}  // namespace lake::timeseries
