// Cleansing of lead drafts (domain/lead_rules): every rule, good and bad.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/leads/domain/lead_rules.h"

namespace crm::leads {
namespace {

using ::testing::HasSubstr;

LeadDraft Good() {
  LeadDraft d;
  d.kind = LeadKind::kCompany;
  d.company_name = "上海云帆科技有限公司";
  d.contact_name = "王磊";
  d.phone = "139 1234 0001";
  d.email = "wang@yunfan.cn";
  d.region_code = "east";
  d.city = "上海";
  return d;
}

std::string ErrorOf(LeadDraft d, std::string_view prefix = "") {
  absl::Status s = CleanseDraft(&d, prefix);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

TEST(LeadCleansingTest, NormalizesAGoodDraft) {
  LeadDraft d = Good();
  d.company_name = "  上海云帆科技（上海）有限公司  ";
  d.contact_name = "  王   磊 ";
  d.email = " wang@YunFan.CN ";
  d.city = "  上海 ";
  ASSERT_TRUE(CleanseDraft(&d).ok());
  EXPECT_EQ(d.phone, "+8613912340001");
  EXPECT_EQ(d.contact_name, "王 磊");
  EXPECT_EQ(d.email, "wang@yunfan.cn");
  EXPECT_EQ(d.city, "上海");
  EXPECT_EQ(d.company_name, "上海云帆科技(上海)有限公司");  // folded
  EXPECT_FALSE(d.company_norm.empty());
}

TEST(LeadCleansingTest, FoldsFullWidthNames) {
  LeadDraft d = Good();
  d.contact_name = "ＡＢＣ　Ｌｉ";
  ASSERT_TRUE(CleanseDraft(&d).ok());
  EXPECT_EQ(d.contact_name, "ABC Li");
}

TEST(LeadCleansingTest, RejectsWrongLengthsAndPrefixes) {
  LeadDraft d = Good();
  d.phone = "1391234000";
  EXPECT_THAT(ErrorOf(d), HasSubstr("phone: "));
  d.phone = "139123400011";
  EXPECT_THAT(ErrorOf(d), HasSubstr("phone: "));
  d.phone = "12912340001";  // no 12x mobiles
  EXPECT_THAT(ErrorOf(d), HasSubstr("phone: "));
  d.phone = "4008001234";  // service hotline
  EXPECT_THAT(ErrorOf(d), HasSubstr("phone: "));
  d.phone = "abc";
  EXPECT_THAT(ErrorOf(d), HasSubstr("phone: "));
}

TEST(LeadCleansingTest, RejectsObviousFakes) {
  for (const char* fake : {"13800000000", "11111111111", "13800138000",
                           "12345678901", "13912345678", "13911111111",
                           "13688888888", "13812121212", "13900000001"}) {
    LeadDraft d = Good();
    d.phone = fake;
    absl::Status s = CleanseDraft(&d);
    if (std::string(fake) == "13900000001") {
      // Seven zeros then a one: not a tail of one digit, not a pair run.
      EXPECT_TRUE(s.ok()) << fake << " " << s;
      continue;
    }
    EXPECT_FALSE(s.ok()) << fake;
    EXPECT_THAT(std::string(s.message()), HasSubstr("placeholder")) << fake;
  }
}

TEST(LeadCleansingTest, PlaceholderMobileRuleAlone) {
  EXPECT_TRUE(CheckNotPlaceholderMobile("+8613912340001", "phone").ok());
  EXPECT_FALSE(CheckNotPlaceholderMobile("+8613922222222", "phone").ok());
  EXPECT_FALSE(CheckNotPlaceholderMobile("+8613931111111", "phone").ok());
  EXPECT_TRUE(CheckNotPlaceholderMobile("+8613931111112", "phone").ok());
  EXPECT_FALSE(CheckNotPlaceholderMobile("+8613956565656", "phone").ok());
  // Landlines and foreign numbers are not judged by this rule.
  EXPECT_TRUE(CheckNotPlaceholderMobile("+862188888888", "phone").ok());
  EXPECT_TRUE(CheckNotPlaceholderMobile("+85211111111", "phone").ok());
}

TEST(LeadCleansingTest, AcceptsLandlinesAndForeignNumbers) {
  LeadDraft d = Good();
  d.phone = "(0571) 8888 6666";
  ASSERT_TRUE(CleanseDraft(&d).ok());
  EXPECT_EQ(d.phone, "+8657188886666");
  d = Good();
  d.phone = "+852 2345 6789";
  ASSERT_TRUE(CleanseDraft(&d).ok());
}

TEST(LeadCleansingTest, ValidatesEmail) {
  LeadDraft d = Good();
  d.email = "wang@@yunfan.cn";
  EXPECT_THAT(ErrorOf(d), HasSubstr("email: "));
  d.email = "wang@localhost";
  EXPECT_THAT(ErrorOf(d), HasSubstr("email: "));
  d.email = "王＠云帆.cn";
  EXPECT_THAT(ErrorOf(d), HasSubstr("email: "));
}

TEST(LeadCleansingTest, NeedsAPhoneOrAnEmail) {
  LeadDraft d = Good();
  d.phone.clear();
  EXPECT_TRUE(CleanseDraft(&d).ok());  // email alone
  d = Good();
  d.email.clear();
  EXPECT_TRUE(CleanseDraft(&d).ok());  // phone alone
  d.phone = "   ";
  EXPECT_THAT(ErrorOf(d), HasSubstr("phone: a phone or an email"));
}

TEST(LeadCleansingTest, KindNeedsItsName) {
  LeadDraft d = Good();
  d.company_name = "   ";
  EXPECT_THAT(ErrorOf(d), HasSubstr("company_name: required for a company"));
  d = Good();
  d.kind = LeadKind::kPerson;
  d.company_name.clear();
  d.contact_name = " ";
  EXPECT_THAT(ErrorOf(d), HasSubstr("contact_name: required for a person"));
  d = Good();
  d.kind = static_cast<LeadKind>(7);
  EXPECT_THAT(ErrorOf(d), HasSubstr("kind: "));
}

TEST(LeadCleansingTest, RejectsControlAndBidiCharacters) {
  LeadDraft d = Good();
  d.contact_name = "王\x01磊";
  EXPECT_THAT(ErrorOf(d), HasSubstr("contact_name: "));
  d = Good();
  d.company_name = "云帆\xE2\x80\xAE科技";  // U+202E right-to-left override
  EXPECT_THAT(ErrorOf(d), HasSubstr("company_name: "));
  d = Good();
  d.company_name = "\xff\xfe";
  EXPECT_THAT(ErrorOf(d), HasSubstr("company_name: "));
}

TEST(LeadCleansingTest, LengthLimits) {
  LeadDraft d = Good();
  d.company_name = std::string(201, 'a');
  EXPECT_THAT(ErrorOf(d), HasSubstr("company_name: "));
  d = Good();
  d.contact_name = std::string(101, 'a');
  EXPECT_THAT(ErrorOf(d), HasSubstr("contact_name: "));
  d = Good();
  d.city = std::string(51, 'a');
  EXPECT_THAT(ErrorOf(d), HasSubstr("city: "));
  d = Good();
  d.notes = std::string(2001, 'a');
  EXPECT_THAT(ErrorOf(d), HasSubstr("notes: "));
  d = Good();
  d.industry = std::string(101, 'a');
  EXPECT_THAT(ErrorOf(d), HasSubstr("industry: "));
}

TEST(LeadCleansingTest, RegionRules) {
  LeadDraft d = Good();
  d.region_code = "";
  EXPECT_THAT(ErrorOf(d), HasSubstr("region_code: required"));
  d.region_code = "East";
  EXPECT_THAT(ErrorOf(d), HasSubstr("region_code: "));
  d.region_code = std::string(33, 'a');
  EXPECT_THAT(ErrorOf(d), HasSubstr("region_code: "));
}

TEST(LeadCleansingTest, CustomFieldsAndSizeAndCreditCode) {
  LeadDraft d = Good();
  for (int i = 0; i < 21; ++i) d.custom[std::to_string(i)] = "v";
  EXPECT_THAT(ErrorOf(d), HasSubstr("custom: at most 20"));
  d = Good();
  d.custom[""] = "v";
  EXPECT_THAT(ErrorOf(d), HasSubstr("custom: keys"));
  d = Good();
  d.custom["k"] = std::string(501, 'v');
  EXPECT_THAT(ErrorOf(d), HasSubstr("custom: value of \"k\""));
  d = Good();
  d.company_size = -1;
  EXPECT_THAT(ErrorOf(d), HasSubstr("company_size: "));
  d = Good();
  d.credit_code = "91310000MA1FL0000X";
  EXPECT_THAT(ErrorOf(d), HasSubstr("credit_code: "));
}

TEST(LeadCleansingTest, PrefixNamesTheRequestField) {
  LeadDraft d = Good();
  d.phone = "123";
  EXPECT_THAT(ErrorOf(d, "lead."), HasSubstr("lead.phone: "));
}

TEST(LeadCleansingTest, DedupKeys) {
  LeadDraft d = Good();
  ASSERT_TRUE(CleanseDraft(&d).ok());
  EXPECT_THAT(DedupKeys(d),
              ::testing::ElementsAre("phone:+8613912340001",
                                     "company:" + d.company_norm));
  LeadDraft same = Good();
  same.company_name = "上海云帆科技有限公司";
  same.phone = "";
  ASSERT_TRUE(CleanseDraft(&same).ok());
  EXPECT_EQ(DedupKeys(same).front(), "company:" + d.company_norm);
  LeadDraft person = Good();
  person.kind = LeadKind::kPerson;
  person.company_name.clear();
  ASSERT_TRUE(CleanseDraft(&person).ok());
  EXPECT_THAT(DedupKeys(person),
              ::testing::ElementsAre("phone:+8613912340001"));
}

}  // namespace
}  // namespace crm::leads
