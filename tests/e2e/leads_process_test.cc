// crm-identity, crm-accounts, crm-opportunities and crm-leads as
// processes, wired the way `crmctl up` wires them: leads answers health
// SERVING, a manager captures a lead into the east pool, a rep claims it,
// follows up and converts it into an account at accounts and an
// opportunity at opportunities (the saga across processes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/leads/v1/leads.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

namespace idpb = crm::identity::v1;
namespace pb = crm::leads::v1;

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

TEST(LeadsProcessTest, CaptureClaimFollowUpConvertAcrossServices) {
  // Wired the way `crmctl up` wires them; the demo org, pools and
  // customers seeded.
  testing::ProcessSuite suite(
      {"identity", "accounts", "opportunities", "leads"}, /*gateway=*/false);
  ASSERT_TRUE(suite.Start());
  auto id_stub = idpb::IdentityService::NewStub(
      client::MakeChannel(suite.address("identity")));
  const std::string mgr = Login(*id_stub, "mgr.east", tools::kDemoPassword);
  const std::string rep = Login(*id_stub, "rep.sh1.1", tools::kDemoPassword);
  auto stub =
      pb::LeadsService::NewStub(client::MakeChannel(suite.address("leads")));

  pb::CreateLeadResponse created;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr);
    pb::CreateLeadRequest req;
    pb::Lead* l = req.mutable_lead();
    l->set_kind(pb::LEAD_KIND_COMPANY);
    l->set_company_name("上海端到端线索有限公司");
    l->set_contact_name("赵六");
    l->set_phone("13712345601");
    l->set_region_code("east");
    const std::string first17 = "91310000MA1E2E777";
    l->set_credit_code(first17 + *validate::CreditCodeCheckChar(first17));
    req.set_request_id("e2e-form-1");
    grpc::Status s = stub->CreateLead(&ctx, req, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(created.lead().status(), pb::LEAD_STATUS_NEW);
  const int64_t id = created.lead().id();
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::ClaimLeadRequest req;
    req.set_lead_id(id);
    pb::Lead out;
    grpc::Status s = stub->ClaimLead(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.status(), pb::LEAD_STATUS_ASSIGNED);
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::AddLeadFollowUpRequest req;
    req.set_lead_id(id);
    req.set_kind(pb::FOLLOW_UP_KIND_CALL);
    req.set_content("首次电话沟通");
    pb::Lead out;
    ASSERT_TRUE(stub->AddLeadFollowUp(&ctx, req, &out).ok());
    EXPECT_EQ(out.status(), pb::LEAD_STATUS_CONTACTING);
  }
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep);
  pb::ConvertLeadRequest req;
  req.set_lead_id(id);
  req.set_create_opportunity(true);
  pb::ConvertLeadResponse out;
  grpc::Status s = stub->ConvertLead(&ctx, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.lead().status(), pb::LEAD_STATUS_CONVERTED);
  EXPECT_GT(out.account_id(), 0);
  EXPECT_TRUE(out.account_created());
  ASSERT_GT(out.opportunity_id(), 0);

  auto opp = crm::opportunities::v1::OpportunitiesService::NewStub(
      client::MakeChannel(suite.address("opportunities")));
  grpc::ClientContext get_ctx;
  client::Prepare(&get_ctx, rep);
  crm::opportunities::v1::GetOpportunityRequest get;
  get.set_id(out.opportunity_id());
  crm::opportunities::v1::Opportunity o;
  s = opp->GetOpportunity(&get_ctx, get, &o);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(o.source_lead_id(), id);
  EXPECT_EQ(o.account_id(), out.account_id());
}

}  // namespace
}  // namespace crm
