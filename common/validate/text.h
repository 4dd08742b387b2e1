// Text clean-up shared by every free-text field: Chinese input methods
// produce full-width letters, digits and spaces that look identical to
// ASCII ones, so we fold them before checking or comparing anything.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace crm::validate {

// Maps full-width ASCII forms (U+FF01..U+FF5E, e.g. "１２３", "ＡＢＣ",
// "（）", "＠") to their ASCII counterparts and the ideographic space
// U+3000 to ' '. Works on bytes, so invalid UTF-8 passes through unchanged
// (validity is ValidateName's job, not this one's).
std::string ToHalfWidth(std::string_view utf8);

// Trims and collapses every run of whitespace into one ' '. Whitespace is
// ASCII whitespace plus U+00A0 (no-break space, common in text pasted from
// web pages) and U+3000 (ideographic space).
std::string CollapseSpaces(std::string_view utf8);

// ASCII characters other than letters and digits, Latin-1 punctuation,
// general punctuation (U+2000..U+206F: dashes, quotes, "…"), CJK
// punctuation (U+3000..U+303F: "、。《》【】" but not the iteration marks
// 々〆〇), the vertical and small forms, full-width punctuation ("，（）",
// U+FF5F..U+FF65, U+FFE0..U+FFEE), "・" and "™". What company names and
// addresses drop before they are compared.
bool IsPunctuationOrSpace(char32_t cp);

// Number of code points. Not meant for invalid UTF-8: it counts the bytes
// that are not continuation bytes, which for valid input is exact.
size_t Utf8Length(std::string_view utf8);

// Checks a display name (person, company, product) and trims it in place:
// valid UTF-8, not empty after trimming, no control characters and no
// bidirectional-override characters (they make a name render as something
// else, a known spoofing trick), at most `max_chars` code points. Inner
// spaces are kept as typed. On error `*name` is left unchanged and the
// status is INVALID_ARGUMENT "<field>: <rule>".
absl::Status ValidateName(std::string* name, std::string_view field,
                          size_t max_chars);

// Free text (notes, follow-up content): trimmed in place, valid UTF-8, at
// most `max_chars` code points, newlines allowed; empty is OK unless
// `required`. INVALID_ARGUMENT "<field>: <rule>" otherwise.
absl::Status ValidateFreeText(std::string* text, std::string_view field,
                              size_t max_chars, bool required);

}  // namespace crm::validate
