// crm-identity, crm-accounts and crm-opportunities as processes, talking
// to each other the way they do under `crmctl up`: a rep creates a
// customer at accounts, opens an opportunity at opportunities (which asks
// accounts, with the rep's token, whether the account is visible), moves
// it and wins it; a peer rep cannot see it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

namespace idpb = crm::identity::v1;
namespace accpb = crm::accounts::v1;
namespace pb = crm::opportunities::v1;

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

TEST(OpportunitiesProcessTest, RepOpensMovesAndWinsAcrossServices) {
  // Wired the way `crmctl up` wires them; the demo org, pools and
  // customers seeded.
  testing::ProcessSuite suite({"identity", "accounts", "opportunities"},
                              /*gateway=*/false);
  ASSERT_TRUE(suite.Start());
  auto id_stub = idpb::IdentityService::NewStub(
      client::MakeChannel(suite.address("identity")));
  auto acc = accpb::AccountsService::NewStub(
      client::MakeChannel(suite.address("accounts")));
  auto opp = pb::OpportunitiesService::NewStub(
      client::MakeChannel(suite.address("opportunities")));
  const std::string rep1 = Login(*id_stub, "rep.sh1.1", tools::kDemoPassword);
  const std::string rep2 = Login(*id_stub, "rep.sh1.2", tools::kDemoPassword);

  int64_t account_id = 0;
  {
    std::string first17 = "91310000MA1E2E0P1";
    accpb::CreateAccountRequest req;
    req.mutable_account()->set_kind(accpb::ACCOUNT_KIND_COMPANY);
    req.mutable_account()->set_name("上海商机端到端有限公司");
    req.mutable_account()->set_credit_code(
        first17 + *validate::CreditCodeCheckChar(first17));
    accpb::CreateAccountResponse out;
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep1);
    grpc::Status s = acc->CreateAccount(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    account_id = out.account().id();
  }
  pb::Opportunity o;
  {
    pb::CreateOpportunityRequest req;
    req.mutable_opportunity()->set_account_id(account_id);
    req.mutable_opportunity()->set_name("端到端商机");
    req.mutable_opportunity()->mutable_amount()->set_currency_code("CNY");
    req.mutable_opportunity()->mutable_amount()->set_amount_minor(990000);
    req.set_request_id("e2e-opp-1");
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep1);
    grpc::Status s = opp->CreateOpportunity(&ctx, req, &o);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(o.stage(), "qualify");
  }
  {
    // rep2 may not open one on rep1's account (accounts says NOT_FOUND).
    pb::CreateOpportunityRequest req;
    req.mutable_opportunity()->set_account_id(account_id);
    req.mutable_opportunity()->set_name("抢单");
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep2);
    pb::Opportunity out;
    EXPECT_EQ(opp->CreateOpportunity(&ctx, req, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    pb::MoveStageRequest req;
    req.set_opportunity_id(o.id());
    req.set_stage("needs");
    req.set_sub_stage("确定意向");
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep1);
    grpc::Status s = opp->MoveStage(&ctx, req, &o);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    pb::MarkWonRequest req;
    req.set_opportunity_id(o.id());
    req.set_contract_ref("HT-E2E-1");
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep1);
    grpc::Status s = opp->MarkWon(&ctx, req, &o);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(o.status(), pb::OPPORTUNITY_STATUS_WON);
  }
  {
    pb::GetOpportunityRequest req;
    req.set_id(o.id());
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep2);
    pb::Opportunity out;
    EXPECT_EQ(opp->GetOpportunity(&ctx, req, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  opp.reset();
  acc.reset();
  id_stub.reset();
  EXPECT_TRUE(suite.Stop());
}

}  // namespace
}  // namespace crm
