#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/validate/phone.h"

namespace crm::validate {
namespace {

using ::testing::HasSubstr;

// The normalized number, or "error: <message>" so a failing expectation
// shows what went wrong.
std::string N(std::string_view raw) {
  absl::StatusOr<std::string> r = NormalizePhone(raw, "phone");
  if (r.ok()) return *r;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << raw;
  return "error: " + std::string(r.status().message());
}

TEST(PhoneTest, MobileInEveryCommonSpelling) {
  for (std::string_view raw :
       {"13812345679", "138 1234 5679", "138-1234-5679", "138.1234.5679",
        "(138) 1234 5679", "+86 138 1234 5679", "+8613812345679",
        "0086 13812345679", "86 138 1234 5679", "8613812345679",
        "  13812345679\t", "+86-138-1234-5679", "+86 (0)138 1234 5679",
        "013812345679", "１３８１２３４５６７９",
        "＋８６ １３８－１２３４－５６７９", "138\u30001234\u30005679",
        "138\u20141234\u20135679"}) {
    EXPECT_EQ(N(raw), "+8613812345679") << raw;
  }
}

TEST(PhoneTest, EveryMobilePrefixFrom13To19) {
  for (char second = '3'; second <= '9'; ++second) {
    std::string raw = std::string("1") + second + "612345670";
    EXPECT_EQ(N(raw), "+86" + raw);
  }
  EXPECT_EQ(N("10612345670"),
            "error: phone: mobile number must start with 13 to 19");
  EXPECT_EQ(N("11612345670"),
            "error: phone: mobile number must start with 13 to 19");
  EXPECT_EQ(N("12612345670"),
            "error: phone: mobile number must start with 13 to 19");
}

TEST(PhoneTest, MobileWrongLength) {
  EXPECT_EQ(N("1381234567"), "error: phone: mobile number must have 11 digits");
  EXPECT_EQ(N("138123456790"),
            "error: phone: mobile number must have 11 digits");
  EXPECT_EQ(N("+86 138123456"),
            "error: phone: mobile number must have 11 digits");
}

TEST(PhoneTest, LandlinesDropTheTrunkZero) {
  EXPECT_EQ(N("010-12345678"),
            "error: phone: landline number must not start with 0 or 1");
  EXPECT_EQ(N("010-62345678"), "+861062345678");
  EXPECT_EQ(N("(010) 6234 5678"), "+861062345678");
  EXPECT_EQ(N("+86 10 6234 5678"), "+861062345678");
  EXPECT_EQ(N("0086 10 62345678"), "+861062345678");
  EXPECT_EQ(N("+86 (0)10 6234 5678"), "+861062345678");
  EXPECT_EQ(N("(0571) 8888 6666"), "+8657188886666");
  EXPECT_EQ(N("0571-88886666"), "+8657188886666");
  EXPECT_EQ(N("0571 8888-6666"), "+8657188886666");
  EXPECT_EQ(N("+86 21 5555 6666"), "+862155556666");
  EXPECT_EQ(N("+86 0571 8888 6666"), "+8657188886666");
  EXPECT_EQ(N("+86 571 8888 6666"), "+8657188886666");
  EXPECT_EQ(N("021-55556666"), "+862155556666");
  EXPECT_EQ(N("020 3888 6666"), "+862038886666");
  EXPECT_EQ(N("029-88886666"), "+862988886666");
  EXPECT_EQ(N("０７５５－８６０１３３８８"), "+8675586013388");
}

TEST(PhoneTest, FourDigitAreaCodesTakeSevenOrEightDigits) {
  EXPECT_EQ(N("0898-6123457"), "+868986123457");
  EXPECT_EQ(N("0898-61234578"), "+8689861234578");
  EXPECT_EQ(N("0898-654321"),
            "error: phone: landline number must have 7 or 8 digits after the "
            "area code");
  EXPECT_EQ(N("0898-654321098"),
            "error: phone: landline number must have 7 or 8 digits after the "
            "area code");
}

TEST(PhoneTest, ShortAreaCodesTakeEightDigits) {
  EXPECT_EQ(N("010-6234567"),
            "error: phone: landline number must have 8 digits after area codes "
            "010 and 02x");
  EXPECT_EQ(N("021-623456789"),
            "error: phone: landline number must have 8 digits after area codes "
            "010 and 02x");
}

TEST(PhoneTest, ImpossibleLandlines) {
  EXPECT_EQ(N("0571-08886666"),
            "error: phone: landline number must not start with 0 or 1");
  EXPECT_EQ(N("021-18886666"),
            "error: phone: landline number must not start with 0 or 1");
  EXPECT_EQ(N("011-68886666"), "error: phone: unknown area code");
  EXPECT_EQ(N("012-68886666"), "error: phone: unknown area code");
  EXPECT_EQ(N("+86 00 68886666"), "error: phone: unknown area code");
  EXPECT_EQ(N("88886666"),
            "error: phone: landline number needs an area code starting with 0");
  EXPECT_EQ(N("57188886666"),
            "error: phone: landline number needs an area code starting with 0");
  EXPECT_EQ(N("0"), "error: phone: unknown area code");
  EXPECT_EQ(N("05"), "error: phone: is too short");
  EXPECT_EQ(N("0571"), "error: phone: landline number is too short");
}

TEST(PhoneTest, ServiceHotlinesAreRejected) {
  EXPECT_THAT(N("400-820-8820"), HasSubstr("400/800 service numbers"));
  EXPECT_THAT(N("800 820 8820"), HasSubstr("400/800 service numbers"));
  EXPECT_THAT(N("+86 400 820 8820"), HasSubstr("400/800 service numbers"));
}

TEST(PhoneTest, ExtensionsAreRejectedWithAClearMessage) {
  const std::string ext =
      "error: phone: extensions are not supported; store the extension "
      "separately";
  for (std::string_view raw :
       {"0571-88886666转801", "0571-88886666 转 801", "0571-88886666分机801",
        "0571-88886666 ext 801", "0571-88886666 EXT. 801", "0571-88886666x801",
        "0571-88886666 #801", "0571-88886666,801", "0571-88886666-801",
        "010-62345678-1", "13812345679-801"}) {
    EXPECT_EQ(N(raw), ext) << raw;
  }
  // A dash group that does not make a valid number when removed is just a
  // wrong number, not an extension.
  EXPECT_EQ(N("0571-8888-66661"),
            "error: phone: landline number must have 7 or 8 digits after the "
            "area code");
}

TEST(PhoneTest, Placeholders) {
  EXPECT_THAT(N("11111111111"), HasSubstr("placeholder"));
  EXPECT_THAT(N("99999999999"), HasSubstr("placeholder"));
  EXPECT_THAT(N("12345678901"), HasSubstr("placeholder"));
  EXPECT_THAT(N("98765432109"), HasSubstr("placeholder"));
  EXPECT_THAT(N("0123456789"), HasSubstr("placeholder"));
  EXPECT_THAT(N("13912345678"), HasSubstr("sequential"));
  EXPECT_THAT(N("13987654321"), HasSubstr("sequential"));
  EXPECT_THAT(N("13978901234"), HasSubstr("sequential"));
  EXPECT_THAT(N("13900000000"), HasSubstr("all zeros"));
  EXPECT_THAT(N("13800000000"), HasSubstr("all zeros"));
  EXPECT_EQ(N("13800138000"),
            "error: phone: is a well-known placeholder number");
  EXPECT_EQ(N("+86 138 0013 8000"),
            "error: phone: is a well-known placeholder number");
  EXPECT_THAT(N("021-23456789"), HasSubstr("sequential"));
  EXPECT_THAT(N("0571-98765432"), HasSubstr("sequential"));
  // Vanity numbers are real, and often belong to the boss a rep is after.
  EXPECT_EQ(N("13888888888"), "+8613888888888");
  EXPECT_EQ(N("010-88888888"), "+861088888888");
  EXPECT_EQ(N("13912345670"), "+8613912345670");
}

TEST(PhoneTest, ForeignNumbersAreCheckedForShapeOnly) {
  EXPECT_EQ(N("+1 (415) 555-0123"), "+14155550123");
  EXPECT_EQ(N("+44 20 7946 0958"), "+442079460958");
  EXPECT_EQ(N("+852 9123 4567"), "+85291234567");
  EXPECT_EQ(N("+886 912 345 678"), "+886912345678");
  EXPECT_EQ(N("001 415 555 0123"), "+14155550123");
  EXPECT_EQ(N("+1 234 567"),
            "error: phone: international number must have 8 to 15 digits");
  EXPECT_EQ(N("+1234567890123456"),
            "error: phone: international number must have 8 to 15 digits");
  EXPECT_EQ(N("+0 123 456 789"),
            "error: phone: country code must not start with 0");
  // +86 is never treated as foreign: the Chinese rules apply.
  EXPECT_EQ(N("+86 5"), "error: phone: is too short");
  EXPECT_EQ(N("+86"), "error: phone: is missing the number after +86");
}

TEST(PhoneTest, BareEightySixOnlyBeforeAMobile) {
  EXPECT_EQ(N("8613812345679"), "+8613812345679");
  // Not a mobile after the 86: read as a number without area code.
  EXPECT_EQ(N("8657188886666"),
            "error: phone: landline number needs an area code starting with 0");
}

TEST(PhoneTest, CharactersThatDoNotBelong) {
  const std::string only =
      "error: phone: may contain only digits, spaces, '+', '-', '.', '(' and "
      "')'";
  EXPECT_EQ(N("138abc45679"), only);
  EXPECT_EQ(N("手机:13812345679"), only);
  EXPECT_EQ(N("tel:13812345679"), only);
  EXPECT_EQ(N("138/1234/5679"), only);
  EXPECT_EQ(N("\xFF\xFE"), only);
  EXPECT_EQ(N("138+12345679"),
            "error: phone: '+' may only appear at the start");
  EXPECT_EQ(N("++8613812345679"),
            "error: phone: '+' may only appear at the start");
  EXPECT_EQ(N(""), "error: phone: must not be empty");
  EXPECT_EQ(N("  \u3000 "), "error: phone: must not be empty");
  EXPECT_EQ(N("+ - ()"), "error: phone: must contain digits");
}

TEST(PhoneTest, ErrorsNameTheField) {
  absl::StatusOr<std::string> r = NormalizePhone("123", "contact.phone");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::StartsWith("contact.phone: "));
}

TEST(PhoneTest, NormalizedOutputIsAFixedPoint) {
  for (std::string_view raw :
       {"138 1234 5679", "(0571) 8888 6666", "+86 21 5555 6666",
        "+1 415 555 0123", "010-62345678"}) {
    std::string once = N(raw);
    EXPECT_EQ(N(once), once) << raw;
  }
}

TEST(PhoneTest, IsMobileCN) {
  EXPECT_TRUE(IsMobileCN("+8613812345679"));
  EXPECT_TRUE(IsMobileCN("+8619912345679"));
  EXPECT_FALSE(IsMobileCN("+8612812345679"));
  EXPECT_FALSE(IsMobileCN("+861062345678"));
  EXPECT_FALSE(IsMobileCN("+8657188886666"));
  EXPECT_FALSE(IsMobileCN("13812345679"));
  EXPECT_FALSE(IsMobileCN("+861381234567"));
  EXPECT_FALSE(IsMobileCN("+86138123456790"));
  EXPECT_FALSE(IsMobileCN("+86138123456a9"));
  EXPECT_FALSE(IsMobileCN("+14155550123"));
  EXPECT_FALSE(IsMobileCN(""));
  EXPECT_TRUE(IsMobileCN(*NormalizePhone("138 1234 5679", "phone")));
}

}  // namespace
}  // namespace crm::validate
