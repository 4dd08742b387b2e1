#include <gtest/gtest.h>

#include <string>

#include "common/validate/credit_code.h"

namespace crm::validate {
namespace {

std::string N(std::string_view raw) {
  absl::StatusOr<std::string> r = NormalizeCreditCode(raw, "credit_code");
  if (r.ok()) return *r;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << raw;
  return "error: " + std::string(r.status().message());
}

// Real-format codes whose check characters were computed independently of
// this implementation (a few lines of Python over GB 32100's weights).
TEST(CreditCodeTest, AcceptsValidCodes) {
  for (std::string_view code :
       {"91350100M000100Y43", "91110108551385082Q", "91440300708461136T",
        "91330100799655058B", "91110000802100433B", "121000004000003980",
        "521000005000211630", "Y1110105MA00G8TL5N", "N2330226MA2GRG7U05",
        "93310115MA1K3LBBX8"}) {
    EXPECT_EQ(N(code), code);
  }
}

TEST(CreditCodeTest, CheckCharMatchesKnownCodes) {
  EXPECT_EQ(CreditCodeCheckChar("91350100M000100Y4"), '3');
  EXPECT_EQ(CreditCodeCheckChar("91440300708461136"), 'T');
  // Sum divisible by 31 gives check value 0, not 31.
  EXPECT_EQ(CreditCodeCheckChar("00000000000000000"), '0');
  EXPECT_EQ(CreditCodeCheckChar("9135010"), std::nullopt);
  EXPECT_EQ(CreditCodeCheckChar("91350100M000100I4"), std::nullopt);
}

TEST(CreditCodeTest, NormalizesCaseWidthAndSpaces) {
  EXPECT_EQ(N("91350100m000100y43"), "91350100M000100Y43");
  EXPECT_EQ(N("  91350100M000100Y43\n"), "91350100M000100Y43");
  EXPECT_EQ(N("9135 0100 M000 100Y 43"), "91350100M000100Y43");
  EXPECT_EQ(N("９１３５０１００Ｍ０００１００Ｙ４３"), "91350100M000100Y43");
  EXPECT_EQ(N("９１３５０１００ｍ０００１００ｙ４３"), "91350100M000100Y43");
  EXPECT_EQ(N("91350100M000100Y43\u3000"), "91350100M000100Y43");
  EXPECT_EQ(N("91350100M000\t100Y43"), "91350100M000100Y43");
}

TEST(CreditCodeTest, WrongLength) {
  EXPECT_EQ(N(""), "error: credit_code: must not be empty");
  EXPECT_EQ(N("91350100M000100Y4"),
            "error: credit_code: must be 18 characters, got 17");
  EXPECT_EQ(N("91350100M000100Y433"),
            "error: credit_code: must be 18 characters, got 19");
  // The old 15-digit business registration number is not accepted.
  EXPECT_EQ(N("350100400012345"),
            "error: credit_code: must be 18 characters, got 15");
  // Length is counted in characters, not bytes.
  EXPECT_EQ(N("91350100M000100Y4字"),
            "error: credit_code: bad character '字' at position 18 (allowed: "
            "0-9 and A-Z except I, O, Z, S, V)");
}

TEST(CreditCodeTest, BadCharacterNamesItsPosition) {
  const std::string allowed = " (allowed: 0-9 and A-Z except I, O, Z, S, V)";
  EXPECT_EQ(N("91350100M000100I43"),
            "error: credit_code: bad character 'I' at position 16" + allowed);
  EXPECT_EQ(N("91350100MO00100Y43"),
            "error: credit_code: bad character 'O' at position 10" + allowed);
  EXPECT_EQ(N("91350100M000100Y4z"),
            "error: credit_code: bad character 'Z' at position 18" + allowed);
  EXPECT_EQ(N("91350100M00S100Y43"),
            "error: credit_code: bad character 'S' at position 12" + allowed);
  EXPECT_EQ(N("91350100M000V00Y43"),
            "error: credit_code: bad character 'V' at position 13" + allowed);
  EXPECT_EQ(N("91350100M000-00Y43"),
            "error: credit_code: bad character '-' at position 13" + allowed);
  EXPECT_EQ(
      N("91350100M000\x01"
        "00Y43"),
      "error: credit_code: bad character U+0001 at position 13" + allowed);
}

TEST(CreditCodeTest, AuthorityAndDivisionCode) {
  // Check characters are valid for these, so only the structure is wrong.
  std::string bad_authority = "B1350100M000100Y4";
  bad_authority += *CreditCodeCheckChar(bad_authority);
  EXPECT_EQ(N(bad_authority),
            "error: credit_code: bad character 'B' at position 1 "
            "(registration authority must be 1-9, A, N or Y)");
  std::string zero_authority = "01350100M000100Y4";
  zero_authority += *CreditCodeCheckChar(zero_authority);
  EXPECT_EQ(N(zero_authority),
            "error: credit_code: bad character '0' at position 1 "
            "(registration authority must be 1-9, A, N or Y)");
  std::string letter_in_division = "913501A0M000100Y4";
  letter_in_division += *CreditCodeCheckChar(letter_in_division);
  EXPECT_EQ(N(letter_in_division),
            "error: credit_code: bad character 'A' at position 7 (positions "
            "3-8 are the division code, digits only)");
}

TEST(CreditCodeTest, BadCheckCharacterSaysWhatWasExpected) {
  EXPECT_EQ(N("91350100M000100Y44"),
            "error: credit_code: bad check character '4', expected '3'");
  EXPECT_EQ(N("91440300708461136X"),
            "error: credit_code: bad check character 'X', expected 'T'");
}

TEST(CreditCodeTest, CatchesEverySingleCharacterTypo) {
  // The point of a mod-31 check with weights 3^i: any one wrong character
  // changes the sum by a non-multiple of 31.
  const std::string valid = "91350100M000100Y43";
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (size_t pos = 0; pos < 17; ++pos) {
    for (char c : alphabet) {
      if (c == valid[pos]) continue;
      std::string typo = valid;
      typo[pos] = c;
      EXPECT_FALSE(NormalizeCreditCode(typo, "f").ok()) << typo;
    }
  }
}

TEST(CreditCodeTest, CatchesAdjacentTranspositions) {
  const std::string valid = "91440300708461136T";
  for (size_t pos = 0; pos + 1 < 17; ++pos) {
    if (valid[pos] == valid[pos + 1]) continue;
    std::string typo = valid;
    std::swap(typo[pos], typo[pos + 1]);
    EXPECT_FALSE(NormalizeCreditCode(typo, "f").ok()) << typo;
  }
}

}  // namespace
}  // namespace crm::validate
