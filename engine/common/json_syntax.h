// Whether text is one JSON object (RFC 8259) that PostgreSQL's jsonb takes,
// checked for syntax only. nlohmann::json refuses numbers beyond double
// ("1e400"), which jsonb keeps as numerics; jsonb refuses what a numeric
// cannot hold (1e200000), \u0000, unpaired surrogates and invalid UTF-8,
// and so does this. Nesting deeper than kMaxJsonDepth is refused (a stack
// bound).
#pragma once

#include <string_view>

namespace lake {

inline constexpr int kMaxJsonDepth = 512;

bool IsJsonObject(std::string_view text);

}  // namespace lake
