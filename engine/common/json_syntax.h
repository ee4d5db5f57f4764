// Whether text is one JSON object (RFC 8259), checked for syntax only.
// nlohmann::json refuses numbers beyond double ("1e400"), which PostgreSQL's
// jsonb keeps as numerics: metadata that jsonb accepts must be accepted here
// too. Nesting deeper than kMaxJsonDepth is refused (a stack bound).
#pragma once

#include <string_view>

namespace lake {

inline constexpr int kMaxJsonDepth = 512;

bool IsJsonObject(std::string_view text);

}  // namespace lake
