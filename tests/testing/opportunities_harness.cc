#include "tests/testing/opportunities_harness.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/db/migrations.h"
#include "common/events/outbox.h"

namespace crm {
const std::vector<db::Migration>& OpportunitiesMigrations();
}

namespace crm::testing {

namespace pb = crm::opportunities::v1;
namespace accpb = crm::accounts::v1;

OpportunitiesHarness::OpportunitiesHarness(
    opportunities::OpportunitiesConfig config, Orders orders)
    : schema_("opps") {
  auto pool = schema_.Pool();
  auto applied = db::RunMigrations(*pool, OpportunitiesMigrations());
  EXPECT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(events::EnsureEventTables(*pool).ok());
  redis_ = std::make_unique<TestRedisPool>("opps");
  // The accounts stub the harness already holds: a non-owning pointer.
  std::shared_ptr<accpb::AccountsService::StubInterface> accounts_stub(
      &accounts_.stub(), [](accpb::AccountsService::StubInterface*) {});
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
      identity_stub(&accounts_.identity().stub(),
                    [](crm::identity::v1::IdentityService::StubInterface*) {});
  std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders_stub;
  if (orders == Orders::kInProcess) {
    orders_ = std::make_unique<OrdersHarness>(accounts_, /*with_redis=*/true);
    orders_stub.reset(&orders_->stub(),
                      [](crm::orders::v1::OrdersService::StubInterface*) {});
  } else if (orders == Orders::kUnreachable) {
    // Port 1 on loopback: nothing listens, calls fail UNAVAILABLE.
    orders_stub = crm::orders::v1::OrdersService::NewStub(
        client::MakeChannel("127.0.0.1:1"));
  }
  service_ = std::make_unique<opportunities::OpportunitiesServiceImpl>(
      pool, redis_->get(), accounts_stub, identity_stub, shared_clock(), config,
      orders_stub);
  auto codec = auth::TokenCodec::Create(kTestTokenKey, shared_clock());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Seconds(1);
  host_ = std::make_unique<server::ServiceHost>(
      options, std::make_shared<const auth::TokenCodec>(*codec));
  host_->AddService(service_.get());
  EXPECT_TRUE(host_->Start().ok());
  stub_ =
      pb::OpportunitiesService::NewStub(client::MakeChannel(host_->address()));
}

OpportunitiesHarness::~OpportunitiesHarness() {
  stub_.reset();
  host_.reset();
  service_.reset();
}

int64_t OpportunitiesHarness::Account(const std::string& token,
                                      const std::string& name, bool ka) {
  accpb::Account a =
      CompanyDraft(name, CreditCode(next_code_++, "91440300MA5"), "");
  if (ka) a.set_type(accpb::CUSTOMER_TYPE_KA);
  return accounts_.CreateAccountOk(token, a);
}

grpc::Status OpportunitiesHarness::Create(
    const std::string& token, int64_t account_id, const std::string& name,
    pb::Opportunity* out, int64_t amount_minor, int64_t pipeline_id) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::CreateOpportunityRequest req;
  req.mutable_opportunity()->set_account_id(account_id);
  req.mutable_opportunity()->set_name(name);
  if (amount_minor > 0) {
    req.mutable_opportunity()->mutable_amount()->set_currency_code("CNY");
    req.mutable_opportunity()->mutable_amount()->set_amount_minor(amount_minor);
  }
  req.set_pipeline_id(pipeline_id);
  return stub_->CreateOpportunity(&ctx, req, out);
}

int64_t OpportunitiesHarness::CreateOk(const std::string& token,
                                       int64_t account_id,
                                       const std::string& name,
                                       int64_t amount_minor,
                                       int64_t pipeline_id) {
  pb::Opportunity o;
  grpc::Status s =
      Create(token, account_id, name, &o, amount_minor, pipeline_id);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return o.id();
}

grpc::Status OpportunitiesHarness::Get(const std::string& token, int64_t id,
                                       pb::Opportunity* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::GetOpportunityRequest req;
  req.set_id(id);
  pb::Opportunity ignored;
  return stub_->GetOpportunity(&ctx, req, out ? out : &ignored);
}

grpc::Status OpportunitiesHarness::Move(const std::string& token, int64_t id,
                                        const std::string& stage,
                                        const std::string& sub,
                                        pb::Opportunity* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::MoveStageRequest req;
  req.set_opportunity_id(id);
  req.set_stage(stage);
  req.set_sub_stage(sub);
  pb::Opportunity ignored;
  return stub_->MoveStage(&ctx, req, out ? out : &ignored);
}

grpc::Status OpportunitiesHarness::Won(const std::string& token, int64_t id,
                                       const std::string& contract_ref,
                                       pb::Opportunity* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::MarkWonRequest req;
  req.set_opportunity_id(id);
  req.set_contract_ref(contract_ref);
  pb::Opportunity ignored;
  return stub_->MarkWon(&ctx, req, out ? out : &ignored);
}

grpc::Status OpportunitiesHarness::WonWithContract(
    const std::string& token, int64_t id, pb::Opportunity* out,
    const std::string& start_date, const std::string& end_date) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::MarkWonRequest req;
  req.set_opportunity_id(id);
  req.set_create_contract(true);
  req.set_contract_start_date(start_date);
  req.set_contract_end_date(end_date);
  pb::Opportunity ignored;
  return stub_->MarkWon(&ctx, req, out ? out : &ignored);
}

grpc::Status OpportunitiesHarness::Lost(const std::string& token, int64_t id,
                                        const std::string& reason,
                                        const std::string& note,
                                        pb::Opportunity* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::MarkLostRequest req;
  req.set_opportunity_id(id);
  req.set_loss_reason(reason);
  req.set_note(note);
  pb::Opportunity ignored;
  return stub_->MarkLost(&ctx, req, out ? out : &ignored);
}

grpc::Status OpportunitiesHarness::Reopen(const std::string& token, int64_t id,
                                          const std::string& reason,
                                          const std::string& stage,
                                          pb::Opportunity* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::ReopenRequest req;
  req.set_opportunity_id(id);
  req.set_reason(reason);
  req.set_stage(stage);
  pb::Opportunity ignored;
  return stub_->Reopen(&ctx, req, out ? out : &ignored);
}

grpc::Status OpportunitiesHarness::Update(const std::string& token,
                                          const pb::Opportunity& o,
                                          const std::vector<std::string>& paths,
                                          pb::Opportunity* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::UpdateOpportunityRequest req;
  *req.mutable_opportunity() = o;
  for (const auto& p : paths) req.mutable_update_mask()->add_paths(p);
  pb::Opportunity ignored;
  return stub_->UpdateOpportunity(&ctx, req, out ? out : &ignored);
}

int64_t OpportunitiesHarness::QueryInt(const std::string& sql,
                                       const std::string& column) {
  auto conn = schema_.Pool()->Borrow();
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return -1;
  auto row = (*conn)->QueryOne(sql, {}, "row");
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? row->Int(column) : -1;
}

std::vector<nlohmann::json> OpportunitiesHarness::Events(
    const std::string& type) {
  std::vector<nlohmann::json> out;
  auto conn = schema_.Pool()->Borrow();
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return out;
  auto rows = (*conn)->Query(
      "SELECT payload FROM outbox WHERE event_type = ? AND stream = "
      "'events:opportunities' ORDER BY id",
      {type});
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok()) return out;
  for (const auto& r : *rows)
    out.push_back(nlohmann::json::parse(r.String("payload")));
  return out;
}

}  // namespace crm::testing
