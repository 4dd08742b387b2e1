// The identity API end to end against the real MariaDB: sessions, the org
// tree, users, data scope, and every kind of bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "common/client/client.h"
#include "common/db/transaction.h"
#include "tests/testing/identity_harness.h"

namespace crm::identity {
namespace {

namespace pb = crm::identity::v1;
using ::testing::HasSubstr;
using testing::IdentityHarness;

constexpr char kPw[] = "Passw0rd-test";

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override { admin_ = h_.AdminToken(); }

  grpc::Status CreateUnit(const std::string& token, int64_t parent,
                          const std::string& name, pb::OrgUnitKind kind,
                          pb::OrgUnit* out,
                          const std::string& request_id = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateOrgUnitRequest req;
    req.set_parent_id(parent);
    req.set_name(name);
    req.set_kind(kind);
    req.set_request_id(request_id);
    return h_.stub().CreateOrgUnit(&ctx, req, out);
  }

  pb::OrgUnit Unit(int64_t parent, const std::string& name,
                   pb::OrgUnitKind kind = pb::ORG_UNIT_KIND_TEAM) {
    pb::OrgUnit u;
    grpc::Status s = CreateUnit(admin_, parent, name, kind, &u);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return u;
  }

  grpc::Status CreateUser(const std::string& token, const std::string& username,
                          int64_t unit, const std::string& role, pb::User* out,
                          const std::string& password = kPw,
                          const std::string& request_id = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateUserRequest req;
    req.set_username(username);
    req.set_display_name(username);
    req.set_password(password);
    req.set_org_unit_id(unit);
    if (!role.empty()) req.add_roles(role);
    req.set_request_id(request_id);
    return h_.stub().CreateUser(&ctx, req, out);
  }

  pb::User User(const std::string& username, int64_t unit,
                const std::string& role) {
    pb::User u;
    grpc::Status s = CreateUser(admin_, username, unit, role, &u);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return u;
  }

  grpc::Status Login(const std::string& username, const std::string& password,
                     pb::LoginResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "");
    pb::LoginRequest req;
    req.set_username(username);
    req.set_password(password);
    return h_.stub().Login(&ctx, req, out);
  }

  grpc::Status WhoAmI(const std::string& token,
                      crm::common::v1::Principal* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    return h_.stub().WhoAmI(&ctx, {}, out);
  }

  grpc::Status GetUser(const std::string& token, int64_t id, pb::User* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::GetUserRequest req;
    req.set_id(id);
    return h_.stub().GetUser(&ctx, req, out);
  }

  grpc::Status ListUsers(const std::string& token,
                         const pb::ListUsersRequest& req,
                         pb::ListUsersResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    return h_.stub().ListUsers(&ctx, req, out);
  }

  int64_t OutboxCount(const std::string& type) {
    auto conn = h_.schema().Pool()->Borrow();
    auto row = (*conn)->QueryOne(
        "SELECT COUNT(*) AS n FROM outbox WHERE event_type = ?", {type}, "n");
    return row->Int("n");
  }

  IdentityHarness h_;
  std::string admin_;
};

// ---------------------------------------------------------------- sessions

TEST_F(IdentityTest, LoginReturnsTokensAndWhoAmIReturnsThePrincipal) {
  pb::OrgUnit team = Unit(h_.RootId(), "上海销售一组");
  pb::User rep = User("rep.a", team.id(), "sales_rep");
  pb::LoginResponse login;
  ASSERT_TRUE(
      Login("REP.A", kPw, &login).ok());  // usernames are case-insensitive
  EXPECT_FALSE(login.access_token().empty());
  EXPECT_FALSE(login.refresh_token().empty());
  EXPECT_EQ(login.user().id(), rep.id());
  crm::common::v1::Principal me;
  ASSERT_TRUE(WhoAmI(login.access_token(), &me).ok());
  EXPECT_EQ(me.user_id(), rep.id());
  EXPECT_EQ(me.username(), "rep.a");
  EXPECT_EQ(me.org_path(), absl::StrCat("/", h_.RootId(), "/", team.id(), "/"));
  EXPECT_EQ(me.data_scope(), crm::common::v1::DATA_SCOPE_SELF);
  EXPECT_THAT(me.roles(), ::testing::ElementsAre("sales_rep"));
}

TEST_F(IdentityTest, WrongPasswordAndUnknownUserLookTheSame) {
  pb::LoginResponse login;
  grpc::Status wrong = Login("admin", "not-the-password", &login);
  grpc::Status unknown = Login("nobody.here", "whatever-123", &login);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(wrong.error_message(), unknown.error_message());
  EXPECT_EQ(Login("", "x", &login).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Login("admin", "", &login).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IdentityTest, FiveFailuresLockTheAccountUntilTheLockExpires) {
  pb::User rep = User("rep.lock", h_.RootId(), "sales_rep");
  pb::LoginResponse login;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Login("rep.lock", "wrong-password", &login).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  grpc::Status locked =
      Login("rep.lock", kPw, &login);  // even the right password
  EXPECT_EQ(locked.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(locked.error_message(), HasSubstr("retry after"));
  h_.clock().Advance(absl::Minutes(16));
  EXPECT_TRUE(Login("rep.lock", kPw, &login).ok());
  // A success resets the count: four more failures do not lock.
  for (int i = 0; i < 4; ++i) Login("rep.lock", "wrong-password", &login);
  EXPECT_TRUE(Login("rep.lock", kPw, &login).ok());
}

TEST_F(IdentityTest, MissingExpiredAndForgedTokensAreUnauthenticated) {
  crm::common::v1::Principal me;
  EXPECT_EQ(WhoAmI("", &me).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(WhoAmI("not-a-jwt", &me).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto other = auth::TokenCodec::Create("some-other-key-that-is-long-enough!!");
  auth::Principal fake;
  fake.user_id = 1;
  fake.username = "admin";
  fake.org_path = "/1/";
  fake.roles = {"admin"};
  fake.scope = auth::DataScope::kAll;
  grpc::Status forged = WhoAmI(other->Issue(fake, absl::Minutes(5)).token, &me);
  EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Protected methods refuse too, and change nothing.
  pb::OrgUnit u;
  EXPECT_EQ(CreateUnit(other->Issue(fake, absl::Minutes(5)).token, h_.RootId(),
                       "x", pb::ORG_UNIT_KIND_TEAM, &u)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      CreateUnit("", h_.RootId(), "x", pb::ORG_UNIT_KIND_TEAM, &u).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  h_.clock().Advance(absl::Minutes(16));
  grpc::Status expired = WhoAmI(admin_, &me);
  EXPECT_EQ(expired.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(expired.error_message(), HasSubstr("expired"));
}

TEST_F(IdentityTest, RefreshRotatesAndReuseRevokesTheFamily) {
  pb::LoginResponse login;
  ASSERT_TRUE(Login("admin", testing::kAdminPassword, &login).ok());
  auto refresh = [&](const std::string& token, pb::LoginResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "");
    pb::RefreshTokenRequest req;
    req.set_refresh_token(token);
    return h_.stub().RefreshToken(&ctx, req, out);
  };
  pb::LoginResponse second;
  ASSERT_TRUE(refresh(login.refresh_token(), &second).ok());
  EXPECT_NE(second.refresh_token(), login.refresh_token());
  crm::common::v1::Principal me;
  EXPECT_TRUE(WhoAmI(second.access_token(), &me).ok());
  // Replaying the spent token: refused, and the newer token dies with it.
  pb::LoginResponse replay;
  grpc::Status reused = refresh(login.refresh_token(), &replay);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(refresh(second.refresh_token(), &replay).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(refresh("garbage", &replay).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(refresh("", &replay).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Logout revokes; logging out twice is fine.
  pb::LoginResponse fresh;
  ASSERT_TRUE(Login("admin", testing::kAdminPassword, &fresh).ok());
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "");
    pb::LogoutRequest req;
    req.set_refresh_token(fresh.refresh_token());
    pb::LogoutResponse resp;
    EXPECT_TRUE(h_.stub().Logout(&ctx, req, &resp).ok());
  }
  EXPECT_EQ(refresh(fresh.refresh_token(), &replay).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IdentityTest, RefreshTokenExpires) {
  pb::LoginResponse login;
  ASSERT_TRUE(Login("admin", testing::kAdminPassword, &login).ok());
  h_.clock().Advance(absl::Hours(24 * 31));
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  pb::RefreshTokenRequest req;
  req.set_refresh_token(login.refresh_token());
  pb::LoginResponse out;
  grpc::Status s = h_.stub().RefreshToken(&ctx, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("expired"));
}

// ---------------------------------------------------------------- org tree

TEST_F(IdentityTest, OrgUnitBadInput) {
  pb::OrgUnit u;
  grpc::Status s =
      CreateUnit(admin_, h_.RootId(), "   ", pb::ORG_UNIT_KIND_REGION, &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "name: must not be empty");
  s = CreateUnit(admin_, h_.RootId(), std::string(101, 'x'),
                 pb::ORG_UNIT_KIND_REGION, &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("name: must be at most 100"));
  s = CreateUnit(admin_, 999999, "华南", pb::ORG_UNIT_KIND_REGION, &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("parent_id"));
  s = CreateUnit(admin_, 0, "second root", pb::ORG_UNIT_KIND_COMPANY, &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = CreateUnit(admin_, h_.RootId(), "no kind", pb::ORG_UNIT_KIND_UNSPECIFIED,
                 &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("kind"));
  s = CreateUnit(admin_, h_.RootId(), "a company", pb::ORG_UNIT_KIND_COMPANY,
                 &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  Unit(h_.RootId(), "华东大区", pb::ORG_UNIT_KIND_REGION);
  s = CreateUnit(admin_, h_.RootId(), " 华东大区 ", pb::ORG_UNIT_KIND_REGION,
                 &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(IdentityTest, OnlyAdminsChangeTheTree) {
  pb::User mgr = User("mgr.x", h_.RootId(), "sales_manager");
  std::string token = h_.Login("mgr.x", kPw);
  pb::OrgUnit u;
  grpc::Status s =
      CreateUnit(token, h_.RootId(), "mine", pb::ORG_UNIT_KIND_TEAM, &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  pb::User user;
  EXPECT_EQ(CreateUser(token, "someone", h_.RootId(), "sales_rep", &user)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(IdentityTest, CreateWithSameRequestIdIsIdempotentEvenConcurrently) {
  std::vector<int64_t> ids(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      pb::OrgUnit u;
      grpc::Status s = CreateUnit(admin_, h_.RootId(), "华北大区",
                                  pb::ORG_UNIT_KIND_REGION, &u, "req-north-1");
      EXPECT_TRUE(s.ok() || s.error_code() == grpc::StatusCode::ALREADY_EXISTS)
          << s.error_message();
      ids[i] = s.ok() ? u.id() : -1;
    });
  }
  for (auto& t : threads) t.join();
  pb::OrgUnit again;
  ASSERT_TRUE(CreateUnit(admin_, h_.RootId(), "华北大区",
                         pb::ORG_UNIT_KIND_REGION, &again, "req-north-1")
                  .ok());
  for (int64_t id : ids) {
    if (id != -1) {
      EXPECT_EQ(id, again.id());
    }
  }
  pb::ListOrgUnitsResponse children;
  grpc::ClientContext ctx;
  client::Prepare(&ctx, admin_);
  pb::ListOrgUnitChildrenRequest req;
  req.set_parent_id(h_.RootId());
  ASSERT_TRUE(h_.stub().ListOrgUnitChildren(&ctx, req, &children).ok());
  EXPECT_EQ(children.org_units_size(), 1);

  pb::User a, b;
  ASSERT_TRUE(CreateUser(admin_, "idem.user", h_.RootId(), "sales_rep", &a, kPw,
                         "req-u-1")
                  .ok());
  ASSERT_TRUE(CreateUser(admin_, "idem.user", h_.RootId(), "sales_rep", &b, kPw,
                         "req-u-1")
                  .ok());
  EXPECT_EQ(a.id(), b.id());
}

TEST_F(IdentityTest, MoveRepathsTheSubtreeAndItsUsers) {
  pb::OrgUnit east = Unit(h_.RootId(), "华东", pb::ORG_UNIT_KIND_REGION);
  pb::OrgUnit north = Unit(h_.RootId(), "华北", pb::ORG_UNIT_KIND_REGION);
  pb::OrgUnit sh = Unit(east.id(), "上海", pb::ORG_UNIT_KIND_BRANCH);
  pb::OrgUnit team = Unit(sh.id(), "一组");
  pb::User rep = User("rep.move", team.id(), "sales_rep");

  auto move = [&](int64_t id, int64_t parent, pb::OrgUnit* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin_);
    pb::MoveOrgUnitRequest req;
    req.set_id(id);
    req.set_new_parent_id(parent);
    return h_.stub().MoveOrgUnit(&ctx, req, out);
  };
  pb::OrgUnit moved;
  grpc::Status s = move(east.id(), team.id(), &moved);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("descendant"));
  EXPECT_EQ(move(east.id(), east.id(), &moved).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(move(h_.RootId(), east.id(), &moved).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(move(sh.id(), 987654, &moved).error_code(),
            grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(move(sh.id(), north.id(), &moved).ok());
  const std::string new_sh = absl::StrCat(north.path(), sh.id(), "/");
  EXPECT_EQ(moved.path(), new_sh);
  EXPECT_EQ(moved.parent_id(), north.id());
  EXPECT_EQ(moved.depth(), 2);
  EXPECT_EQ(moved.effective_region_code(), "");

  pb::User after;
  ASSERT_TRUE(GetUser(admin_, rep.id(), &after).ok());
  EXPECT_EQ(after.org_path(), absl::StrCat(new_sh, team.id(), "/"));
  pb::ListOrgUnitsResponse subtree;
  grpc::ClientContext ctx;
  client::Prepare(&ctx, admin_);
  pb::GetOrgSubtreeRequest req;
  req.set_root_id(north.id());
  ASSERT_TRUE(h_.stub().GetOrgSubtree(&ctx, req, &subtree).ok());
  ASSERT_EQ(subtree.org_units_size(), 3);
  EXPECT_EQ(subtree.org_units(2).path(), absl::StrCat(new_sh, team.id(), "/"));
  EXPECT_EQ(subtree.org_units(2).depth(), 3);
  EXPECT_EQ(OutboxCount("OrgUnitMoved"), 1);
}

TEST_F(IdentityTest, RegionCodeIsInheritedDownTheTree) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, admin_);
  pb::CreateOrgUnitRequest req;
  req.set_parent_id(h_.RootId());
  req.set_name("华南");
  req.set_kind(pb::ORG_UNIT_KIND_REGION);
  req.set_region_code("south");
  pb::OrgUnit south;
  ASSERT_TRUE(h_.stub().CreateOrgUnit(&ctx, req, &south).ok());
  pb::OrgUnit branch = Unit(south.id(), "广州", pb::ORG_UNIT_KIND_BRANCH);
  EXPECT_EQ(branch.region_code(), "");
  EXPECT_EQ(branch.effective_region_code(), "south");
  req.set_region_code("South!");
  req.set_name("bad");
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, admin_);
  EXPECT_EQ(h_.stub().CreateOrgUnit(&ctx2, req, &south).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IdentityTest, UpdateOrgUnitWithFieldMask) {
  pb::OrgUnit team = Unit(h_.RootId(), "old name");
  auto update = [&](const std::vector<std::string>& paths,
                    const std::string& name, pb::OrgUnit* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin_);
    pb::UpdateOrgUnitRequest req;
    req.mutable_org_unit()->set_id(team.id());
    req.mutable_org_unit()->set_name(name);
    for (const auto& p : paths) req.mutable_update_mask()->add_paths(p);
    return h_.stub().UpdateOrgUnit(&ctx, req, out);
  };
  pb::OrgUnit out;
  ASSERT_TRUE(update({"name"}, "new name", &out).ok());
  EXPECT_EQ(out.name(), "new name");
  EXPECT_EQ(update({}, "x", &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(update({"path"}, "x", &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(update({"name"}, "", &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// ---------------------------------------------------------------- users

TEST_F(IdentityTest, UserBadInput) {
  pb::User u;
  User("taken", h_.RootId(), "sales_rep");
  grpc::Status s = CreateUser(admin_, "Taken", h_.RootId(), "sales_rep", &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("is taken by user"));
  s = CreateUser(admin_, "x", h_.RootId(), "sales_rep", &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("username"));
  s = CreateUser(admin_, "weak.pw", h_.RootId(), "sales_rep", &u, "short");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("password"));
  s = CreateUser(admin_, "no.role", h_.RootId(), "", &u);
  EXPECT_THAT(s.error_message(), HasSubstr("roles"));
  s = CreateUser(admin_, "bad.role", h_.RootId(), "superuser", &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = CreateUser(admin_, "no.unit", 424242, "sales_rep", &u);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("org_unit_id"));
  // The password never comes back in any form.
  pb::User ok = User("fine.user", h_.RootId(), "sales_rep");
  EXPECT_EQ(ok.DebugString().find("argon2"), std::string::npos);
}

TEST_F(IdentityTest, DataScopeIsOpenDownwardAndClosedUpward) {
  pb::OrgUnit east = Unit(h_.RootId(), "华东", pb::ORG_UNIT_KIND_REGION);
  pb::OrgUnit north = Unit(h_.RootId(), "华北", pb::ORG_UNIT_KIND_REGION);
  pb::OrgUnit team1 = Unit(east.id(), "一组");
  pb::OrgUnit team2 = Unit(east.id(), "二组");
  pb::User region_mgr = User("mgr.east", east.id(), "sales_manager");
  pb::User lead = User("lead.1", team1.id(), "sales_manager");
  pb::User rep1 = User("rep.1", team1.id(), "sales_rep");
  pb::User rep2 = User("rep.2", team1.id(), "sales_rep");
  pb::User rep3 = User("rep.3", team2.id(), "sales_rep");
  pb::User north_rep = User("rep.n", north.id(), "sales_rep");
  pb::User boss = User("boss", h_.RootId(), "boss");

  const std::string lead_token = h_.Login("lead.1", kPw);
  const std::string rep_token = h_.Login("rep.1", kPw);
  pb::User got;
  // Downward: the team lead sees the team's reps.
  EXPECT_TRUE(GetUser(lead_token, rep1.id(), &got).ok());
  // Upward and sideways: NOT_FOUND, exactly like a missing id.
  grpc::Status up = GetUser(lead_token, region_mgr.id(), &got);
  EXPECT_EQ(up.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(up.error_message(),
            absl::StrCat("user ", region_mgr.id(), " not found"));
  EXPECT_EQ(GetUser(lead_token, rep3.id(), &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetUser(lead_token, 99999999, &got).error_message(),
            "user 99999999 not found");
  // A rep sees only themselves.
  EXPECT_TRUE(GetUser(rep_token, rep1.id(), &got).ok());
  EXPECT_EQ(GetUser(rep_token, rep2.id(), &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  pb::ListUsersResponse list;
  ASSERT_TRUE(ListUsers(h_.Login("mgr.east", kPw), {}, &list).ok());
  std::set<std::string> names;
  for (const auto& u : list.users()) names.insert(u.username());
  EXPECT_EQ(names, (std::set<std::string>{"mgr.east", "lead.1", "rep.1",
                                          "rep.2", "rep.3"}));
  pb::ListUsersRequest by_unit;
  by_unit.set_org_unit_id(north.id());
  EXPECT_EQ(ListUsers(lead_token, by_unit, &list).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(ListUsers(h_.Login("boss", kPw), by_unit, &list).ok());
  ASSERT_EQ(list.users_size(), 1);
  EXPECT_EQ(list.users(0).id(), north_rep.id());
  ASSERT_TRUE(ListUsers(rep_token, {}, &list).ok());
  ASSERT_EQ(list.users_size(), 1);
  EXPECT_EQ(list.users(0).id(), rep1.id());

  // Org units follow the same rule.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, lead_token);
  pb::GetOrgUnitRequest get_unit;
  get_unit.set_id(east.id());
  pb::OrgUnit unit;
  EXPECT_EQ(h_.stub().GetOrgUnit(&ctx, get_unit, &unit).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // BatchGetUsers drops what the caller may not see.
  grpc::ClientContext bctx;
  client::Prepare(&bctx, lead_token);
  pb::BatchGetUsersRequest batch;
  for (int64_t id :
       {rep1.id(), rep2.id(), rep3.id(), region_mgr.id(), int64_t{777777}}) {
    batch.add_ids(id);
  }
  pb::BatchGetUsersResponse found;
  ASSERT_TRUE(h_.stub().BatchGetUsers(&bctx, batch, &found).ok());
  std::set<int64_t> ids;
  for (const auto& u : found.users()) ids.insert(u.id());
  EXPECT_EQ(ids, (std::set<int64_t>{rep1.id(), rep2.id()}));
}

TEST_F(IdentityTest, ListUsersPagesWithoutGapsOrRepeats) {
  for (int i = 0; i < 7; ++i)
    User(absl::StrCat("page.", i), h_.RootId(), "sales_rep");
  pb::ListUsersRequest req;
  req.set_page_size(3);
  req.set_role("sales_rep");
  std::vector<std::string> seen;
  for (int guard = 0; guard < 10; ++guard) {
    pb::ListUsersResponse page;
    ASSERT_TRUE(ListUsers(admin_, req, &page).ok());
    for (const auto& u : page.users()) seen.push_back(u.username());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u);
  req.set_page_token("bm9wZQ");
  pb::ListUsersResponse bad;
  grpc::Status s = ListUsers(admin_, req, &bad);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
  pb::ListUsersRequest bad_role;
  bad_role.set_role("pope");
  EXPECT_EQ(ListUsers(admin_, bad_role, &bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IdentityTest, UpdateUserMaskRolesAndPassword) {
  pb::OrgUnit team = Unit(h_.RootId(), "team");
  pb::User rep = User("rep.upd", h_.RootId(), "sales_rep");
  pb::LoginResponse session;
  ASSERT_TRUE(Login("rep.upd", kPw, &session).ok());
  auto update = [&](pb::UpdateUserRequest req, pb::User* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin_);
    req.mutable_user()->set_id(rep.id());
    return h_.stub().UpdateUser(&ctx, req, out);
  };
  pb::UpdateUserRequest req;
  req.mutable_user()->set_org_unit_id(team.id());
  req.mutable_user()->add_roles("sales_manager");
  req.mutable_update_mask()->add_paths("org_unit_id");
  req.mutable_update_mask()->add_paths("roles");
  pb::User out;
  ASSERT_TRUE(update(req, &out).ok());
  EXPECT_EQ(out.org_unit_id(), team.id());
  EXPECT_EQ(out.org_path(), team.path());
  EXPECT_EQ(out.data_scope(), crm::common::v1::DATA_SCOPE_SUBTREE);
  EXPECT_EQ(OutboxCount("UserOrgChanged"), 1);

  pb::UpdateUserRequest bad;
  bad.mutable_update_mask()->add_paths("username");
  EXPECT_EQ(update(bad, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  pb::UpdateUserRequest pw;
  pw.mutable_update_mask()->add_paths("password");
  pw.set_password("New-password-9");
  ASSERT_TRUE(update(pw, &out).ok());
  pb::LoginResponse login;
  EXPECT_EQ(Login("rep.upd", kPw, &login).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Login("rep.upd", "New-password-9", &login).ok());
  // The old session's refresh token died with the old password.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  pb::RefreshTokenRequest r;
  r.set_refresh_token(session.refresh_token());
  EXPECT_EQ(h_.stub().RefreshToken(&ctx, r, &login).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IdentityTest, DeactivatedUsersCannotLogInOrRefresh) {
  pb::User rep = User("rep.leaving", h_.RootId(), "sales_rep");
  pb::LoginResponse session;
  ASSERT_TRUE(Login("rep.leaving", kPw, &session).ok());
  auto deactivate = [&](const std::string& token, int64_t id, pb::User* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::DeactivateUserRequest req;
    req.set_id(id);
    return h_.stub().DeactivateUser(&ctx, req, out);
  };
  pb::User out;
  ASSERT_TRUE(deactivate(admin_, rep.id(), &out).ok());
  EXPECT_EQ(out.status(), pb::USER_STATUS_INACTIVE);
  ASSERT_TRUE(
      deactivate(admin_, rep.id(), &out).ok());  // again: no second event
  EXPECT_EQ(OutboxCount("UserDeactivated"), 1);
  pb::LoginResponse login;
  grpc::Status s = Login("rep.leaving", kPw, &login);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("deactivated"));
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  pb::RefreshTokenRequest r;
  r.set_refresh_token(session.refresh_token());
  EXPECT_EQ(h_.stub().RefreshToken(&ctx, r, &login).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  crm::common::v1::Principal me;
  ASSERT_TRUE(WhoAmI(admin_, &me).ok());
  EXPECT_EQ(deactivate(admin_, me.user_id(), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(deactivate(admin_, 5555555, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace crm::identity
