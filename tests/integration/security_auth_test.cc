// Hostile callers (issue 12, "Faults and hostile input"): forged, expired,
// alg=none, re-signed and tampered tokens; a sales rep calling admin RPCs;
// a manager guessing ids outside their subtree (NOT_FOUND, ADR 0002,
// indistinguishable from a missing id). Every call gets a clean error and
// leaves no trace: the row counts of the tables it would write stay put.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/auth/token.h"
#include "common/client/client.h"
#include "tests/testing/hostile_input.h"
#include "tests/testing/orders_harness.h"

namespace crm {
namespace {

namespace apb = crm::accounts::v1;
namespace ipb = crm::identity::v1;
namespace opb = crm::orders::v1;
using ::testing::HasSubstr;

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rep_ = h_.User("rep.e1", "e1", "sales_rep");
    north_rep_ = h_.User("rep.n1", "n1", "sales_rep");
    east_manager_ = h_.User("sm.east", "east", "sales_manager");
    e1_manager_ = h_.User("sm.e1", "e1", "sales_manager");
  }

  // The rows a hostile call could have written.
  struct Counts {
    int64_t users, units, accounts, pools, contracts, products;
    bool operator==(const Counts& o) const {
      return users == o.users && units == o.units && accounts == o.accounts &&
             pools == o.pools && contracts == o.contracts &&
             products == o.products;
    }
  };
  Counts Snapshot() {
    auto& id = h_.accounts().identity().schema();
    auto& acc = h_.accounts().schema();
    return {testing::CountRows(id, "users"),
            testing::CountRows(id, "org_units"),
            testing::CountRows(acc, "accounts"),
            testing::CountRows(acc, "pools"),
            testing::CountRows(h_.schema(), "contracts"),
            testing::CountRows(h_.schema(), "products")};
  }

  // CreateAccount and CreateContract with `token`: both must fail with
  // `code` and write nothing.
  void ExpectWritesRejected(const std::string& token, grpc::StatusCode code,
                            const std::string& what) {
    const Counts before = Snapshot();
    {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, "");
      if (!token.empty()) ctx.AddMetadata("authorization", token);
      apb::CreateAccountRequest req;
      *req.mutable_account() =
          testing::CompanyDraft("伪造令牌有限公司", testing::CreditCode(777));
      apb::CreateAccountResponse out;
      grpc::Status s = h_.accounts().stub().CreateAccount(&ctx, req, &out);
      EXPECT_EQ(s.error_code(), code) << what << ": " << s.error_message();
    }
    {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, "");
      if (!token.empty()) ctx.AddMetadata("authorization", token);
      opb::CreateContractRequest req;
      *req.mutable_contract() = testing::OrdersHarness::Draft(account_, 5000);
      opb::Contract out;
      grpc::Status s = h_.stub().CreateContract(&ctx, req, &out);
      EXPECT_EQ(s.error_code(), code) << what << ": " << s.error_message();
    }
    EXPECT_TRUE(Snapshot() == before) << what << " left rows behind";
  }

  static std::string B64(const std::string& s) {
    return absl::WebSafeBase64Escape(s);
  }

  testing::OrdersHarness h_;
  testing::OrdersHarness::Login rep_, north_rep_, east_manager_, e1_manager_;
  int64_t account_ = 0;
};

TEST_F(SecurityTest, BadTokensAreUnauthenticatedAndWriteNothing) {
  account_ = h_.Account(rep_.token, "真实客户有限公司");
  const std::string good = rep_.token;
  const std::vector<std::string> parts = absl::StrSplit(good, '.');
  ASSERT_EQ(parts.size(), 3u);

  // Sanity: the good token writes.
  opb::Contract out;
  ASSERT_TRUE(
      h_.Create(good, testing::OrdersHarness::Draft(account_, 5000), &out)
          .ok());

  const auto unauth = grpc::StatusCode::UNAUTHENTICATED;
  ExpectWritesRejected("", unauth, "no token");
  ExpectWritesRejected("Bearer", unauth, "empty bearer");
  ExpectWritesRejected("Bearer not-a-jwt", unauth, "garbage");
  ExpectWritesRejected("Basic YWRtaW46cHc=", unauth, "basic auth");
  ExpectWritesRejected(absl::StrCat("Bearer ", std::string(6000, 'A')), unauth,
                       "6 kB token");
  // Past gRPC's 8 KiB metadata limit the transport refuses it first.
  ExpectWritesRejected(absl::StrCat("Bearer ", std::string(20000, 'A')),
                       grpc::StatusCode::RESOURCE_EXHAUSTED, "20 kB token");

  // Signed with another key (an attacker's own "admin" token).
  auth::Principal admin;
  admin.user_id = 1;
  admin.username = "admin";
  admin.org_unit_id = h_.accounts().Unit("root");
  admin.org_path = h_.Path("root");
  admin.roles = {"admin"};
  admin.scope = auth::DataScope::kAll;
  auto other =
      auth::TokenCodec::Create("attacker-key-attacker-key-attacker-key-0123",
                               h_.accounts().identity().shared_clock());
  ASSERT_TRUE(other.ok());
  ExpectWritesRejected(
      absl::StrCat("Bearer ", other->Issue(admin, absl::Minutes(5)).token),
      unauth, "wrong key");

  // alg=none: the real payload, no signature.
  const std::string none_header = B64(R"({"alg":"none","typ":"JWT"})");
  ExpectWritesRejected(absl::StrCat("Bearer ", none_header, ".", parts[1], "."),
                       unauth, "alg=none, empty signature");
  ExpectWritesRejected(
      absl::StrCat("Bearer ", none_header, ".", parts[1], ".", parts[2]),
      unauth, "alg=none, old signature");
  // Algorithm confusion: the same signature under another algorithm name.
  ExpectWritesRejected(
      absl::StrCat("Bearer ", B64(R"({"alg":"HS512","typ":"JWT"})"), ".",
                   parts[1], ".", parts[2]),
      unauth, "alg=HS512");
  ExpectWritesRejected(
      absl::StrCat("Bearer ", B64(R"({"alg":"RS256","typ":"JWT"})"), ".",
                   parts[1], ".", parts[2]),
      unauth, "alg=RS256");

  // Tampered payload: the rep promotes themself to admin, signature kept.
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
  nlohmann::json claims = nlohmann::json::parse(payload);
  claims["roles"] = {"admin"};
  claims["scope"] = "ALL";
  claims["path"] = "/";
  ExpectWritesRejected(
      absl::StrCat("Bearer ", parts[0], ".", B64(claims.dump()), ".", parts[2]),
      unauth, "tampered roles");

  // Expired: the services' clock moves past the token's lifetime.
  h_.clock().Advance(absl::Hours(24));
  ExpectWritesRejected(absl::StrCat("Bearer ", good), unauth, "expired");
}

TEST_F(SecurityTest, RepCallingAdminRpcsIsPermissionDenied) {
  const std::string rep = rep_.token;
  const Counts before = Snapshot();
  auto expect_denied = [](const grpc::Status& s, const char* rpc) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << rpc << ": " << s.error_message();
  };
  auto& identity = h_.accounts().identity().stub();
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    ipb::CreateUserRequest req;
    req.set_username("mallory");
    req.set_display_name("Mallory");
    req.set_password("Mallory-pass-2026!");
    req.set_org_unit_id(h_.accounts().Unit("root"));
    req.add_roles("admin");
    ipb::User out;
    expect_denied(identity.CreateUser(&ctx, req, &out), "CreateUser");
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    ipb::CreateOrgUnitRequest req;
    req.set_parent_id(h_.accounts().Unit("root"));
    req.set_name("Shadow team");
    ipb::OrgUnit out;
    expect_denied(identity.CreateOrgUnit(&ctx, req, &out), "CreateOrgUnit");
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    ipb::DeactivateUserRequest req;
    req.set_id(east_manager_.user_id);
    ipb::User out;
    expect_denied(identity.DeactivateUser(&ctx, req, &out), "DeactivateUser");
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    apb::CreatePoolRequest req;
    req.mutable_pool()->set_name("私海变公海");
    req.mutable_pool()->set_region_code("east");
    apb::Pool out;
    expect_denied(h_.accounts().stub().CreatePool(&ctx, req, &out),
                  "CreatePool");
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    opb::CreateProductRequest req;
    req.mutable_product()->set_sku("FREE-1");
    req.mutable_product()->set_name("Free lunch");
    req.mutable_product()->mutable_list_price()->set_currency_code("CNY");
    req.mutable_product()->mutable_list_price()->set_amount_minor(1);
    opb::Product out;
    expect_denied(h_.stub().CreateProduct(&ctx, req, &out), "CreateProduct");
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    opb::RebuildLeaderboardsRequest req;
    opb::RebuildLeaderboardsResponse out;
    expect_denied(h_.stub().RebuildLeaderboards(&ctx, req, &out),
                  "RebuildLeaderboards");
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    opb::SetApprovalChainsRequest req;
    opb::ApprovalChains out;
    expect_denied(h_.stub().SetApprovalChains(&ctx, req, &out),
                  "SetApprovalChains");
  }
  EXPECT_TRUE(Snapshot() == before);
  // The rep's target user is still active.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  ipb::GetUserRequest req;
  req.set_id(east_manager_.user_id);
  ipb::User user;
  ASSERT_TRUE(identity.GetUser(&ctx, req, &user).ok());
  EXPECT_EQ(user.status(), ipb::USER_STATUS_ACTIVE);
}

TEST_F(SecurityTest, ManagerGuessingIdsOutsideTheSubtreeGetsNotFound) {
  // Records in the north region (and one in e2, outside team e1).
  const int64_t north_account =
      h_.Account(north_rep_.token, "北方客户有限公司");
  opb::Contract north_contract;
  ASSERT_TRUE(h_.Create(north_rep_.token,
                        testing::OrdersHarness::Draft(north_account, 9000),
                        &north_contract)
                  .ok());
  const int64_t east_account = h_.Account(rep_.token, "华东客户有限公司");

  // The east manager sees east, not north; the e1 manager neither north.
  for (const auto* who : {&east_manager_, &e1_manager_}) {
    apb::Account a;
    grpc::Status s = h_.accounts().GetAccount(who->token, north_account, &a);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
    const std::string out_of_scope = s.error_message();
    // A missing id reads the same (no existence oracle).
    s = h_.accounts().GetAccount(who->token, north_account + 100000, &a);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(
        absl::StrReplaceAll(s.error_message(),
                            {{absl::StrCat(north_account + 100000), "N"}}),
        absl::StrReplaceAll(out_of_scope,
                            {{absl::StrCat(north_account), "N"}}));

    opb::Contract c;
    s = h_.Get(who->token, north_contract.id(), &c);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  }
  apb::Account a;
  EXPECT_TRUE(
      h_.accounts().GetAccount(east_manager_.token, east_account, &a).ok());

  // Writes by guessed id: update the north account's name, add a contract
  // and a payment on the north contract. NOT_FOUND, nothing changes.
  // Finance scoped to the east region (guesses a north contract below).
  const auto east_finance = h_.User("fin.east", "east", "finance");
  const Counts before = Snapshot();
  const int64_t payments_before = testing::CountRows(h_.schema(), "payments");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, east_manager_.token);
    apb::UpdateAccountRequest req;
    req.mutable_account()->set_id(north_account);
    req.mutable_account()->set_name("被篡改的名字有限公司");
    req.mutable_update_mask()->add_paths("name");
    apb::Account out;
    grpc::Status s = h_.accounts().stub().UpdateAccount(&ctx, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  }
  {
    opb::Contract out;
    grpc::Status s =
        h_.Create(east_manager_.token,
                  testing::OrdersHarness::Draft(north_account, 1000), &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  }
  {
    grpc::Status s = h_.Pay(east_finance.token, north_contract.id(), 100,
                            "2026-02-01", "guess-1");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  }
  // Sweeping a range of ids finds nothing outside the subtree.
  int found = 0;
  for (int64_t id = 1; id <= north_account + 5; ++id) {
    apb::Account got;
    if (h_.accounts().GetAccount(east_manager_.token, id, &got).ok()) {
      ++found;
      EXPECT_THAT(got.owner_org_path(), ::testing::StartsWith(h_.Path("east")));
    }
  }
  EXPECT_GE(found, 1);
  EXPECT_TRUE(Snapshot() == before);
  EXPECT_EQ(testing::CountRows(h_.schema(), "payments"), payments_before);
  EXPECT_EQ(h_.accounts().GetAccountOk(north_account).name(),
            "北方客户有限公司");
}

}  // namespace
}  // namespace crm
