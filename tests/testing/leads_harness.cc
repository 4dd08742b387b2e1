#include "tests/testing/leads_harness.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/db/migrations.h"
#include "common/events/outbox.h"

namespace crm {
const std::vector<db::Migration>& LeadsMigrations();
const std::vector<db::Migration>& OpportunitiesMigrations();
}  // namespace crm

namespace crm::testing {

namespace pb = crm::leads::v1;

pb::Lead CompanyLead(const std::string& company, const std::string& phone,
                     const std::string& region) {
  pb::Lead l;
  l.set_kind(pb::LEAD_KIND_COMPANY);
  l.set_company_name(company);
  l.set_contact_name("联系人");
  l.set_phone(phone);
  l.set_region_code(region);
  l.set_city("上海");
  return l;
}

LeadsHarness::LeadsHarness(leads::LeadsConfig config, bool redis_down)
    : opportunities_schema_("lopps"), schema_("leads") {
  auto pool = schema_.Pool();
  auto applied = db::RunMigrations(*pool, LeadsMigrations());
  EXPECT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(events::EnsureEventTables(*pool).ok());
  redis_ = std::make_unique<TestRedisPool>("leads");

  auto identity_stub = crm::identity::v1::IdentityService::NewStub(
      client::MakeChannel(accounts_.identity().address()));
  accounts::AccountsConfig accounts_config;
  accounts_config.default_claim_rules.daily_claim_limit = 0;
  accounts_config.default_claim_rules.private_capacity = 0;
  accounts_service_ = std::make_unique<accounts::AccountsServiceImpl>(
      accounts_.schema().Pool(), nullptr,
      crm::identity::v1::IdentityService::NewStub(
          client::MakeChannel(accounts_.identity().address())),
      accounts_.identity().shared_clock(), accounts_config);
  StartAccounts();

  // Opportunities, set up as OpportunitiesHarness does it: accounts
  // through the accounts harness' own stub (non-owning).
  auto opp_pool = opportunities_schema_.Pool();
  auto opp_applied = db::RunMigrations(*opp_pool, OpportunitiesMigrations());
  EXPECT_TRUE(opp_applied.ok()) << opp_applied.status();
  EXPECT_TRUE(events::EnsureEventTables(*opp_pool).ok());
  opportunities_redis_ = std::make_unique<TestRedisPool>("lopps");
  std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface>
      opp_accounts(&accounts_.stub(),
                   [](crm::accounts::v1::AccountsService::StubInterface*) {});
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
      opp_identity(&accounts_.identity().stub(),
                   [](crm::identity::v1::IdentityService::StubInterface*) {});
  opportunities_service_ =
      std::make_unique<opportunities::OpportunitiesServiceImpl>(
          opp_pool, opportunities_redis_->get(), opp_accounts, opp_identity,
          accounts_.identity().shared_clock(),
          opportunities::OpportunitiesConfig{});
  StartOpportunities();
  opportunities_stub_ = crm::opportunities::v1::OpportunitiesService::NewStub(
      client::MakeChannel(absl::StrCat("127.0.0.1:", opportunities_port_)));

  redis::RedisPool* service_redis = redis_->get();
  if (redis_down) {
    redis::RedisOptions o = TestRedisOptions("leads_down");
    o.port = 1;  // nothing listens there
    down_redis_ = std::move(*redis::RedisPool::Create(o));
    service_redis = down_redis_.get();
  }
  service_ = std::make_unique<leads::LeadsServiceImpl>(
      pool, service_redis, std::move(identity_stub),
      crm::accounts::v1::AccountsService::NewStub(
          client::MakeChannel(absl::StrCat("127.0.0.1:", accounts_port_))),
      crm::opportunities::v1::OpportunitiesService::NewStub(
          client::MakeChannel(absl::StrCat("127.0.0.1:", opportunities_port_))),
      accounts_.identity().shared_clock(), std::move(config));
  auto codec = auth::TokenCodec::Create(kTestTokenKey,
                                        accounts_.identity().shared_clock());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Seconds(1);
  host_ = std::make_unique<server::ServiceHost>(
      options, std::make_shared<const auth::TokenCodec>(*codec));
  host_->AddService(service_.get());
  EXPECT_TRUE(host_->Start().ok());
  stub_ = pb::LeadsService::NewStub(client::MakeChannel(host_->address()));
}

LeadsHarness::~LeadsHarness() {
  stub_.reset();
  host_.reset();
  service_.reset();
  opportunities_stub_.reset();
  opportunities_host_.reset();
  opportunities_service_.reset();
  accounts_host_.reset();
  accounts_service_.reset();
}

void LeadsHarness::StopAccounts() {
  if (accounts_host_ != nullptr) accounts_host_->Shutdown();
  accounts_host_.reset();
}

void LeadsHarness::StartAccounts() {
  auto codec = auth::TokenCodec::Create(kTestTokenKey,
                                        accounts_.identity().shared_clock());
  server::ServerOptions options;
  options.listen = absl::StrCat("127.0.0.1:", accounts_port_);
  options.shutdown_grace = absl::Seconds(1);
  accounts_host_ = std::make_unique<server::ServiceHost>(
      options, std::make_shared<const auth::TokenCodec>(*codec));
  accounts_host_->AddService(accounts_service_.get());
  absl::Status s = accounts_host_->Start();
  EXPECT_TRUE(s.ok()) << s;
  accounts_port_ = accounts_host_->port();
}

void LeadsHarness::StopOpportunities() {
  if (opportunities_host_ != nullptr) opportunities_host_->Shutdown();
  opportunities_host_.reset();
}

void LeadsHarness::StartOpportunities() {
  auto codec = auth::TokenCodec::Create(kTestTokenKey,
                                        accounts_.identity().shared_clock());
  server::ServerOptions options;
  options.listen = absl::StrCat("127.0.0.1:", opportunities_port_);
  options.shutdown_grace = absl::Seconds(1);
  opportunities_host_ = std::make_unique<server::ServiceHost>(
      options, std::make_shared<const auth::TokenCodec>(*codec));
  opportunities_host_->AddService(opportunities_service_.get());
  absl::Status s = opportunities_host_->Start();
  EXPECT_TRUE(s.ok()) << s;
  opportunities_port_ = opportunities_host_->port();
}

int64_t LeadsHarness::OpportunitiesInt(const std::string& sql,
                                       const std::string& column,
                                       const std::vector<db::Param>& params) {
  auto conn = opportunities_schema_.Pool()->Borrow();
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return -1;
  auto row = (*conn)->QueryOne(sql, params, "query");
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? row->Int(column) : -1;
}

grpc::Status LeadsHarness::Create(const std::string& token,
                                  const pb::Lead& lead,
                                  pb::CreateLeadResponse* out,
                                  const std::string& request_id, bool keep) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::CreateLeadRequest req;
  *req.mutable_lead() = lead;
  req.set_request_id(request_id);
  req.set_keep(keep);
  return stub_->CreateLead(&ctx, req, out);
}

pb::Lead LeadsHarness::CreateOk(const std::string& token, const pb::Lead& lead,
                                bool keep) {
  pb::CreateLeadResponse out;
  grpc::Status s = Create(token, lead, &out, "", keep);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out.lead();
}

grpc::Status LeadsHarness::Get(const std::string& token, int64_t id,
                               pb::Lead* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::GetLeadRequest req;
  req.set_id(id);
  return stub_->GetLead(&ctx, req, out);
}

grpc::Status LeadsHarness::Claim(const std::string& token, int64_t id,
                                 pb::Lead* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::ClaimLeadRequest req;
  req.set_lead_id(id);
  pb::Lead ignored;
  return stub_->ClaimLead(&ctx, req, out ? out : &ignored);
}

grpc::Status LeadsHarness::FollowUp(const std::string& token, int64_t id,
                                    bool replied, pb::Lead* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::AddLeadFollowUpRequest req;
  req.set_lead_id(id);
  req.set_kind(pb::FOLLOW_UP_KIND_CALL);
  req.set_content("called");
  req.set_replied(replied);
  pb::Lead ignored;
  return stub_->AddLeadFollowUp(&ctx, req, out ? out : &ignored);
}

int64_t LeadsHarness::QueryInt(const std::string& sql,
                               const std::string& column,
                               const std::vector<db::Param>& params) {
  auto conn = schema_.Pool()->Borrow();
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return -1;
  auto row = (*conn)->QueryOne(sql, params, "query");
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? row->Int(column) : -1;
}

}  // namespace crm::testing
