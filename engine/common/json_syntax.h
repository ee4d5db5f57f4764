// Whether text is one JSON object (RFC 8259) that PostgreSQL's jsonb takes,
// checked for syntax only. nlohmann::json refuses numbers beyond double
// ("1e400"), which jsonb keeps as numerics; jsonb refuses what a numeric
// cannot hold (1e200000), \u0000, unpaired surrogates and invalid UTF-8,
// and so does this. Nesting deeper than kMaxJsonDepth is refused (a stack
// bound).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lake {

inline constexpr int kMaxJsonDepth = 512;

bool IsJsonObject(std::string_view text);

enum class JsonKind { kString, kNumber, kTrue, kFalse, kNull, kContainer };

// One member of an object: a string's value unescaped, a number's or a
// container's as written.
struct JsonMember {
  std::string key;
  JsonKind kind = JsonKind::kNull;
  std::string value;
};

// The top-level members of the object IsJsonObject takes (later duplicate
// keys replace earlier ones, as in jsonb); false for anything else.
bool ReadJsonMembers(std::string_view text, std::vector<JsonMember>* members);

// The text of a JSON string's contents (between its quotes), escapes
// decoded to UTF-8; `raw` must be valid (IsJsonObject checked it).
std::string UnescapeJsonString(std::string_view raw);

}  // namespace lake
