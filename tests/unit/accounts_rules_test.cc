#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/validate/credit_code.h"
#include "services/accounts/domain/account_rules.h"
#include "services/accounts/domain/pool_rules.h"

namespace crm::accounts {
namespace {

using ::testing::HasSubstr;

ClaimCheck Base() {
  ClaimCheck c;
  c.rules.daily_claim_limit = 3;
  c.rules.former_owner_cooldown_days = 7;
  c.rules.private_capacity = 10;
  c.pool_region = "east";
  c.rep_region = "east";
  c.now = absl::FromUnixSeconds(1'800'000'000);
  return c;
}

TEST(PoolRulesTest, AllowsAClaimWithinTheRules) {
  EXPECT_TRUE(CheckClaim(Base()).ok());
}

TEST(PoolRulesTest, CrossRegionUnlessMember) {
  ClaimCheck c = Base();
  c.rep_region = "north";
  EXPECT_EQ(CheckClaim(c).code(), absl::StatusCode::kFailedPrecondition);
  c.rep_region = "";
  EXPECT_EQ(CheckClaim(c).code(), absl::StatusCode::kFailedPrecondition);
  c.rep_is_pool_member = true;
  EXPECT_TRUE(CheckClaim(c).ok());
}

TEST(PoolRulesTest, CooldownForTheFormerOwner) {
  ClaimCheck c = Base();
  c.last_lost_by_rep = c.now - absl::Hours(24 * 6);
  absl::Status s = CheckClaim(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("protection period"));
  c.last_lost_by_rep = c.now - absl::Hours(24 * 7);
  EXPECT_TRUE(CheckClaim(c).ok());
  c.rules.former_owner_cooldown_days = 0;
  c.last_lost_by_rep = c.now;
  EXPECT_TRUE(CheckClaim(c).ok());
}

TEST(PoolRulesTest, CapacityWithAndWithoutSignedCustomers) {
  ClaimCheck c = Base();
  c.owned = 10;
  c.owned_signed = 4;
  EXPECT_TRUE(CheckClaim(c).ok());  // signed ones do not count by default
  c.rules.capacity_counts_signed = true;
  EXPECT_EQ(CheckClaim(c).code(), absl::StatusCode::kResourceExhausted);
  c.rules.private_capacity = 0;  // unlimited
  EXPECT_TRUE(CheckClaim(c).ok());
}

TEST(PoolRulesTest, DailyLimit) {
  ClaimCheck c = Base();
  c.claims_today = 3;
  absl::Status s = CheckClaim(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("daily claim limit"));
  c.rules.daily_claim_limit = 0;
  EXPECT_TRUE(CheckClaim(c).ok());
}

TEST(PoolRulesTest, LocalDayTurnsAtBeijingMidnight) {
  // 2026-11-25 15:59:59 UTC is 23:59:59 in Beijing; a second later is the next
  // day.
  const absl::Time before = absl::FromCivil(
      absl::CivilSecond(2026, 11, 25, 15, 59, 59), absl::UTCTimeZone());
  EXPECT_EQ(LocalDay(before) + 1, LocalDay(before + absl::Seconds(1)));
}

TEST(PoolRulesTest, RuleValidation) {
  ClaimRules r;
  EXPECT_TRUE(ValidateClaimRules(r).ok());
  r.daily_claim_limit = -1;
  EXPECT_EQ(ValidateClaimRules(r).message(),
            "claim_rules.daily_claim_limit: must be 0..10000");
}

TEST(AccountRulesTest, NormalizeCompanyDraft) {
  AccountRecord a;
  a.kind = AccountKind::kCompany;
  a.name = "  北京字节跳动科技有限公司 ";
  a.credit_code = "91350100m000100y43";
  a.region_code = "north";
  ASSERT_TRUE(NormalizeDraft(&a).ok());
  EXPECT_EQ(a.name, "北京字节跳动科技有限公司");
  EXPECT_EQ(*a.credit_code, "91350100M000100Y43");
  EXPECT_FALSE(a.name_norm.empty());
  a.lat = 39.9;
  EXPECT_EQ(NormalizeDraft(&a).message(), "location: lat and lng go together");
  a.lng = 500;
  EXPECT_EQ(NormalizeDraft(&a).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AccountRulesTest, CreditCodeOptionalOnlyForDuplicateChecks) {
  AccountRecord a;
  a.kind = AccountKind::kCompany;
  a.name = "上海无码贸易有限公司";
  a.region_code = "east";
  EXPECT_EQ(NormalizeDraft(&a).message(),
            "credit_code: required for a company");
  a.credit_code = "";
  ASSERT_TRUE(NormalizeDraft(&a, /*credit_code_optional=*/true).ok());
  EXPECT_FALSE(a.credit_code.has_value());
  EXPECT_FALSE(a.name_norm.empty());
  // A code that is there is still checked.
  a.credit_code = "91350100M000100Y44";
  EXPECT_THAT(NormalizeDraft(&a, true).message(), HasSubstr("credit_code"));
  // The other rules still apply.
  a.credit_code.reset();
  a.name = "";
  EXPECT_THAT(NormalizeDraft(&a, true).message(), HasSubstr("name"));
}

TEST(AccountRulesTest, PersonNeedsAPhoneAndNoCreditCode) {
  AccountRecord p;
  p.kind = AccountKind::kPerson;
  p.name = "李四";
  p.region_code = "east";
  EXPECT_EQ(NormalizeDraft(&p).message(), "phone: required for a person");
  p.phone = "13924681357";
  p.credit_code = "91350100M000100Y43";
  EXPECT_EQ(NormalizeDraft(&p).message(),
            "credit_code: only companies have a credit code");
  p.credit_code.reset();
  ASSERT_TRUE(NormalizeDraft(&p).ok());
  EXPECT_EQ(*p.phone, "+8613924681357");
  p.region_code = "";
  EXPECT_THAT(NormalizeDraft(&p).message(), HasSubstr("region_code"));
}

TEST(AccountRulesTest, NameGrams) {
  EXPECT_EQ(NameGrams("字节跳动"),
            (std::vector<std::string>{"字节", "节跳", "跳动"}));
  EXPECT_EQ(NameGrams("字"), (std::vector<std::string>{"字"}));
  EXPECT_TRUE(NameGrams("").empty());
  EXPECT_EQ(NameGrams("abab"), (std::vector<std::string>{"ab", "ba"}));
}

TEST(AccountRulesTest, RankDuplicatesExactFirstThenSimilar) {
  AccountRecord draft;
  draft.kind = AccountKind::kCompany;
  draft.name = "字节跳动科技(北京)有限公司";
  draft.credit_code = "91350100M000100Y43";
  AccountRecord same_code;
  same_code.id = 7;
  same_code.name = "完全不同";
  same_code.credit_code = draft.credit_code;
  AccountRecord similar;
  similar.id = 3;
  similar.name = "北京字节跳动科技有限公司";
  similar.credit_code = "91110000000000000X";
  AccountRecord unrelated;
  unrelated.id = 4;
  unrelated.name = "杭州西湖茶叶有限公司";
  std::vector<Candidate> ranked =
      RankDuplicates(draft, {same_code}, {similar, unrelated, same_code});
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].account_id, 7);
  EXPECT_TRUE(ranked[0].exact);
  EXPECT_EQ(ranked[0].match, "credit_code");
  EXPECT_EQ(ranked[1].account_id, 3);
  EXPECT_EQ(ranked[1].match, "name");
  EXPECT_GE(ranked[1].score, kSimilarThreshold);
}

}  // namespace
}  // namespace crm::accounts
