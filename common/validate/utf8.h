// Strict UTF-8 decoding and encoding, the base every text rule in validate/
// works on: names and addresses are compared and measured in code points,
// never in bytes, so one Chinese character counts as one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm::validate {

// Decodes `utf8` into code points, or nullopt when it is not well-formed
// UTF-8 (truncated or stray bytes, overlong forms, surrogates, values above
// U+10FFFF). Strict on purpose: what we store must be valid for MySQL's
// utf8mb4 and for every client that renders it.
std::optional<std::u32string> DecodeUtf8(std::string_view utf8);

// Appends the UTF-8 form of `cp` (assumed a valid scalar value) to `out`.
void AppendUtf8(char32_t cp, std::string* out);

std::string EncodeUtf8(std::u32string_view code_points);

}  // namespace crm::validate
