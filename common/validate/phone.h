// Phone numbers as typed by sales reps and web leads, normalized to E.164
// so that the same number always compares equal (duplicate detection keys
// on it).
//
// Accepted input
//   * Separators: spaces, '-', '.', '(', ')' (also their full-width forms
//     and the Unicode dashes), and full-width digits.
//   * Chinese mobiles: 11 digits 1[3-9]xxxxxxxxx, optionally after +86,
//     0086 or a bare 86.                  "138 1234 5678" -> "+8613812345678"
//   * Chinese landlines: trunk 0 + area code + local number. 010 and 02x
//     have 8-digit local numbers, the 4-digit codes 03xx..09xx 7 or 8
//     digits; local numbers never start with 0 or 1. After +86/0086 the
//     trunk 0 is optional ("+86 (0)21 ..." is a common way to write it).
//                                         "(0571) 8888 6666" ->
//                                         "+8657188886666"
//   * Other countries: '+' (or the international prefix 00) and a country
//     code other than 86, 8..15 digits in all. We only check the shape and
//     return "+<digits>": we have no numbering plans for them and foreign
//     leads are rare but real (Hong Kong +852, Taiwan +886, partners abroad).
//
// Rejected (INVALID_ARGUMENT "<field>: <rule>")
//   * Extensions ("转 801", "ext 801", "x801", "#801", "0571-88886666-801").
//     E.164 has no room for them and silently dropping one sends the rep to
//     the switchboard, so the caller is told to store it separately.
//   * 400/800 service hotlines: they identify a company's call center, not
//     a contact, and would make unrelated leads look like duplicates.
//   * Wrong lengths, impossible prefixes, and placeholders typed to get past
//     a required field: a number made of one repeated digit, a strictly
//     ascending or descending run (12345678901, or a mobile ending in
//     12345678), a subscriber part of all zeros (13900000000) and
//     13800138000 (China Mobile's service line, the classic fake).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace crm::validate {

absl::StatusOr<std::string> NormalizePhone(std::string_view raw,
                                           std::string_view field);

// True for a normalized Chinese mobile: "+86" then 1[3-9] and 9 more digits.
bool IsMobileCN(std::string_view e164);

}  // namespace crm::validate
