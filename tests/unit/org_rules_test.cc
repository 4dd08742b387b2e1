#include "services/identity/domain/org_rules.h"

#include <gtest/gtest.h>

#include "services/identity/domain/login_policy.h"
#include "services/identity/domain/user_rules.h"

namespace crm::identity {
namespace {

TEST(OrgRulesTest, Paths) {
  EXPECT_EQ(ChildPath("", 1), "/1/");
  EXPECT_EQ(ChildPath("/1/", 4), "/1/4/");
  EXPECT_EQ(PathDepth("/1/"), 0);
  EXPECT_EQ(PathDepth("/1/4/9/"), 2);
  EXPECT_TRUE(IsSelfOrDescendant("/1/4/9/", "/1/4/"));
  EXPECT_TRUE(IsSelfOrDescendant("/1/4/", "/1/4/"));
  EXPECT_FALSE(IsSelfOrDescendant("/1/45/", "/1/4/"));
  EXPECT_FALSE(IsSelfOrDescendant("/1/", "/1/4/"));
}

TEST(OrgRulesTest, MoveUnderOwnDescendantIsRefused) {
  EXPECT_EQ(CheckMove("/1/4/", "/1/4/9/", 1).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckMove("/1/4/", "/1/4/", 0).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckMove("/1/", "/1/4/", 0).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckMove("/1/4/9/", "/1/5/", 0).ok());
  EXPECT_TRUE(CheckMove("/1/4/", "/1/45/", 2).ok());
}

TEST(OrgRulesTest, MoveMayNotMakeTheTreeTooDeep) {
  std::string deep = "/1/";
  for (int i = 2; i <= kMaxOrgDepth; ++i) deep += std::to_string(i) + "/";
  EXPECT_EQ(CheckMove("/1/100/", deep, 0).code(),
            absl::StatusCode::kOutOfRange);
}

TEST(OrgRulesTest, Placement) {
  EXPECT_TRUE(
      CheckPlacement(OrgKind::kCompany, OrgKind::kUnspecified, true).ok());
  EXPECT_FALSE(
      CheckPlacement(OrgKind::kTeam, OrgKind::kUnspecified, true).ok());
  EXPECT_FALSE(CheckPlacement(OrgKind::kCompany, OrgKind::kRegion, false).ok());
  EXPECT_TRUE(
      CheckPlacement(OrgKind::kTeam, OrgKind::kTeam, false).ok());  // any depth
  EXPECT_EQ(
      CheckPlacement(OrgKind::kUnspecified, OrgKind::kCompany, false).code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(OrgRulesTest, Names) {
  std::string name = "  华东大区 \t";
  EXPECT_TRUE(NormalizeName(&name, "name", 100).ok());
  EXPECT_EQ(name, "华东大区");
  std::string empty = "   ";
  EXPECT_EQ(NormalizeName(&empty, "name", 100).message(),
            "name: must not be empty");
  std::string cjk;
  for (int i = 0; i < 100; ++i)
    cjk += "区";  // 100 characters, 300 bytes: allowed
  EXPECT_TRUE(NormalizeName(&cjk, "name", 100).ok());
  cjk += "区";
  EXPECT_EQ(NormalizeName(&cjk, "name", 100).message(),
            "name: must be at most 100 characters");
  std::string ctrl = "a\x01b";
  EXPECT_FALSE(NormalizeName(&ctrl, "name", 100).ok());
  EXPECT_TRUE(ValidateRegionCode("east-1").ok());
  EXPECT_FALSE(ValidateRegionCode("East").ok());
}

TEST(LoginPolicyTest, FifthFailureLocks) {
  LoginPolicy policy;
  const absl::Time now = absl::FromUnixSeconds(1'000'000);
  int count = 0;
  for (int i = 1; i <= 4; ++i) {
    FailureOutcome out = AfterFailedLogin(count, now, policy);
    EXPECT_FALSE(out.locked_until.has_value()) << i;
    count = out.failed_logins;
  }
  EXPECT_EQ(count, 4);
  FailureOutcome fifth = AfterFailedLogin(count, now, policy);
  ASSERT_TRUE(fifth.locked_until.has_value());
  EXPECT_EQ(*fifth.locked_until, now + absl::Minutes(15));
  EXPECT_EQ(fifth.failed_logins, 0);
  EXPECT_TRUE(IsLocked(fifth.locked_until, now + absl::Minutes(14)));
  EXPECT_FALSE(IsLocked(fifth.locked_until, now + absl::Minutes(15)));
  EXPECT_FALSE(IsLocked(std::nullopt, now));
}

TEST(UserRulesTest, Usernames) {
  std::string u = "  Rep.SH1_a ";
  EXPECT_TRUE(NormalizeUsername(&u).ok());
  EXPECT_EQ(u, "rep.sh1_a");
  for (std::string bad : std::vector<std::string>{
           "ab", std::string(65, 'a'), ".abc", "has space", "名字名字"}) {
    EXPECT_EQ(NormalizeUsername(&bad).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(UserRulesTest, RolesEmailPhone) {
  std::vector<std::string> roles = {"sales_rep", "sales_rep", "finance"};
  EXPECT_TRUE(NormalizeRoles(&roles).ok());
  EXPECT_EQ(roles, (std::vector<std::string>{"sales_rep", "finance"}));
  std::vector<std::string> none;
  EXPECT_EQ(NormalizeRoles(&none).message(),
            "roles: at least one role is required");
  std::vector<std::string> bad = {"superuser"};
  EXPECT_EQ(NormalizeRoles(&bad).message(),
            "roles: unknown role \"superuser\"");
  EXPECT_TRUE(ValidateEmail("").ok());
  EXPECT_TRUE(ValidateEmail("a.b@example.cn").ok());
  EXPECT_FALSE(ValidateEmail("a@b").ok());
  EXPECT_FALSE(ValidateEmail("@example.com").ok());
  EXPECT_FALSE(ValidateEmail("a@@example.com").ok());
  EXPECT_TRUE(ValidatePhone("+86 138-0013-8000").ok());
  EXPECT_FALSE(ValidatePhone("call me").ok());
}

}  // namespace
}  // namespace crm::identity
