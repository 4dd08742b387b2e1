// client::LookupUser (common/client/user_lookup.h), the one identity user
// lookup every service uses for assignees, new owners, grantees and target
// reps, against a real identity server: each answer's mapping.
#include "common/client/user_lookup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/client/client.h"
#include "tests/testing/identity_harness.h"

namespace crm::client {
namespace {

namespace pb = crm::identity::v1;
using ::testing::HasSubstr;
using testing::IdentityHarness;

constexpr char kPw[] = "Passw0rd-lookup";

class UserLookupTest : public ::testing::Test {
 protected:
  void SetUp() override { admin_ = h_.AdminToken(); }

  // A user with `role` in a new team under the root (admin creates both).
  pb::User NewUser(const std::string& name, const std::string& role) {
    pb::OrgUnit team;
    {
      grpc::ClientContext ctx;
      Prepare(&ctx, admin_);
      pb::CreateOrgUnitRequest req;
      req.set_parent_id(h_.RootId());
      req.set_name(name + " team");
      req.set_kind(pb::ORG_UNIT_KIND_TEAM);
      EXPECT_TRUE(h_.stub().CreateOrgUnit(&ctx, req, &team).ok());
    }
    pb::User user;
    grpc::ClientContext ctx;
    Prepare(&ctx, admin_);
    pb::CreateUserRequest req;
    req.set_username(name);
    req.set_display_name(name);
    req.set_password(kPw);
    req.set_org_unit_id(team.id());
    req.add_roles(role);
    grpc::Status s = h_.stub().CreateUser(&ctx, req, &user);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return user;
  }

  absl::StatusOr<pb::User> Lookup(const std::string& token, int64_t id,
                                  bool require_active = true) {
    grpc::ClientContext call;
    Prepare(&call, token);
    return LookupUser(&h_.stub(), &call, id, require_active);
  }

  IdentityHarness h_;
  std::string admin_;
};

TEST_F(UserLookupTest, AnActiveVisibleUserIsReturned) {
  const pb::User rep = NewUser("lookup.rep", "sales_rep");
  absl::StatusOr<pb::User> got = Lookup(admin_, rep.id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->id(), rep.id());
  EXPECT_EQ(got->org_path(), rep.org_path());
}

TEST_F(UserLookupTest, AnUnknownIdIsNotFoundNamingIt) {
  absl::StatusOr<pb::User> got = Lookup(admin_, 987654);
  EXPECT_TRUE(absl::IsNotFound(got.status())) << got.status();
  EXPECT_THAT(got.status().message(), HasSubstr("user 987654 not found"));
}

TEST_F(UserLookupTest, AUserOutsideTheCallersScopeIsNotFoundToo) {
  // Closed upward and sideways: a rep sees only themself.
  const pb::User a = NewUser("lookup.a", "sales_rep");
  const pb::User b = NewUser("lookup.b", "sales_rep");
  const std::string a_token = h_.Login("lookup.a", kPw);
  EXPECT_TRUE(Lookup(a_token, a.id()).ok());
  absl::StatusOr<pb::User> got = Lookup(a_token, b.id());
  EXPECT_TRUE(absl::IsNotFound(got.status())) << got.status();
  EXPECT_THAT(got.status().message(),
              HasSubstr(absl::StrCat("user ", b.id(), " not found")));
}

TEST_F(UserLookupTest, ADeactivatedUserIsAFailedPreconditionUnlessAllowed) {
  const pb::User rep = NewUser("lookup.left", "sales_rep");
  grpc::ClientContext ctx;
  Prepare(&ctx, admin_);
  pb::DeactivateUserRequest req;
  req.set_id(rep.id());
  pb::User after;
  ASSERT_TRUE(h_.stub().DeactivateUser(&ctx, req, &after).ok());

  absl::StatusOr<pb::User> got = Lookup(admin_, rep.id());
  EXPECT_TRUE(absl::IsFailedPrecondition(got.status())) << got.status();
  EXPECT_THAT(got.status().message(), HasSubstr("is deactivated"));
  // Targets and history of a rep who left still look them up.
  got = Lookup(admin_, rep.id(), /*require_active=*/false);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_NE(got->status(), pb::USER_STATUS_ACTIVE);
}

TEST_F(UserLookupTest, ANonPositiveIdIsIdentitysInvalidArgument) {
  absl::StatusOr<pb::User> got = Lookup(admin_, 0);
  EXPECT_TRUE(absl::IsInvalidArgument(got.status())) << got.status();
}

TEST_F(UserLookupTest, NoIdentityServiceIsUnavailable) {
  grpc::ClientContext call;
  absl::StatusOr<pb::User> got = LookupUser(nullptr, &call, 1);
  EXPECT_TRUE(absl::IsUnavailable(got.status())) << got.status();
}

TEST_F(UserLookupTest, IdentityDownIsUnavailableNotNotFound) {
  // A retryable failure must not read as "no such user".
  std::unique_ptr<pb::IdentityService::Stub> down =
      pb::IdentityService::NewStub(MakeChannel("127.0.0.1:1"));
  grpc::ClientContext call;
  Prepare(&call, admin_, absl::Seconds(2));
  absl::StatusOr<pb::User> got = LookupUser(down.get(), &call, 1);
  EXPECT_TRUE(absl::IsUnavailable(got.status())) << got.status();
}

}  // namespace
}  // namespace crm::client
