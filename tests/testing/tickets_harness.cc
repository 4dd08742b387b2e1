#include "tests/testing/tickets_harness.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/auth/service_credentials.h"
#include "common/auth/token.h"
#include "common/client/client.h"
#include "common/db/migrations.h"
#include "common/events/outbox.h"
#include "tests/testing/identity_harness.h"

namespace crm {
const std::vector<db::Migration>& TicketsMigrations();
}

namespace crm::testing {

namespace pb = crm::tickets::v1;

TicketsHarness::TicketsHarness(bool with_redis) : schema_("tickets") {
  auto pool = schema_.Pool();
  auto applied = db::RunMigrations(*pool, TicketsMigrations());
  EXPECT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(events::EnsureEventTables(*pool).ok());
  if (with_redis) redis_ = std::make_unique<TestRedisPool>("tickets");
  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts(
      &orders_.accounts().stub(),
      [](crm::accounts::v1::AccountsService::StubInterface*) {});
  std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders(
      &orders_.stub(), [](crm::orders::v1::OrdersService::StubInterface*) {});
  auto clock = orders_.accounts().identity().shared_clock();
  auto codec = auth::TokenCodec::Create(kTestTokenKey, clock);
  auto credentials = std::make_shared<auth::ServiceCredentials>(
      *codec, "tickets", absl::Minutes(10), clock);
  service_ = std::make_unique<tickets::TicketsServiceImpl>(
      pool, redis(), accounts, orders, credentials, clock);
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Seconds(1);
  host_ = std::make_unique<server::ServiceHost>(
      options, std::make_shared<const auth::TokenCodec>(*codec));
  host_->AddService(service_.get());
  EXPECT_TRUE(host_->Start().ok());
  stub_ = pb::TicketsService::NewStub(client::MakeChannel(host_->address()));
}

TicketsHarness::~TicketsHarness() {
  stub_.reset();
  host_.reset();
  service_.reset();
}

grpc::Status TicketsHarness::UpsertType(const pb::TicketType& t,
                                        pb::TicketType* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Admin());
  pb::TicketType ignored;
  return stub_->UpsertTicketType(&ctx, t, out ? out : &ignored);
}

int64_t TicketsHarness::Group(const std::string& name,
                              const std::string& unit_key) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Admin());
  pb::CreateSupportGroupRequest req;
  req.set_name(name);
  req.set_org_path(Path(unit_key));
  pb::SupportGroup g;
  grpc::Status s = stub_->CreateSupportGroup(&ctx, req, &g);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return g.id();
}

void TicketsHarness::AddAgent(int64_t group_id, int64_t user_id,
                              const std::vector<std::string>& skills,
                              bool active) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Admin());
  pb::SetGroupAgentRequest req;
  req.set_group_id(group_id);
  req.mutable_agent()->set_user_id(user_id);
  req.mutable_agent()->set_active(active);
  for (const std::string& s : skills) req.mutable_agent()->add_skills(s);
  pb::SupportGroup g;
  grpc::Status s = stub_->SetGroupAgent(&ctx, req, &g);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

int64_t TicketsHarness::Product(const std::string& sku) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Admin());
  crm::orders::v1::CreateProductRequest req;
  req.mutable_product()->set_sku(sku);
  req.mutable_product()->set_name(absl::StrCat("Product ", sku));
  req.mutable_product()->set_unit("unit");
  req.mutable_product()->mutable_list_price()->set_currency_code("CNY");
  req.mutable_product()->mutable_list_price()->set_amount_minor(100000);
  crm::orders::v1::Product out;
  grpc::Status s = orders_.stub().CreateProduct(&ctx, req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out.id();
}

crm::orders::v1::Quote TicketsHarness::Quote(
    const std::string& token, int64_t account,
    const std::vector<int64_t>& products) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  crm::orders::v1::CreateQuoteRequest req;
  req.mutable_quote()->set_account_id(account);
  for (int64_t product : products) {
    crm::orders::v1::QuoteLine* l = req.mutable_quote()->add_lines();
    l->set_product_id(product);
    l->set_quantity(1);
  }
  crm::orders::v1::Quote out;
  grpc::Status s = orders_.stub().CreateQuote(&ctx, req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.status(), crm::orders::v1::QUOTE_STATUS_APPROVED);
  return out;
}

crm::orders::v1::Contract TicketsHarness::ContractFromQuote(
    const std::string& token, const crm::orders::v1::Quote& quote,
    const std::string& year) {
  crm::orders::v1::Contract draft =
      OrdersHarness::Draft(quote.account_id(), quote.total().amount_minor(), 1,
                           year + "-01-01", year + "-12-31");
  draft.set_quote_id(quote.id());
  return orders_.SignedContract(token, draft);
}

pb::Ticket TicketsHarness::Draft(const std::string& type, int64_t account,
                                 int64_t group) {
  pb::Ticket t;
  t.set_type_key(type);
  t.set_priority(pb::PRIORITY_NORMAL);
  t.set_account_id(account);
  t.set_group_id(group);
  t.set_title("Printer jams");
  t.set_description("Jams on every page");
  t.set_channel(pb::CHANNEL_INTERNAL);
  return t;
}

grpc::Status TicketsHarness::Create(const std::string& token,
                                    const pb::Ticket& draft, pb::Ticket* out,
                                    const std::string& request_id) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::CreateTicketRequest req;
  *req.mutable_ticket() = draft;
  req.set_request_id(request_id);
  return stub_->CreateTicket(&ctx, req, out);
}

int64_t TicketsHarness::CreateOk(const std::string& token,
                                 const pb::Ticket& draft) {
  pb::Ticket t;
  grpc::Status s = Create(token, draft, &t);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return t.id();
}

grpc::Status TicketsHarness::Get(const std::string& token, int64_t id,
                                 pb::Ticket* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::GetTicketRequest req;
  req.set_id(id);
  return stub_->GetTicket(&ctx, req, out);
}

grpc::Status TicketsHarness::Grab(const std::string& token, int64_t id,
                                  pb::Ticket* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::GrabTicketRequest req;
  req.set_id(id);
  pb::Ticket ignored;
  return stub_->GrabTicket(&ctx, req, out ? out : &ignored);
}

grpc::Status TicketsHarness::Assign(const std::string& token, int64_t id,
                                    int64_t assignee, pb::Ticket* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::AssignTicketRequest req;
  req.set_id(id);
  req.set_assignee_id(assignee);
  pb::Ticket ignored;
  return stub_->AssignTicket(&ctx, req, out ? out : &ignored);
}

grpc::Status TicketsHarness::Auto(const std::string& token, int64_t id,
                                  pb::Ticket* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::AutoAssignRequest req;
  req.set_id(id);
  pb::Ticket ignored;
  return stub_->AutoAssign(&ctx, req, out ? out : &ignored);
}

grpc::Status TicketsHarness::Move(const std::string& token, int64_t id,
                                  pb::TicketStatus to, pb::Ticket* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::ChangeStatusRequest req;
  req.set_id(id);
  req.set_status(to);
  pb::Ticket ignored;
  return stub_->ChangeStatus(&ctx, req, out ? out : &ignored);
}

grpc::Status TicketsHarness::SlaCheck(absl::Time as_of,
                                      pb::RunSlaCheckResponse* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Admin());
  pb::RunSlaCheckRequest req;
  *req.mutable_as_of() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(as_of));
  return stub_->RunSlaCheck(&ctx, req, out);
}

grpc::Status TicketsHarness::List(const std::string& token,
                                  const pb::ListTicketsRequest& req,
                                  pb::ListTicketsResponse* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  return stub_->ListTickets(&ctx, req, out);
}

int64_t TicketsHarness::QueryInt(const std::string& sql,
                                 const std::string& column) {
  auto conn = schema_.Pool()->Borrow();
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return -1;
  auto row = (*conn)->QueryOne(sql, {}, "row");
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? row->Int(column) : -1;
}

}  // namespace crm::testing
