// Hostile text in every text field of the create calls of every service
// (tests/testing/hostile_input.h): SQL metacharacters, emoji, RTL, NUL,
// 4-byte UTF-8, bidi overrides, very long values. Each call succeeds and
// reads back exactly, or fails INVALID_ARGUMENT naming the field and leaves
// no row behind.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "tests/testing/hostile_input.h"
#include "tests/testing/identity_harness.h"
#include "tests/testing/leads_harness.h"
#include "tests/testing/opportunities_harness.h"
#include "tests/testing/orders_harness.h"
#include "tests/testing/tickets_harness.h"

namespace crm {
namespace {

using google::protobuf::Message;
using testing::CreateCase;
using testing::HostileReport;
using testing::RunHostileCreates;

template <typename T>
std::unique_ptr<Message> Own(T m) {
  return std::make_unique<T>(std::move(m));
}

template <typename T>
const T& As(const Message& m) {
  return static_cast<const T&>(m);
}

// A mobile number unique to n that no placeholder rule rejects.
std::string Mobile(int n) {
  return absl::StrFormat("+86139%04d%04d", 1000 + n % 9000, 2468 + n * 7);
}

void Summarize(const char* what, const HostileReport& r) {
  std::string fields;
  for (const auto& f : r.fields) absl::StrAppend(&fields, f, " ");
  std::printf("%s: %d calls, %d accepted, %d rejected; fields: %s\n", what,
              r.calls, r.accepted, r.rejected, fields.c_str());
  EXPECT_GT(r.calls, 0);
}

TEST(HostileTextTest, IdentityCreateUser) {
  namespace pb = crm::identity::v1;
  testing::IdentityHarness h;
  const std::string admin = h.AdminToken();
  CreateCase c;
  c.draft = [&](int n) {
    pb::CreateUserRequest r;
    r.set_username(absl::StrCat("user", n));
    r.set_display_name(absl::StrCat("用户 ", n));
    r.set_password("Hostile-pass-2026!");
    r.set_org_unit_id(h.RootId());
    r.add_roles("sales_rep");
    return Own(r);
  };
  c.create = [&](const Message& req, int64_t* id) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin);
    pb::User out;
    grpc::Status s =
        h.stub().CreateUser(&ctx, As<pb::CreateUserRequest>(req), &out);
    *id = out.id();
    return s;
  };
  c.get = [&](int64_t id, Message* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin);
    pb::GetUserRequest req;
    req.set_id(id);
    return h.stub().GetUser(&ctx, req, static_cast<pb::User*>(out));
  };
  c.new_resource = [] { return Own(pb::User()); };
  c.count = [&] { return testing::CountRows(h.schema(), "users"); };
  c.skip = {"password"};  // hashed, never read back; has its own rules
  Summarize("identity.CreateUser", RunHostileCreates(c));
}

TEST(HostileTextTest, LeadsCreateLead) {
  namespace pb = crm::leads::v1;
  testing::LeadsHarness h;
  const std::string rep = h.User("rep.e1", "e1", "sales_rep").token;
  CreateCase c;
  c.draft = [&](int n) {
    pb::CreateLeadRequest r;
    *r.mutable_lead() = testing::CompanyLead(
        absl::StrCat("星河贸易 ", n, " 有限公司"), Mobile(n));
    r.set_keep(true);
    return Own(r);
  };
  c.create = [&](const Message& req, int64_t* id) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::CreateLeadResponse out;
    grpc::Status s =
        h.stub().CreateLead(&ctx, As<pb::CreateLeadRequest>(req), &out);
    *id = out.lead().id();
    return s;
  };
  c.get = [&](int64_t id, Message* out) {
    return h.Get(rep, id, static_cast<pb::Lead*>(out));
  };
  c.new_resource = [] { return Own(pb::Lead()); };
  c.count = [&] { return testing::CountRows(h.schema(), "leads"); };
  Summarize("leads.CreateLead", RunHostileCreates(c));
}

TEST(HostileTextTest, AccountsCreateAccount) {
  namespace pb = crm::accounts::v1;
  testing::AccountsHarness h;
  const std::string rep = h.User("rep.e1", "e1", "sales_rep").token;
  CreateCase c;
  c.draft = [&](int n) {
    pb::CreateAccountRequest r;
    *r.mutable_account() =
        testing::CompanyDraft(absl::StrCat("星河 ", n, " 贸易有限公司"),
                              testing::CreditCode(n + 100));
    r.set_ignore_similar(true);
    return Own(r);
  };
  c.create = [&](const Message& req, int64_t* id) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::CreateAccountResponse out;
    grpc::Status s =
        h.stub().CreateAccount(&ctx, As<pb::CreateAccountRequest>(req), &out);
    *id = out.account().id();
    return s;
  };
  c.get = [&](int64_t id, Message* out) {
    return h.GetAccount(rep, id, static_cast<pb::Account*>(out));
  };
  c.new_resource = [] { return Own(pb::Account()); };
  c.count = [&] { return testing::CountRows(h.schema(), "accounts"); };
  Summarize("accounts.CreateAccount", RunHostileCreates(c));
}

TEST(HostileTextTest, OpportunitiesCreateOpportunity) {
  namespace pb = crm::opportunities::v1;
  testing::OpportunitiesHarness h;
  const std::string rep = h.User("rep.e1", "e1", "sales_rep").token;
  const int64_t account = h.Account(rep, "星河贸易有限公司");
  CreateCase c;
  c.draft = [&](int n) {
    pb::CreateOpportunityRequest r;
    r.mutable_opportunity()->set_name(absl::StrCat("商机 ", n));
    r.mutable_opportunity()->set_account_id(account);
    r.mutable_opportunity()->mutable_amount()->set_currency_code("CNY");
    r.mutable_opportunity()->mutable_amount()->set_amount_minor(100000);
    return Own(r);
  };
  c.create = [&](const Message& req, int64_t* id) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep);
    pb::Opportunity out;
    grpc::Status s = h.stub().CreateOpportunity(
        &ctx, As<pb::CreateOpportunityRequest>(req), &out);
    *id = out.id();
    return s;
  };
  c.get = [&](int64_t id, Message* out) {
    return h.Get(rep, id, static_cast<pb::Opportunity*>(out));
  };
  c.new_resource = [] { return Own(pb::Opportunity()); };
  c.count = [&] { return testing::CountRows(h.schema(), "opportunities"); };
  Summarize("opportunities.CreateOpportunity", RunHostileCreates(c));
}

TEST(HostileTextTest, OrdersCreateProductAndContract) {
  namespace pb = crm::orders::v1;
  testing::OrdersHarness h;
  const std::string admin = h.Admin();
  const std::string rep = h.User("rep.e1", "e1", "sales_rep").token;
  CreateCase products;
  products.draft = [&](int n) {
    pb::CreateProductRequest r;
    r.mutable_product()->set_sku(absl::StrCat("SKU-", n));
    r.mutable_product()->set_name(absl::StrCat("产品 ", n));
    r.mutable_product()->set_unit("seat/year");
    r.mutable_product()->mutable_list_price()->set_currency_code("CNY");
    r.mutable_product()->mutable_list_price()->set_amount_minor(9900);
    return Own(r);
  };
  products.create = [&](const Message& req, int64_t* id) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin);
    pb::Product out;
    grpc::Status s =
        h.stub().CreateProduct(&ctx, As<pb::CreateProductRequest>(req), &out);
    *id = out.id();
    return s;
  };
  products.get = [&](int64_t id, Message* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin);
    pb::GetProductRequest req;
    req.set_id(id);
    return h.stub().GetProduct(&ctx, req, static_cast<pb::Product*>(out));
  };
  products.new_resource = [] { return Own(pb::Product()); };
  products.count = [&] { return testing::CountRows(h.schema(), "products"); };
  Summarize("orders.CreateProduct", RunHostileCreates(products));

  const int64_t account = h.Account(rep, "星河贸易有限公司");
  CreateCase contracts;
  contracts.draft = [&](int n) {
    pb::CreateContractRequest r;
    *r.mutable_contract() = testing::OrdersHarness::Draft(account, 100000 + n);
    r.mutable_contract()->set_title(absl::StrCat("合同 ", n));
    return Own(r);
  };
  contracts.create = [&](const Message& req, int64_t* id) {
    pb::Contract out;
    const auto& r = As<pb::CreateContractRequest>(req);
    grpc::Status s = h.Create(rep, r.contract(), &out, r.request_id());
    *id = out.id();
    return s;
  };
  contracts.get = [&](int64_t id, Message* out) {
    return h.Get(rep, id, static_cast<pb::Contract*>(out));
  };
  contracts.new_resource = [] { return Own(pb::Contract()); };
  contracts.count = [&] { return testing::CountRows(h.schema(), "contracts"); };
  Summarize("orders.CreateContract", RunHostileCreates(contracts));
}

TEST(HostileTextTest, TicketsCreateTicket) {
  namespace pb = crm::tickets::v1;
  testing::TicketsHarness h;
  pb::TicketType consult;
  consult.set_key("consult");
  consult.set_name("Consultation");
  ASSERT_TRUE(h.UpsertType(consult).ok());
  const auto rep = h.User("rep.e1", "e1", "sales_rep");
  const int64_t group = h.Group("east-support", "east");
  const int64_t account = h.orders().Account(rep.token, "Acme Printing");
  CreateCase c;
  c.draft = [&](int n) {
    pb::CreateTicketRequest r;
    *r.mutable_ticket() =
        testing::TicketsHarness::Draft("consult", account, group);
    r.mutable_ticket()->set_title(absl::StrCat("打印机卡纸 ", n));
    return Own(r);
  };
  c.create = [&](const Message& req, int64_t* id) {
    pb::Ticket out;
    const auto& r = As<pb::CreateTicketRequest>(req);
    grpc::Status s = h.Create(rep.token, r.ticket(), &out, r.request_id());
    *id = out.id();
    return s;
  };
  c.get = [&](int64_t id, Message* out) {
    return h.Get(rep.token, id, static_cast<pb::Ticket*>(out));
  };
  c.new_resource = [] { return Own(pb::Ticket()); };
  c.count = [&] { return testing::CountRows(h.schema(), "tickets"); };
  Summarize("tickets.CreateTicket", RunHostileCreates(c));
}

}  // namespace
}  // namespace crm
