// crm-identity, crm-accounts, crm-orders and crm-tickets as processes, wired
// the way `crmctl up` wires them: a rep creates a customer and a signed
// contract; the support manager configures a repair type and a group; the
// rep opens a repair ticket (tickets asks accounts and orders, with the
// rep's token); an agent grabs and resolves it; the rep rates it.
#include <gtest/gtest.h>

#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/accounts/v1/accounts.grpc.pb.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "crm/orders/v1/orders.grpc.pb.h"
#include "crm/tickets/v1/tickets.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

namespace idpb = crm::identity::v1;
namespace acpb = crm::accounts::v1;
namespace opb = crm::orders::v1;
namespace pb = crm::tickets::v1;

idpb::LoginResponse Login(idpb::IdentityService::Stub& identity,
                          const std::string& user,
                          const std::string& password) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  idpb::LoginRequest req;
  req.set_username(user);
  req.set_password(password);
  idpb::LoginResponse resp;
  grpc::Status s = identity.Login(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << user << ": " << s.error_message();
  return resp;
}

TEST(TicketsProcessTest, RepairTicketFromCreationToRating) {
  // Wired the way `crmctl up` wires them; the demo org, pools and
  // customers seeded.
  testing::ProcessSuite suite({"identity", "accounts", "orders", "tickets"},
                              /*gateway=*/false);
  ASSERT_TRUE(suite.Start());
  auto id_stub = idpb::IdentityService::NewStub(
      client::MakeChannel(suite.address("identity")));
  auto acc = acpb::AccountsService::NewStub(
      client::MakeChannel(suite.address("accounts")));
  auto ord =
      opb::OrdersService::NewStub(client::MakeChannel(suite.address("orders")));
  auto tix = pb::TicketsService::NewStub(
      client::MakeChannel(suite.address("tickets")));
  const std::string rep =
      Login(*id_stub, "rep.sh1.1", tools::kDemoPassword).access_token();
  const std::string lead =
      Login(*id_stub, "lead.sh1", tools::kDemoPassword).access_token();
  const std::string fin =
      Login(*id_stub, "finance", tools::kDemoPassword).access_token();
  const std::string mgr =
      Login(*id_stub, "support.mgr", tools::kDemoPassword).access_token();
  const idpb::LoginResponse agent =
      Login(*id_stub, "agent.1", tools::kDemoPassword);

  // A customer and a signed contract covering today.
  std::string first17 = "91310000MA1E2E901";
  acpb::CreateAccountRequest areq;
  areq.mutable_account()->set_kind(acpb::ACCOUNT_KIND_COMPANY);
  areq.mutable_account()->set_name("上海工单端到端有限公司");
  areq.mutable_account()->set_credit_code(
      first17 + *validate::CreditCodeCheckChar(first17));
  areq.set_ignore_similar(true);
  acpb::CreateAccountResponse created;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    ASSERT_TRUE(acc->CreateAccount(&ctx, areq, &created).ok());
  }
  const std::string year =
      absl::FormatTime("%Y", absl::Now(), absl::UTCTimeZone());
  opb::CreateContractRequest creq;
  opb::Contract* draft = creq.mutable_contract();
  draft->set_account_id(created.account().id());
  draft->set_title("维保合同");
  draft->mutable_amount()->set_amount_minor(120000);
  draft->set_start_date(year + "-01-01");
  draft->set_end_date(year + "-12-31");
  draft->set_type(opb::CONTRACT_TYPE_NEW);
  opb::Installment* inst = draft->add_installments();
  inst->set_due_date(year + "-01-15");
  inst->mutable_amount()->set_amount_minor(120000);
  opb::Contract c;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    grpc::Status s = ord->CreateContract(&ctx, creq, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    opb::SubmitContractRequest req;
    req.set_id(c.id());
    ASSERT_TRUE(ord->SubmitContract(&ctx, req, &c).ok());
  }
  for (int step = 0; step < c.approval_steps_size(); ++step) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, c.approval_steps(step) == "finance" ? fin : lead);
    opb::ApproveContractRequest req;
    req.set_id(c.id());
    req.set_step(step);
    opb::Contract out;
    grpc::Status s = ord->ApproveContract(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    opb::SignContractRequest req;
    req.set_id(c.id());
    grpc::Status s = ord->SignContract(&ctx, req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Support configuration.
  pb::TicketType type;
  type.set_key("repair");
  type.set_name("维修");
  type.set_requires_contract(true);
  pb::SupportGroup group;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr);
    pb::TicketType out;
    grpc::Status s = tix->UpsertTicketType(&ctx, type, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr);
    pb::CreateSupportGroupRequest req;
    req.set_name("上海售后");
    grpc::Status s = tix->CreateSupportGroup(&ctx, req, &group);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr);
    pb::SetGroupAgentRequest req;
    req.set_group_id(group.id());
    req.mutable_agent()->set_user_id(agent.user().id());
    req.mutable_agent()->set_active(true);
    ASSERT_TRUE(tix->SetGroupAgent(&ctx, req, &group).ok());
  }

  // The rep opens a repair ticket; the agent grabs and resolves it.
  pb::Ticket t;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::CreateTicketRequest req;
    pb::Ticket* d = req.mutable_ticket();
    d->set_type_key("repair");
    d->set_priority(pb::PRIORITY_HIGH);
    d->set_account_id(created.account().id());
    d->set_contract_id(c.id());
    d->set_group_id(group.id());
    d->set_title("设备无法开机");
    d->set_channel(pb::CHANNEL_CUSTOMER);
    grpc::Status s = tix->CreateTicket(&ctx, req, &t);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_FALSE(t.billable());
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, agent.access_token());
    pb::GrabTicketRequest req;
    req.set_id(t.id());
    grpc::Status s = tix->GrabTicket(&ctx, req, &t);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(t.assignee_id(), agent.user().id());
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, agent.access_token());
    pb::ChangeStatusRequest req;
    req.set_id(t.id());
    req.set_status(pb::TICKET_STATUS_RESOLVED);
    ASSERT_TRUE(tix->ChangeStatus(&ctx, req, &t).ok());
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::RateTicketRequest req;
    req.set_id(t.id());
    req.set_satisfaction(5);
    ASSERT_TRUE(tix->RateTicket(&ctx, req, &t).ok());
    EXPECT_EQ(t.satisfaction(), 5);
  }
  tix.reset();
  ord.reset();
  acc.reset();
  id_stub.reset();
  EXPECT_TRUE(suite.Stop());
}

}  // namespace
}  // namespace crm
