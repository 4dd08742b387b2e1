// E-mail addresses as contact data. The goal is catching typos and junk
// at entry and storing one spelling per address, not full RFC 5322: we
// accept what mail providers actually hand out (QQ, 163, corporate mail).
//
// Normalization: trim, fold full-width characters (the Chinese IME gives
// "＠" and "．"), map the ideographic full stop "。" in the domain to '.'
// (as IDNA does), lowercase the domain. The local part keeps its case: it
// is case-sensitive by the standard, even if most servers ignore it.
//
// Rules: exactly one '@'; local part 1..64 characters of letters, digits
// and !#$%&'*+/=?^_`{|}~- with single dots between them (no quoted local
// parts); the domain has at least two labels of [a-z0-9-], each 1..63
// long, not starting or ending with '-', and a top-level label that is not
// all digits (no IP literals); at most 254 characters in all.
// Internationalized addresses must use the punycode (xn--) form of the
// domain; non-ASCII local parts are rejected.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace crm::validate {

absl::StatusOr<std::string> NormalizeEmail(std::string_view raw,
                                           std::string_view field);

}  // namespace crm::validate
