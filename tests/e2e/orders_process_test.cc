// crm-identity, crm-accounts and crm-orders as processes, wired the way
// `crmctl up` wires them: a rep creates a customer at accounts and a
// contract at orders (orders asks accounts, with the rep's own token,
// whether the account is visible), the team lead and finance approve, the
// rep signs, finance records a payment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

namespace idpb = crm::identity::v1;
namespace acpb = crm::accounts::v1;
namespace pb = crm::orders::v1;

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

TEST(OrdersProcessTest, ContractFromDraftToPaymentAcrossServices) {
  // Wired the way `crmctl up` wires them; the demo org, pools and
  // customers seeded.
  testing::ProcessSuite suite({"identity", "accounts", "orders"},
                              /*gateway=*/false);
  ASSERT_TRUE(suite.Start());
  auto id_stub = idpb::IdentityService::NewStub(
      client::MakeChannel(suite.address("identity")));
  auto acc = acpb::AccountsService::NewStub(
      client::MakeChannel(suite.address("accounts")));
  auto ord =
      pb::OrdersService::NewStub(client::MakeChannel(suite.address("orders")));
  const std::string rep = Login(*id_stub, "rep.sh1.1", tools::kDemoPassword);
  const std::string lead = Login(*id_stub, "lead.sh1", tools::kDemoPassword);
  const std::string fin = Login(*id_stub, "finance", tools::kDemoPassword);
  const std::string other = Login(*id_stub, "rep.bj1.1", tools::kDemoPassword);

  std::string first17 = "91310000MA1E2E801";
  acpb::CreateAccountRequest areq;
  areq.mutable_account()->set_kind(acpb::ACCOUNT_KIND_COMPANY);
  areq.mutable_account()->set_name("上海订单端到端有限公司");
  areq.mutable_account()->set_credit_code(
      first17 + *validate::CreditCodeCheckChar(first17));
  areq.set_ignore_similar(true);
  acpb::CreateAccountResponse created;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    grpc::Status s = acc->CreateAccount(&ctx, areq, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  pb::CreateContractRequest creq;
  pb::Contract* draft = creq.mutable_contract();
  draft->set_account_id(created.account().id());
  draft->set_title("年度订阅");
  draft->mutable_amount()->set_amount_minor(1200000);
  draft->set_start_date("2026-01-01");
  draft->set_end_date("2026-12-31");
  draft->set_type(pb::CONTRACT_TYPE_NEW);
  for (const char* due : {"2026-01-15", "2026-07-15"}) {
    pb::Installment* i = draft->add_installments();
    i->set_due_date(due);
    i->mutable_amount()->set_amount_minor(600000);
  }
  pb::Contract c;
  {
    // Another region's rep cannot see the account: NOT_FOUND via accounts.
    grpc::ClientContext ctx;
    client::Prepare(&ctx, other);
    EXPECT_EQ(ord->CreateContract(&ctx, creq, &c).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    grpc::Status s = ord->CreateContract(&ctx, creq, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::SubmitContractRequest req;
    req.set_id(c.id());
    ASSERT_TRUE(ord->SubmitContract(&ctx, req, &c).ok());
  }
  int step = 0;
  for (const std::string& token : {lead, fin}) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ApproveContractRequest req;
    req.set_id(c.id());
    req.set_step(step++);
    grpc::Status s = ord->ApproveContract(&ctx, req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_APPROVED);
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::SignContractRequest req;
    req.set_id(c.id());
    ASSERT_TRUE(ord->SignContract(&ctx, req, &c).ok());
    EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_SIGNED);
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, fin);
    pb::RecordPaymentRequest req;
    req.set_contract_id(c.id());
    req.mutable_amount()->set_amount_minor(600000);
    req.set_received_date("2026-01-10");
    req.set_reference("E2E-PAY-1");
    pb::Payment p;
    grpc::Status s = ord->RecordPayment(&ctx, req, &p);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::GetContractRequest req;
    req.set_id(c.id());
    ASSERT_TRUE(ord->GetContract(&ctx, req, &c).ok());
    EXPECT_EQ(c.received().amount_minor(), 600000);
    EXPECT_EQ(c.installments(0).status(), pb::INSTALLMENT_STATUS_PAID);
  }
  ord.reset();
  acc.reset();
  id_stub.reset();
  EXPECT_TRUE(suite.Stop());
}

}  // namespace
}  // namespace crm
