// crm-identity and crm-accounts as processes, talking to each other the
// way they do under `crmctl up`: a rep logs in at identity, creates and
// claims accounts at accounts; a manager assigns (accounts asks identity,
// with the manager's own token, whether the new owner is in scope).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

namespace idpb = crm::identity::v1;
namespace pb = crm::accounts::v1;

std::string Login(idpb::IdentityService::Stub& identity,
                  const std::string& user, const std::string& password) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  idpb::LoginRequest req;
  req.set_username(user);
  req.set_password(password);
  idpb::LoginResponse resp;
  grpc::Status s = identity.Login(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << user << ": " << s.error_message();
  return resp.access_token();
}

TEST(AccountsProcessTest, RepsClaimAndManagersAssignAcrossServices) {
  // Wired the way `crmctl up` wires them; the demo org, pools and
  // customers seeded.
  testing::ProcessSuite suite({"identity", "accounts"}, /*gateway=*/false);
  ASSERT_TRUE(suite.Start());
  auto id_stub = idpb::IdentityService::NewStub(
      client::MakeChannel(suite.address("identity")));
  auto acc = pb::AccountsService::NewStub(
      client::MakeChannel(suite.address("accounts")));
  const std::string rep1 = Login(*id_stub, "rep.sh1.1", tools::kDemoPassword);
  const std::string rep2 = Login(*id_stub, "rep.sh1.2", tools::kDemoPassword);
  const std::string lead = Login(*id_stub, "lead.sh1", tools::kDemoPassword);

  // rep1 creates a customer in their private pool, then releases it.
  std::string first17 = "91310000MA1E2E001";
  pb::Account draft;
  draft.set_kind(pb::ACCOUNT_KIND_COMPANY);
  draft.set_name("上海端到端测试有限公司");
  draft.set_credit_code(first17 + *validate::CreditCodeCheckChar(first17));
  pb::CreateAccountResponse created;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep1);
    pb::CreateAccountRequest req;
    *req.mutable_account() = draft;
    grpc::Status s = acc->CreateAccount(&ctx, req, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(created.account().region_code(), "east");  // from the rep's token
  const int64_t id = created.account().id();
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep1);
    pb::ReleaseAccountRequest req;
    req.set_account_id(id);
    req.set_reason("交给团队");
    pb::Account out;
    ASSERT_TRUE(acc->ReleaseAccount(&ctx, req, &out).ok());
    EXPECT_NE(out.pool_id(), 0);
  }
  // rep2 claims it from the east public pool.
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep2);
    pb::ClaimAccountRequest req;
    req.set_account_id(id);
    pb::Account out;
    grpc::Status s = acc->ClaimAccount(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // The team lead hands it back to rep1 (identity confirms rep1 is in scope).
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, lead);
    idpb::ListUsersRequest who;
    who.set_role("sales_rep");
    idpb::ListUsersResponse users;
    grpc::ClientContext lctx;
    client::Prepare(&lctx, lead);
    ASSERT_TRUE(id_stub->ListUsers(&lctx, who, &users).ok());
    int64_t rep1_id = 0;
    for (const auto& u : users.users()) {
      if (u.username() == "rep.sh1.1") rep1_id = u.id();
    }
    ASSERT_NE(rep1_id, 0);
    pb::AssignAccountRequest req;
    req.set_account_id(id);
    req.set_owner_id(rep1_id);
    req.set_reason("组长分配");
    pb::Account out;
    grpc::Status s = acc->AssignAccount(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.owner_id(), rep1_id);
  }
  // A token from another key is refused by accounts too.
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "forged.token.value");
    pb::GetAccountRequest req;
    req.set_id(id);
    pb::Account out;
    EXPECT_EQ(acc->GetAccount(&ctx, req, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  // Close our channels first: an idle client connection that nobody polls
  // holds a draining server until its grace period ends.
  acc.reset();
  id_stub.reset();
  EXPECT_TRUE(suite.Stop());
}

}  // namespace
}  // namespace crm
