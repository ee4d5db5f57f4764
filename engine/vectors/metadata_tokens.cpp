#include "vectors/metadata_tokens.h"

#include <algorithm>

#include "common/hash.h"
#include "common/json_syntax.h"

namespace lake::vectors {

namespace {

// What a token says about a member's value.
enum class TokenKind : char {
  kText = 'T',     // metadata->>key's text (strings, numbers, booleans)
  kNumber = 'N',   // a number's value
  kBoolean = 'B',  // true or false
  kNull = 'Z',
  kNested = 'U',  // an object or array: matches any condition on the key
};

std::uint64_t Token(std::string_view key, TokenKind kind, std::string_view value = {}) {
  std::string text;
  text.reserve(key.size() + value.size() + 2);
  text.append(key);
  text.push_back('\0');
  text.push_back(static_cast<char>(kind));
  text.append(value);
  return Hash64(text.data(), text.size(), 0x6d657461);
}

// A JSON number split into its sign, its digits (integer then fraction,
// leading and trailing zeros kept) and where the decimal point falls in
// them once the exponent is applied.
struct Decimal {
  bool negative = false;
  std::string digits;
  long point = 0;  // digits before the decimal point
  long scale = 0;  // digits numeric keeps after it
  bool zero() const { return digits.find_first_not_of('0') == std::string::npos; }
};

Decimal ParseDecimal(std::string_view number) {
  Decimal decimal;
  std::size_t at = 0;
  if (at < number.size() && number[at] == '-') {
    decimal.negative = true;
    ++at;
  }
  long integer = 0, fraction = 0, exponent = 0;
  for (; at < number.size() && number[at] >= '0' && number[at] <= '9'; ++at, ++integer)
    decimal.digits.push_back(number[at]);
  if (at < number.size() && number[at] == '.') {
    for (++at; at < number.size() && number[at] >= '0' && number[at] <= '9'; ++at, ++fraction)
      decimal.digits.push_back(number[at]);
  }
  if (at < number.size() && (number[at] == 'e' || number[at] == 'E')) {
    ++at;
    bool negative_exponent = false;
    if (at < number.size() && (number[at] == '-' || number[at] == '+'))
      negative_exponent = number[at++] == '-';
    for (; at < number.size() && number[at] >= '0' && number[at] <= '9' && exponent < 1000000; ++at)
      exponent = exponent * 10 + (number[at] - '0');
    if (negative_exponent) exponent = -exponent;
  }
  decimal.point = integer + exponent;
  decimal.scale = std::max(0L, fraction - exponent);
  return decimal;
}

}  // namespace

std::string NumericText(std::string_view number) {
  const Decimal decimal = ParseDecimal(number);
  std::string integer, fraction;
  for (long i = 0; i < decimal.point; ++i)
    integer.push_back(i < long(decimal.digits.size()) ? decimal.digits[std::size_t(i)] : '0');
  for (long i = decimal.point; i < decimal.point + decimal.scale; ++i)
    fraction.push_back(i >= 0 && i < long(decimal.digits.size()) ? decimal.digits[std::size_t(i)]
                                                                 : '0');
  const std::size_t significant = integer.find_first_not_of('0');
  std::string text;
  if (decimal.negative && !decimal.zero()) text.push_back('-');
  if (significant == std::string::npos) {
    text.push_back('0');
  } else {
    text.append(integer, significant);
  }
  if (!fraction.empty()) {
    text.push_back('.');
    text.append(fraction);
  }
  return text;
}

std::string NumericValue(std::string_view number) {
  const Decimal decimal = ParseDecimal(number);
  if (decimal.zero()) return "0";
  const std::size_t first = decimal.digits.find_first_not_of('0');
  const std::size_t last = decimal.digits.find_last_not_of('0');
  std::string value = decimal.negative ? "-" : "";
  value.append(decimal.digits, first, last - first + 1);
  value.push_back('e');
  value.append(std::to_string(decimal.point - long(first)));
  return value;
}

std::vector<std::uint64_t> RowTokens(std::string_view metadata_json) {
  std::vector<JsonMember> members;
  std::vector<std::uint64_t> tokens;
  if (metadata_json.empty() || !ReadJsonMembers(metadata_json, &members)) return tokens;
  for (const JsonMember& member : members) {
    switch (member.kind) {
      case JsonKind::kString:
        tokens.push_back(Token(member.key, TokenKind::kText, member.value));
        break;
      case JsonKind::kNumber:
        tokens.push_back(Token(member.key, TokenKind::kText, NumericText(member.value)));
        tokens.push_back(Token(member.key, TokenKind::kNumber, NumericValue(member.value)));
        break;
      case JsonKind::kTrue:
      case JsonKind::kFalse: {
        const std::string_view word = member.kind == JsonKind::kTrue ? "true" : "false";
        tokens.push_back(Token(member.key, TokenKind::kText, word));
        tokens.push_back(Token(member.key, TokenKind::kBoolean, word));
        break;
      }
      case JsonKind::kNull:
        tokens.push_back(Token(member.key, TokenKind::kNull));
        break;
      case JsonKind::kContainer:
        tokens.push_back(Token(member.key, TokenKind::kNested));
        break;
    }
  }
  return tokens;
}

std::vector<std::uint64_t> TextTokens(std::string_view key, const std::vector<std::string>& texts) {
  std::vector<std::uint64_t> tokens{Token(key, TokenKind::kNested)};
  for (const std::string& text : texts)
    tokens.push_back(Token(key, TokenKind::kText, text));
  return tokens;
}

Result<std::vector<std::vector<std::uint64_t>>> ContainsTokens(std::string_view object_json) {
  std::vector<JsonMember> members;
  if (!ReadJsonMembers(object_json, &members))
    return Status::InvalidArgument("a metadata containment filter must be a JSON object");
  std::vector<std::vector<std::uint64_t>> any_of;
  for (const JsonMember& member : members) {
    std::vector<std::uint64_t> tokens{Token(member.key, TokenKind::kNested)};
    switch (member.kind) {
      case JsonKind::kString:  // a number with this text over-matches
        tokens.push_back(Token(member.key, TokenKind::kText, member.value));
        break;
      case JsonKind::kNumber:
        tokens.push_back(Token(member.key, TokenKind::kNumber, NumericValue(member.value)));
        break;
      case JsonKind::kTrue:
      case JsonKind::kFalse:
        tokens.push_back(Token(member.key, TokenKind::kBoolean,
                               member.kind == JsonKind::kTrue ? "true" : "false"));
        break;
      case JsonKind::kNull:
        tokens.push_back(Token(member.key, TokenKind::kNull));
        break;
      case JsonKind::kContainer:  // only rows whose value is nested may contain it
        break;
    }
    any_of.push_back(std::move(tokens));
  }
  return any_of;
}

}  // namespace lake::vectors
