// The pure sharing rules (common/sharing/rules.h, ADR 0080) across roles:
// owner rep, other rep, manager over the record, manager elsewhere, admin,
// service token, and grantees holding READ or EDIT.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/sharing/rules.h"

namespace crm::sharing {
namespace {

using auth::DataScope;
using auth::Principal;

Principal Make(int64_t id, DataScope scope, std::string path) {
  Principal p;
  p.user_id = id;
  p.scope = scope;
  p.org_path = std::move(path);
  return p;
}

// Org: /1/ company, /1/2/ region east, /1/2/3/ team e1, /1/2/4/ team e2,
// /1/5/ region north.
const Principal kOwner = Make(10, DataScope::kSelf, "/1/2/3/");
const Principal kOtherRep = Make(11, DataScope::kSelf, "/1/2/4/");
const Principal kEastManager = Make(20, DataScope::kSubtree, "/1/2/");
const Principal kNorthManager = Make(21, DataScope::kSubtree, "/1/5/");
const Principal kAdmin = Make(1, DataScope::kAll, "/1/");

RecordRef Account() { return RecordRef{"account", 100, 10, "/1/2/3/"}; }

Principal Service() {
  Principal p;
  p.service = "orders";
  p.scope = DataScope::kAll;
  return p;
}

TEST(SharingRulesTest, AccessNamesAndNumbers) {
  EXPECT_STREQ(AccessName(Access::kRead), "READ");
  EXPECT_STREQ(AccessName(Access::kEdit), "EDIT");
  EXPECT_STREQ(AccessName(Access::kNone), "NONE");
  EXPECT_EQ(AccessFromInt(1), Access::kRead);
  EXPECT_EQ(AccessFromInt(2), Access::kEdit);
  EXPECT_EQ(AccessFromInt(0), Access::kNone);
  EXPECT_EQ(AccessFromInt(3), Access::kNone);
  EXPECT_LT(Access::kRead, Access::kEdit);
}

TEST(SharingRulesTest, Standing) {
  EXPECT_EQ(StandingOf(kOwner, Account()), Standing::kOwner);
  EXPECT_EQ(StandingOf(kOtherRep, Account()), Standing::kNone);
  EXPECT_EQ(StandingOf(kEastManager, Account()), Standing::kManager);
  EXPECT_EQ(StandingOf(kNorthManager, Account()), Standing::kNone);
  EXPECT_EQ(StandingOf(kAdmin, Account()), Standing::kManager);
  // A manager who owns the record is its owner.
  RecordRef own = Account();
  own.owner_id = 20;
  own.owner_org_path = "/1/2/";
  EXPECT_EQ(StandingOf(kEastManager, own), Standing::kOwner);
}

TEST(SharingRulesTest, EffectiveAccessIsScopeElseShare) {
  EXPECT_EQ(EffectiveAccess(kOwner, Account(), Access::kNone), Access::kEdit);
  EXPECT_EQ(EffectiveAccess(kEastManager, Account(), Access::kNone),
            Access::kEdit);
  EXPECT_EQ(EffectiveAccess(kOtherRep, Account(), Access::kNone),
            Access::kNone);
  EXPECT_EQ(EffectiveAccess(kOtherRep, Account(), Access::kRead),
            Access::kRead);
  EXPECT_EQ(EffectiveAccess(kNorthManager, Account(), Access::kEdit),
            Access::kEdit);
}

TEST(SharingRulesTest, OwnerManagerAndAdminMayShareEitherAccess) {
  for (const Principal& p : {kOwner, kEastManager, kAdmin}) {
    for (Access a : {Access::kRead, Access::kEdit}) {
      EXPECT_TRUE(CheckShare(p, Account(), Access::kNone, 11, a).ok())
          << p.user_id << " " << AccessName(a);
    }
  }
}

TEST(SharingRulesTest, OutOfScopeWithoutShareIsNotFound) {
  for (const Principal& p : {kOtherRep, kNorthManager}) {
    absl::Status s = CheckShare(p, Account(), Access::kNone, 12, Access::kRead);
    EXPECT_TRUE(absl::IsNotFound(s)) << s;
    EXPECT_EQ(s.message(), "account 100 not found");
  }
}

TEST(SharingRulesTest, ReadGranteeCannotGrantEdit) {
  absl::Status s =
      CheckShare(kOtherRep, Account(), Access::kRead, 12, Access::kEdit);
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "hold READ")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "cannot grant EDIT")) << s;
}

TEST(SharingRulesTest, GranteesDoNotReshare) {
  for (Access held : {Access::kRead, Access::kEdit}) {
    absl::Status s = CheckShare(kNorthManager, Account(), held, 12, held);
    EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
    EXPECT_TRUE(absl::StrContains(s.message(), "only the owner")) << s;
  }
}

TEST(SharingRulesTest, BadGrantees) {
  absl::Status self =
      CheckShare(kOwner, Account(), Access::kNone, 10, Access::kRead);
  EXPECT_TRUE(absl::IsInvalidArgument(self));
  EXPECT_EQ(self.message(), "grantee_id: cannot share with yourself");
  absl::Status owner =
      CheckShare(kEastManager, Account(), Access::kNone, 10, Access::kRead);
  EXPECT_TRUE(absl::IsInvalidArgument(owner));
  EXPECT_EQ(owner.message(), "grantee_id: user 10 owns account 100");
  absl::Status zero =
      CheckShare(kOwner, Account(), Access::kNone, 0, Access::kRead);
  EXPECT_TRUE(absl::IsInvalidArgument(zero));
  EXPECT_TRUE(absl::StartsWith(zero.message(), "grantee_id:"));
}

TEST(SharingRulesTest, BadAccess) {
  absl::Status s =
      CheckShare(kOwner, Account(), Access::kNone, 11, Access::kNone);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(), "access: must be READ or EDIT");
}

TEST(SharingRulesTest, UnownedRecordsAreNotShared) {
  RecordRef pool = Account();
  pool.owner_id = 0;
  pool.owner_org_path.clear();
  for (const Principal& p : {kAdmin, kEastManager, kOtherRep}) {
    absl::Status s = CheckShare(p, pool, Access::kNone, 11, Access::kRead);
    EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  }
}

TEST(SharingRulesTest, ServiceTokensDoNotShare) {
  absl::Status s =
      CheckShare(Service(), Account(), Access::kNone, 11, Access::kRead);
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
}

TEST(SharingRulesTest, Revoke) {
  // Owner, manager over it, admin: any share.
  for (const Principal& p : {kOwner, kEastManager, kAdmin})
    EXPECT_TRUE(CheckRevoke(p, Account(), Access::kNone, 99).ok());
  // The granter, even when no longer over the record.
  EXPECT_TRUE(CheckRevoke(kNorthManager, Account(), Access::kNone, 21).ok());
  // A grantee: PERMISSION_DENIED; a stranger: NOT_FOUND.
  EXPECT_TRUE(absl::IsPermissionDenied(
      CheckRevoke(kOtherRep, Account(), Access::kEdit, 10)));
  EXPECT_TRUE(
      absl::IsNotFound(CheckRevoke(kOtherRep, Account(), Access::kNone, 10)));
}

TEST(SharingRulesTest, ListShares) {
  EXPECT_TRUE(CheckListShares(kOwner, Account(), Access::kNone).ok());
  EXPECT_TRUE(CheckListShares(kEastManager, Account(), Access::kNone).ok());
  EXPECT_TRUE(CheckListShares(kAdmin, Account(), Access::kNone).ok());
  EXPECT_TRUE(absl::IsPermissionDenied(
      CheckListShares(kOtherRep, Account(), Access::kRead)));
  EXPECT_TRUE(absl::IsNotFound(
      CheckListShares(kNorthManager, Account(), Access::kNone)));
}

TEST(SharingRulesTest, SharedUpdate) {
  EXPECT_TRUE(CheckSharedUpdate(Account(), Access::kEdit).ok());
  absl::Status read = CheckSharedUpdate(Account(), Access::kRead);
  EXPECT_TRUE(absl::IsPermissionDenied(read));
  EXPECT_EQ(read.message(), "account 100 is shared with you read-only");
  EXPECT_TRUE(absl::IsNotFound(CheckSharedUpdate(Account(), Access::kNone)));
}

}  // namespace
}  // namespace crm::sharing
