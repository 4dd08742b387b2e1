#include "common/validate/credit_code.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/validate/text.h"
#include "common/validate/utf8.h"

namespace crm::validate {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
constexpr std::string_view kAuthorities = "123456789ANY";

int ValueOf(char32_t c) {
  if (c > 0x7F) return -1;
  size_t pos = kAlphabet.find(static_cast<char>(c));
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Quotes a character for an error message; non-printing ones by code point.
std::string Quote(char32_t c) {
  if (c > 0x20 && c != 0x7F) {
    std::string s = "'";
    AppendUtf8(c, &s);
    return s + "'";
  }
  return absl::StrCat("U+",
                      absl::Hex(static_cast<uint32_t>(c), absl::kZeroPad4));
}

}  // namespace

std::optional<char> CreditCodeCheckChar(std::string_view first17) {
  if (first17.size() != 17) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    int v = ValueOf(static_cast<unsigned char>(first17[i]));
    if (v < 0) return std::nullopt;
    sum += v * kWeights[i];
  }
  return kAlphabet[(31 - sum % 31) % 31];
}

absl::StatusOr<std::string> NormalizeCreditCode(std::string_view raw,
                                                std::string_view field) {
  std::string text = absl::AsciiStrToUpper(CollapseSpaces(ToHalfWidth(raw)));
  if (text.empty()) return InvalidField(field, "must not be empty");
  std::optional<std::u32string> decoded = DecodeUtf8(text);
  if (!decoded) return InvalidField(field, "must be valid UTF-8");
  // Codes are often copied from licences printed in groups of 4-6.
  std::u32string code;
  for (char32_t c : *decoded) {
    if (c != ' ') code.push_back(c);
  }
  if (code.size() != 18) {
    return InvalidField(
        field, absl::StrCat("must be 18 characters, got ", code.size()));
  }
  for (size_t i = 0; i < code.size(); ++i) {
    if (ValueOf(code[i]) < 0) {
      return InvalidField(
          field,
          absl::StrCat("bad character ", Quote(code[i]), " at position ", i + 1,
                       " (allowed: 0-9 and A-Z except I, O, Z, S, V)"));
    }
  }
  std::string ascii(code.begin(), code.end());
  if (kAuthorities.find(ascii[0]) == std::string_view::npos) {
    return InvalidField(
        field, absl::StrCat("bad character '", ascii.substr(0, 1),
                            "' at position 1 (registration authority must be "
                            "1-9, A, N or Y)"));
  }
  for (size_t i = 2; i < 8; ++i) {
    if (!absl::ascii_isdigit(ascii[i])) {
      return InvalidField(
          field, absl::StrCat("bad character '", ascii.substr(i, 1),
                              "' at position ", i + 1,
                              " (positions 3-8 are the division code, digits "
                              "only)"));
    }
  }
  const char expected =
      *CreditCodeCheckChar(std::string_view(ascii).substr(0, 17));
  if (ascii[17] != expected) {
    return InvalidField(
        field, absl::StrCat("bad check character '", ascii.substr(17),
                            "', expected '", std::string(1, expected), "'"));
  }
  return ascii;
}

}  // namespace crm::validate
