// How metadata filters find rows without reading records: each top-level
// member of a record's metadata becomes 64-bit tokens (hashes of the key
// and the value as jsonb sees it), which an index maps to slots; a
// condition becomes the tokens a matching row has one of.
//
// Tokens may over-match (a hash collision, a member whose value is an
// object or array, a number matching a string of the same text), never
// under-match: PostgreSQL checks every row the engine returns again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lake::vectors {

// The tokens of one record's metadata (a JSON object; empty means {}).
std::vector<std::uint64_t> RowTokens(std::string_view metadata_json);

// A row passes `metadata->>key = text` for one of `texts` only if it has
// one of these tokens.
std::vector<std::uint64_t> TextTokens(std::string_view key, const std::vector<std::string>& texts);

// A row passes `metadata @> object` only if, for each returned list, it has
// one of the list's tokens. InvalidArgument when `object` is not a JSON object.
Result<std::vector<std::vector<std::uint64_t>>> ContainsTokens(std::string_view object_json);

// What PostgreSQL's numeric prints for a JSON number ("1.5e1" → "15",
// "-0.0" → "0.0", "1e-2" → "0.01"): the text of metadata->>key.
std::string NumericText(std::string_view number);
// The number's value as one string (equal values, equal strings: "1.0",
// "1", "0.1e1" → "1e1"): what containment compares.
std::string NumericValue(std::string_view number);

}  // namespace lake::vectors
