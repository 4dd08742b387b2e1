#include "common/validate/text.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/validate/utf8.h"

namespace crm::validate {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

// Length in bytes of the whitespace character starting at s[i], or 0.
size_t SpaceAt(std::string_view s, size_t i) {
  if (IsAsciiSpace(s[i])) return 1;
  if (s.substr(i, 2) == "\xC2\xA0") return 2;      // U+00A0
  if (s.substr(i, 3) == "\xE3\x80\x80") return 3;  // U+3000
  return 0;
}

std::string_view TrimSpaces(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t n = SpaceAt(s, begin);
    if (n == 0) break;
    begin += n;
  }
  size_t end = s.size();
  // Whitespace ends in ' '..'\r', 0xA0 (U+00A0) or 0x80 (U+3000); step back
  // over the whole character before asking SpaceAt.
  while (end > begin) {
    if (IsAsciiSpace(s[end - 1])) {
      --end;
    } else if (end - begin >= 2 && s.substr(end - 2, 2) == "\xC2\xA0") {
      end -= 2;
    } else if (end - begin >= 3 && s.substr(end - 3, 3) == "\xE3\x80\x80") {
      end -= 3;
    } else {
      break;
    }
  }
  return s.substr(begin, end - begin);
}

// C0 and C1 controls, DEL, the line/paragraph separators and the
// bidirectional embedding/override/isolate controls.
bool IsForbiddenInName(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
         cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string ToHalfWidth(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(utf8[i]);
    if ((b0 == 0xEF || b0 == 0xE3) && i + 2 < utf8.size()) {
      const auto b1 = static_cast<unsigned char>(utf8[i + 1]);
      const auto b2 = static_cast<unsigned char>(utf8[i + 2]);
      if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) {  // U+3000
        out.push_back(' ');
        i += 2;
        continue;
      }
      // U+FF01..U+FF3F is EF BC 81..BF, U+FF40..U+FF5E is EF BD 80..9E;
      // the ASCII form is the code point minus 0xFEE0.
      if (b0 == 0xEF && ((b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) ||
                         (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E))) {
        const char32_t cp = 0xF000 | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
        out.push_back(static_cast<char>(cp - 0xFEE0));
        i += 2;
        continue;
      }
    }
    out.push_back(utf8[i]);
  }
  return out;
}

std::string CollapseSpaces(std::string_view utf8) {
  std::string_view s = TrimSpaces(utf8);
  std::string out;
  out.reserve(s.size());
  bool in_space = false;
  for (size_t i = 0; i < s.size();) {
    if (size_t n = SpaceAt(s, i); n > 0) {
      if (!in_space) out.push_back(' ');
      in_space = true;
      i += n;
    } else {
      out.push_back(s[i]);
      in_space = false;
      ++i;
    }
  }
  return out;
}

bool IsPunctuationOrSpace(char32_t cp) {
  if (cp < 0x80) {
    return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
             (cp >= 'A' && cp <= 'Z'));
  }
  return (cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 ||
         (cp >= 0x2000 && cp <= 0x206F) || cp == 0x2122 ||
         (cp >= 0x3000 && cp <= 0x303F && (cp < 0x3005 || cp > 0x3007)) ||
         cp == 0x30FB || (cp >= 0xFE10 && cp <= 0xFE1F) ||
         (cp >= 0xFE30 && cp <= 0xFE6F) ||
         (cp >= 0xFF01 && cp <= 0xFF5E && IsPunctuationOrSpace(cp - 0xFEE0)) ||
         (cp >= 0xFF5F && cp <= 0xFF65) || (cp >= 0xFFE0 && cp <= 0xFFEE);
}

size_t Utf8Length(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

absl::Status ValidateName(std::string* name, std::string_view field,
                          size_t max_chars) {
  // Trimming only removes whole whitespace characters, so the name is
  // valid UTF-8 exactly when its trimmed part is.
  std::string_view trimmed = TrimSpaces(*name);
  std::optional<std::u32string> cps = DecodeUtf8(trimmed);
  if (!cps) return InvalidField(field, "must be valid UTF-8");
  if (cps->empty()) return InvalidField(field, "must not be empty");
  for (char32_t cp : *cps) {
    if (IsForbiddenInName(cp)) {
      return InvalidField(field, "must not contain control characters");
    }
  }
  if (cps->size() > max_chars) {
    return InvalidField(
        field, absl::StrCat("must be at most ", max_chars, " characters"));
  }
  *name = std::string(trimmed);
  return absl::OkStatus();
}

absl::Status ValidateFreeText(std::string* text, std::string_view field,
                              size_t max_chars, bool required) {
  std::string trimmed(absl::StripAsciiWhitespace(*text));
  auto invalid = [&](std::string_view rule) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": ", std::string(rule)));
  };
  if (trimmed.empty()) {
    if (required) return invalid("required");
    *text = "";
    return absl::OkStatus();
  }
  if (!DecodeUtf8(trimmed).has_value()) return invalid("must be valid UTF-8");
  if (Utf8Length(trimmed) > max_chars) {
    return invalid(absl::StrCat("must be at most ", max_chars, " characters"));
  }
  *text = std::move(trimmed);
  return absl::OkStatus();
}

}  // namespace crm::validate
