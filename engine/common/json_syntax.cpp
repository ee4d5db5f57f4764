#include "common/json_syntax.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace lake {
namespace {

constexpr std::uint32_t kBadEscape = 0xFFFFFFFF;

class JsonChecker {
 public:
  // With `members`, the top-level object's members are collected too.
  explicit JsonChecker(std::string_view text, std::vector<JsonMember>* members = nullptr)
      : text_(text), members_(members) {}

  bool Object() {
    SkipSpace();
    if (Peek() != '{' || !Value(0)) return false;
    SkipSpace();
    return at_ == text_.size();
  }

 private:
  char Peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  bool Take(char c) {
    if (Peek() != c) return false;
    ++at_;
    return true;
  }
  void SkipSpace() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }
  std::size_t Digits() {
    const std::size_t start = at_;
    while (Peek() >= '0' && Peek() <= '9')
      ++at_;
    return at_ - start;
  }
  bool Literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  // A number jsonb keeps as a numeric: at most 131,072 digits before the
  // decimal point and 16,383 after, once the exponent is applied.
  bool Number() {
    Take('-');
    std::size_t integer = 0, fraction = 0;
    if (Take('0')) {
      integer = 1;
    } else if ((integer = Digits()) == 0) {
      return false;
    }
    if (Take('.') && (fraction = Digits()) == 0) return false;
    long exponent = 0;
    if (Peek() == 'e' || Peek() == 'E') {
      ++at_;
      const bool negative = Take('-');
      if (!negative) Take('+');
      const std::size_t start = at_;
      if (Digits() == 0) return false;
      for (std::size_t i = start; i < at_ && exponent < 1000000; ++i)
        exponent = exponent * 10 + (text_[i] - '0');
      if (negative) exponent = -exponent;
    }
    return long(integer) + exponent <= 131072 && long(fraction) - exponent <= 16383;
  }
  std::uint32_t Hex4() {
    std::uint32_t code = 0;
    for (int i = 0; i < 4; ++i, ++at_) {
      const char h = Peek();
      const int digit = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
      if (digit < 0) return kBadEscape;
      code = code * 16 + std::uint32_t(digit);
    }
    return code;
  }
  // Valid UTF-8 of one character (a continuation of `lead`), as jsonb's
  // text must be.
  bool Utf8(unsigned char lead) {
    const int more = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC2 ? 1 : -1;
    if (more < 0 || lead > 0xF4) return false;
    for (int i = 0; i < more; ++i) {
      const unsigned char c = static_cast<unsigned char>(Peek());
      if ((c & 0xC0) != 0x80) return false;
      ++at_;
    }
    return true;
  }
  // Escapes jsonb takes: no \u0000, surrogates only in pairs.
  bool Escape() {
    const char escaped = Peek();
    ++at_;
    if (escaped != 'u')
      return std::string_view("\"\\/bfnrt").find(escaped) != std::string_view::npos;
    const std::uint32_t code = Hex4();
    if (code == kBadEscape || code == 0 || (code >= 0xDC00 && code <= 0xDFFF)) return false;
    if (code < 0xD800 || code > 0xDBFF) return true;
    if (!Take('\\') || !Take('u')) return false;
    const std::uint32_t low = Hex4();
    return low >= 0xDC00 && low <= 0xDFFF;
  }
  bool String() {
    if (!Take('"')) return false;
    while (at_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\' && !Escape()) return false;
      if (c >= 0x80 && !Utf8(c)) return false;
    }
    return false;
  }
  // A value whose text starts here; containers list theirs, comma-separated.
  bool Value(int depth) {
    SkipSpace();
    const char c = Peek();
    if (c == '"') return String();
    if (c == '{' || c == '[') {
      if (depth >= kMaxJsonDepth) return false;
      const char close = c == '{' ? '}' : ']';
      ++at_;
      SkipSpace();
      if (Take(close)) return true;
      do {
        std::size_t key_start = 0, key_end = 0;
        if (c == '{') {
          SkipSpace();
          key_start = at_;
          if (!String()) return false;
          key_end = at_;
          SkipSpace();
          if (!Take(':')) return false;
        }
        SkipSpace();
        const std::size_t value_start = at_;
        if (!Value(depth + 1)) return false;
        if (c == '{' && depth == 0 && members_ != nullptr)
          Collect(text_.substr(key_start + 1, key_end - key_start - 2),
                  text_.substr(value_start, at_ - value_start));
        SkipSpace();
      } while (Take(','));
      return Take(close);
    }
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    return Number();
  }

  // A member: its key's text between the quotes, its value's text.
  void Collect(std::string_view raw_key, std::string_view value) {
    JsonMember member;
    member.key = UnescapeJsonString(raw_key);
    switch (value.front()) {
      case '"':
        member.kind = JsonKind::kString;
        member.value = UnescapeJsonString(value.substr(1, value.size() - 2));
        break;
      case '{':
      case '[':
        member.kind = JsonKind::kContainer;
        member.value = value;
        break;
      case 't':
        member.kind = JsonKind::kTrue;
        break;
      case 'f':
        member.kind = JsonKind::kFalse;
        break;
      case 'n':
        member.kind = JsonKind::kNull;
        break;
      default:
        member.kind = JsonKind::kNumber;
        member.value = value;
    }
    // jsonb keeps the last of duplicate keys.
    for (JsonMember& earlier : *members_) {
      if (earlier.key == member.key) {
        earlier = std::move(member);
        return;
      }
    }
    members_->push_back(std::move(member));
  }

  std::string_view text_;
  std::vector<JsonMember>* members_;
  std::size_t at_ = 0;
};

void AppendUtf8(std::uint32_t code, std::string* out) {
  if (code < 0x80) {
    out->push_back(char(code));
  } else if (code < 0x800) {
    out->push_back(char(0xC0 | (code >> 6)));
    out->push_back(char(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out->push_back(char(0xE0 | (code >> 12)));
    out->push_back(char(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(char(0x80 | (code & 0x3F)));
  } else {
    out->push_back(char(0xF0 | (code >> 18)));
    out->push_back(char(0x80 | ((code >> 12) & 0x3F)));
    out->push_back(char(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(char(0x80 | (code & 0x3F)));
  }
}

std::uint32_t HexAt(std::string_view raw, std::size_t at) {
  std::uint32_t code = 0;
  for (std::size_t i = at; i < at + 4 && i < raw.size(); ++i) {
    const char h = raw[i];
    code = code * 16 + std::uint32_t(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
  }
  return code;
}

}  // namespace

bool IsJsonObject(std::string_view text) {
  return JsonChecker(text).Object();
}

bool ReadJsonMembers(std::string_view text, std::vector<JsonMember>* members) {
  members->clear();
  return JsonChecker(text, members).Object();
}

std::string UnescapeJsonString(std::string_view raw) {
  std::string text;
  text.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 >= raw.size()) {
      text.push_back(raw[i]);
      continue;
    }
    const char escaped = raw[++i];
    switch (escaped) {
      case 'b':
        text.push_back('\b');
        break;
      case 'f':
        text.push_back('\f');
        break;
      case 'n':
        text.push_back('\n');
        break;
      case 'r':
        text.push_back('\r');
        break;
      case 't':
        text.push_back('\t');
        break;
      case 'u': {
        std::uint32_t code = HexAt(raw, i + 1);
        i += 4;
        if (code >= 0xD800 && code <= 0xDBFF) {  // a pair: \uD8xx\uDCxx
          const std::uint32_t low = HexAt(raw, i + 3);
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        AppendUtf8(code, &text);
        break;
      }
      default:  // " \\ /
        text.push_back(escaped);
    }
  }
  return text;
}

}  // namespace lake
