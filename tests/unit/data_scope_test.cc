#include "common/auth/data_scope.h"

#include <gtest/gtest.h>

namespace crm::auth {
namespace {

Principal Make(DataScope scope, int64_t id = 7, std::string path = "/1/4/") {
  Principal p;
  p.user_id = id;
  p.org_path = std::move(path);
  p.scope = scope;
  return p;
}

std::string ParamString(const db::Param& p) {
  return std::get<std::string>(p.value());
}

TEST(DataScopeTest, SelfIsOwnerEquality) {
  SqlPredicate pred = DataScopePredicate(Make(DataScope::kSelf));
  EXPECT_EQ(pred.sql, "owner_id = ?");
  ASSERT_EQ(pred.params.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(pred.params[0].value()), 7);
}

TEST(DataScopeTest, SubtreeIsIndexablePrefixMatch) {
  SqlPredicate pred = DataScopePredicate(Make(DataScope::kSubtree),
                                         "a.owner_id", "a.owner_org_path");
  EXPECT_EQ(pred.sql, "a.owner_org_path LIKE ?");
  ASSERT_EQ(pred.params.size(), 1u);
  EXPECT_EQ(ParamString(pred.params[0]), "/1/4/%");
}

TEST(DataScopeTest, AllHasNoRestriction) {
  SqlPredicate pred = DataScopePredicate(Make(DataScope::kAll));
  EXPECT_EQ(pred.sql, "TRUE");
  EXPECT_TRUE(pred.params.empty());
}

TEST(DataScopeTest, SubtreeWithoutPathFallsBackToSelf) {
  EXPECT_EQ(DataScopePredicate(Make(DataScope::kSubtree, 7, "")).sql,
            "owner_id = ?");
}

TEST(DataScopeTest, LikeWildcardsAreEscaped) {
  EXPECT_EQ(EscapeLike("/1/_%\\/"), "/1/\\_\\%\\\\/");
}

TEST(DataScopeTest, OpenDownwardClosedUpward) {
  Principal manager = Make(DataScope::kSubtree, 7, "/1/4/");
  EXPECT_TRUE(CanSee(manager, 99, "/1/4/9/"));  // below
  EXPECT_TRUE(CanSee(manager, 99, "/1/4/"));    // same unit
  EXPECT_FALSE(CanSee(manager, 99, "/1/"));     // above
  EXPECT_FALSE(CanSee(manager, 99, "/1/5/"));   // sideways
  EXPECT_FALSE(
      CanSee(manager, 99, "/1/45/"));      // a sibling whose id shares a prefix
  EXPECT_TRUE(CanSee(manager, 7, "/1/"));  // own record even if it sits above
  Principal rep = Make(DataScope::kSelf, 11, "/1/4/9/");
  EXPECT_TRUE(CanSee(rep, 11, "/1/4/9/"));
  EXPECT_FALSE(CanSee(rep, 12, "/1/4/9/"));
  EXPECT_TRUE(CanSee(Make(DataScope::kAll), 1, "/2/"));
}

TEST(DataScopeTest, UnitVisibility) {
  EXPECT_TRUE(CanSeeUnit(Make(DataScope::kSubtree, 7, "/1/4/"), "/1/4/9/"));
  EXPECT_FALSE(CanSeeUnit(Make(DataScope::kSubtree, 7, "/1/4/"), "/1/"));
  EXPECT_FALSE(CanSeeUnit(Make(DataScope::kSelf, 7, "/1/4/"), "/1/4/"));
  EXPECT_TRUE(CanSeeUnit(Make(DataScope::kAll), "/1/"));
}

TEST(DataScopeTest, RolesMapToScopes) {
  EXPECT_EQ(ScopeOfRoles({"sales_rep"}), DataScope::kSelf);
  EXPECT_EQ(ScopeOfRoles({"sales_rep", "sales_manager"}), DataScope::kSubtree);
  EXPECT_EQ(ScopeOfRoles({"boss"}), DataScope::kSubtree);
  EXPECT_EQ(ScopeOfRoles({"finance", "admin"}), DataScope::kAll);
  EXPECT_EQ(ScopeOfRoles({}), DataScope::kSelf);
  EXPECT_EQ(ScopeOfRoles({"support_agent"}), DataScope::kSelf);
  EXPECT_EQ(ScopeOfRoles({"support_manager"}), DataScope::kSubtree);
  EXPECT_TRUE(IsKnownRole("finance"));
  EXPECT_FALSE(IsKnownRole("root"));
  DataScope s;
  EXPECT_TRUE(ParseDataScope("SUBTREE", &s));
  EXPECT_EQ(s, DataScope::kSubtree);
  EXPECT_FALSE(ParseDataScope("EVERYTHING", &s));
}

}  // namespace
}  // namespace crm::auth
