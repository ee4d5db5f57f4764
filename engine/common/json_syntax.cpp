#include "common/json_syntax.h"

#include <cstddef>

namespace lake {
namespace {

class JsonChecker {
 public:
  explicit JsonChecker(std::string_view text) : text_(text) {}

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
  bool Digits() {
    const std::size_t start = at_;
    while (Peek() >= '0' && Peek() <= '9')
      ++at_;
    return at_ > start;
  }
  bool Literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  bool Number() {
    Take('-');
    if (!Take('0') && !Digits()) return false;
    if (Take('.') && !Digits()) return false;
    if (Peek() == 'e' || Peek() == 'E') {
      ++at_;
      if (!Take('+')) Take('-');
      if (!Digits()) return false;
    }
    return true;
  }
  bool String() {
    if (!Take('"')) return false;
    while (at_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      const char escaped = Peek();
      ++at_;
      if (escaped == 'u') {
        for (int i = 0; i < 4; ++i, ++at_) {
          const char h = Peek();
          if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
            return false;
        }
      } else if (std::string_view("\"\\/bfnrt").find(escaped) == std::string_view::npos) {
        return false;
      }
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
        if (c == '{') {
          SkipSpace();
          if (!String()) return false;
          SkipSpace();
          if (!Take(':')) return false;
        }
        if (!Value(depth + 1)) return false;
        SkipSpace();
      } while (Take(','));
      return Take(close);
    }
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    return Number();
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

bool IsJsonObject(std::string_view text) {
  return JsonChecker(text).Object();
}

}  // namespace lake
