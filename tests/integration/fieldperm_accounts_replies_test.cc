// Field-level permissions on every AccountsService reply that carries an
// Account, not only Get/List (issue 10): for a sales rep, a sales manager
// and finance, the replies of ClaimAccount, ReleaseAccount, LockAccount,
// UnlockAccount, AssignAccount, UpdateAccount and ListNearbyAccounts are
// masked exactly as GetAccount is for the same caller.
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "services/accounts/store/pool_store.h"
#include "tests/integration/customfields_host.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
namespace cpb = crm::customfields::v1;
using google::protobuf::util::MessageDifferencer;
using testing::CreditCode;
using testing::FieldDef;

constexpr char kPhone[] = "+8613812340567";
constexpr char kPhoneMasked[] = "+86138****0567";

class FieldPermRepliesTest : public ::testing::Test {
 protected:
  FieldPermRepliesTest()
      : cf_(h_.schema().Pool(), h_.identity().shared_clock(),
            {{"account", pb::Account::descriptor()},
             {"contact", pb::Contact::descriptor()}}) {
    admin_ = h_.Admin();
    rep_ = h_.User("rep.r1", "e1", "sales_rep");
    mgr_ = h_.User("mgr.r1", "east", "sales_manager");
    fin_ = h_.User("fin.r1", "east", "finance");
    cpb::FieldDefinition budget =
        FieldDef("account", "budget", cpb::FIELD_TYPE_MONEY);
    budget.set_sensitive(true);  // masked for finance by default
    EXPECT_TRUE(cf_.Define(admin_, budget).ok());
    // Locks allowed in the east pool.
    PoolStore pools(h_.schema().Pool(), h_.identity().shared_clock(), {});
    absl::StatusOr<PoolRecord> east = pools.RegionDefault("east");
    EXPECT_TRUE(east.ok()) << east.status();
    east_pool_ = east.ok() ? east->id : 0;
    ClaimRules rules = east->rules;
    rules.locked_capacity = 5;
    EXPECT_TRUE(
        pools.UpdateRules(east_pool_, std::nullopt, rules, std::nullopt).ok());
  }

  // The rules (set after the accounts are created: a masked or hidden
  // field is not writable on create either).
  void Restrict() {
    // Reps: industry hidden, phone masked; managers: budget hidden, phone
    // masked; finance: the defaults (phone and budget masked).
    for (auto [field, role, access] :
         std::vector<std::tuple<std::string, std::string, cpb::FieldAccess>>{
             {"industry", "sales_rep", cpb::FIELD_ACCESS_HIDDEN},
             {"phone", "sales_rep", cpb::FIELD_ACCESS_MASKED},
             {"custom_fields.budget", "sales_manager",
              cpb::FIELD_ACCESS_HIDDEN},
             {"phone", "sales_manager", cpb::FIELD_ACCESS_MASKED}}) {
      grpc::Status s = cf_.Permit(admin_, "account", field, role, access);
      EXPECT_TRUE(s.ok()) << field << " " << role << ": " << s.error_message();
    }
  }

  // An account with a phone, an industry, a budget and a location.
  int64_t NewAccount(const std::string& token, int n, int64_t pool_id = 0) {
    pb::Account a = testing::CompanyDraft(
        absl::StrCat("回复脱敏测试", n, "号有限公司"), CreditCode(n));
    a.set_phone("13812340567");
    a.set_industry("贸易");
    a.mutable_location()->set_lat(31.2304);
    a.mutable_location()->set_lng(121.4737 + n * 0.0001);
    (*a.mutable_custom_fields())["budget"] = "5000000";
    return h_.CreateAccountOk(token, a, pool_id);
  }

  pb::Account Get(const std::string& token, int64_t id) {
    pb::Account out;
    grpc::Status s = h_.GetAccount(token, id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // The reply equals what GetAccount shows the same caller right after.
  void ExpectSameAsGet(const std::string& what, const std::string& token,
                       const pb::Account& reply) {
    const pb::Account got = Get(token, reply.id());
    EXPECT_TRUE(MessageDifferencer::Equals(reply, got))
        << what << "\nreply: " << reply.ShortDebugString()
        << "\nget:   " << got.ShortDebugString();
  }

  template <typename Req, typename Method>
  pb::Account Call(const std::string& token, Method method, const Req& req) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::Account out;
    grpc::Status s = (h_.stub().*method)(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  pb::Account Assign(const std::string& token, int64_t id, int64_t owner) {
    pb::AssignAccountRequest req;
    req.set_account_id(id);
    req.set_owner_id(owner);
    req.set_reason("分配测试");
    return Call(token, &pb::AccountsService::Stub::AssignAccount, req);
  }

  testing::AccountsHarness h_;
  testing::CustomFieldHost cf_;
  std::string admin_;
  testing::AccountsHarness::Login rep_, mgr_, fin_;
  int64_t east_pool_ = 0;
};

TEST_F(FieldPermRepliesTest, RepRepliesAreMaskedLikeGet) {
  const int64_t id = NewAccount(rep_.token, 1);
  Restrict();

  pb::LockAccountRequest lock;
  lock.set_account_id(id);
  pb::Account locked =
      Call(rep_.token, &pb::AccountsService::Stub::LockAccount, lock);
  EXPECT_EQ(locked.phone(), kPhoneMasked);
  EXPECT_EQ(locked.industry(), "");
  EXPECT_EQ(locked.custom_fields().at("budget"), "5000000");
  ExpectSameAsGet("LockAccount", rep_.token, locked);

  pb::UnlockAccountRequest unlock;
  unlock.set_account_id(id);
  ExpectSameAsGet(
      "UnlockAccount", rep_.token,
      Call(rep_.token, &pb::AccountsService::Stub::UnlockAccount, unlock));

  pb::UpdateAccountRequest update;
  update.mutable_account()->set_id(id);
  update.mutable_account()->set_address("上海市浦东新区1号");
  update.mutable_update_mask()->add_paths("address");
  pb::Account updated =
      Call(rep_.token, &pb::AccountsService::Stub::UpdateAccount, update);
  EXPECT_EQ(updated.phone(), kPhoneMasked);
  ExpectSameAsGet("UpdateAccount", rep_.token, updated);

  pb::ListNearbyAccountsRequest near;
  near.mutable_center()->set_lat(31.2304);
  near.mutable_center()->set_lng(121.4737);
  near.set_radius_m(1000);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  pb::ListNearbyAccountsResponse nearby;
  grpc::Status s = h_.stub().ListNearbyAccounts(&ctx, near, &nearby);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(nearby.accounts_size(), 1);
  EXPECT_EQ(nearby.accounts(0).account().phone(), kPhoneMasked);
  ExpectSameAsGet("ListNearbyAccounts", rep_.token,
                  nearby.accounts(0).account());

  pb::ReleaseAccountRequest release;
  release.set_account_id(id);
  release.set_reason("释放测试");
  pb::Account released =
      Call(rep_.token, &pb::AccountsService::Stub::ReleaseAccount, release);
  EXPECT_EQ(released.pool_id(), east_pool_);
  EXPECT_EQ(released.phone(), kPhoneMasked);
  EXPECT_EQ(released.industry(), "");
  ExpectSameAsGet("ReleaseAccount", rep_.token, released);

  // Another rep claims it from the pool: masked for reps too.
  auto peer = h_.User("rep.r2", "e1", "sales_rep");
  pb::ClaimAccountRequest claim;
  claim.set_account_id(id);
  claim.set_request_id("claim-mask-1");
  pb::Account claimed =
      Call(peer.token, &pb::AccountsService::Stub::ClaimAccount, claim);
  EXPECT_EQ(claimed.owner_id(), peer.user_id);
  EXPECT_EQ(claimed.phone(), kPhoneMasked);
  EXPECT_EQ(claimed.industry(), "");
  ExpectSameAsGet("ClaimAccount", peer.token, claimed);
  // A retried claim (same request id) is masked the same way.
  ExpectSameAsGet(
      "ClaimAccount retry", peer.token,
      Call(peer.token, &pb::AccountsService::Stub::ClaimAccount, claim));
}

TEST_F(FieldPermRepliesTest, ManagerAndFinanceAssignRepliesAreMaskedLikeGet) {
  const int64_t id = NewAccount(rep_.token, 2);
  Restrict();
  auto other = h_.User("rep.r3", "e2", "sales_rep");

  pb::Account by_mgr = Assign(mgr_.token, id, other.user_id);
  EXPECT_EQ(by_mgr.owner_id(), other.user_id);
  EXPECT_EQ(by_mgr.phone(), kPhoneMasked);
  EXPECT_EQ(by_mgr.custom_fields().count("budget"), 0u);  // hidden
  EXPECT_EQ(by_mgr.industry(), "贸易");
  ExpectSameAsGet("AssignAccount (manager)", mgr_.token, by_mgr);

  pb::Account by_fin = Assign(fin_.token, id, rep_.user_id);
  EXPECT_EQ(by_fin.owner_id(), rep_.user_id);
  EXPECT_EQ(by_fin.phone(), kPhoneMasked);
  EXPECT_EQ(by_fin.custom_fields().at("budget"), "5******");
  EXPECT_EQ(by_fin.industry(), "贸易");
  ExpectSameAsGet("AssignAccount (finance)", fin_.token, by_fin);

  // Admins see everything, in the reply as in Get.
  auto admin_login = h_.identity().AdminToken();
  pb::Account by_admin = Assign(admin_login, id, other.user_id);
  EXPECT_EQ(by_admin.phone(), kPhone);
  EXPECT_EQ(by_admin.custom_fields().at("budget"), "5000000");
  ExpectSameAsGet("AssignAccount (admin)", admin_login, by_admin);

  // Bad input is still refused before anything is presented.
  pb::AssignAccountRequest bad;
  bad.set_account_id(id);
  bad.set_reason("x");
  grpc::ClientContext ctx;
  client::Prepare(&ctx, mgr_.token);
  pb::Account ignored;
  EXPECT_EQ(h_.stub().AssignAccount(&ctx, bad, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A rep may never assign.
  grpc::ClientContext ctx2;
  client::Prepare(&ctx2, rep_.token);
  pb::AssignAccountRequest by_rep;
  by_rep.set_account_id(id);
  by_rep.set_owner_id(rep_.user_id);
  by_rep.set_reason("x");
  EXPECT_EQ(h_.stub().AssignAccount(&ctx2, by_rep, &ignored).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace crm::accounts
