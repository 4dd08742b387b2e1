// The Unified Social Credit Code (统一社会信用代码, GB 32100-2015), the
// 18-character registration number every Chinese company, institution and
// individual business carries. It is the strongest duplicate key we have
// for companies, so it is stored in one canonical form.
//
// Layout (1-based positions):
//   1      registration authority: 1-9, A (military), N (agriculture),
//          Y (others); 9 is the market regulator, i.e. most companies
//   2      organization type within that authority
//   3-8    administrative division code, 6 digits
//   9-17   organization code (GB 11714 body and its own check character)
//   18     check character over positions 1-17
// The alphabet is 0-9 and the capitals without I, O, Z, S, V (they look
// like 1, 0, 2, 5, U). Character values are their index in that alphabet;
// position i (0-based) is weighted 3^i mod 31 and the check character's
// value is (31 - sum mod 31) mod 31.
//
// Not checked: the organization type (the table of types per authority has
// grown since 2015 and a typo there is caught by the check character
// anyway) and the GB 11714 check inside positions 9-17.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace crm::validate {

// Trims, folds full-width characters, drops inner spaces and uppercases,
// then checks length, alphabet, authority, division code and check
// character. Errors are INVALID_ARGUMENT "<field>: <rule>", naming the
// 1-based position of a bad character or the expected check character.
absl::StatusOr<std::string> NormalizeCreditCode(std::string_view raw,
                                                std::string_view field);

// The check character for 17 valid leading characters, nullopt if `first17`
// has another length or a character outside the alphabet. For tests and
// test-data generators.
std::optional<char> CreditCodeCheckChar(std::string_view first17);

}  // namespace crm::validate
