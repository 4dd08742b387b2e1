#include "tests/testing/orders_harness.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/auth/token.h"
#include "common/client/client.h"
#include "common/db/migrations.h"
#include "common/events/outbox.h"
#include "tests/testing/identity_harness.h"

namespace crm {
const std::vector<db::Migration>& OrdersMigrations();
}

namespace crm::testing {

namespace pb = crm::orders::v1;
namespace acpb = crm::accounts::v1;

OrdersHarness::OrdersHarness(bool with_redis)
    : OrdersHarness(std::make_unique<AccountsHarness>(), nullptr, with_redis) {}

OrdersHarness::OrdersHarness(AccountsHarness& accounts, bool with_redis)
    : OrdersHarness(nullptr, &accounts, with_redis) {}

OrdersHarness::OrdersHarness(std::unique_ptr<AccountsHarness> owned,
                             AccountsHarness* shared, bool with_redis)
    : owned_accounts_(std::move(owned)),
      accounts_(shared != nullptr ? *shared : *owned_accounts_),
      schema_("orders") {
  auto pool = schema_.Pool();
  auto applied = db::RunMigrations(*pool, OrdersMigrations());
  EXPECT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(events::EnsureEventTables(*pool).ok());
  if (with_redis) redis_ = std::make_unique<TestRedisPool>("orders");
  // The accounts stub of the harness, not owned.
  std::shared_ptr<acpb::AccountsService::StubInterface> accounts(
      &accounts_.stub(), [](acpb::AccountsService::StubInterface*) {});
  // The identity stub, not owned (SetTarget checks users and units).
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity(
      &accounts_.identity().stub(),
      [](crm::identity::v1::IdentityService::StubInterface*) {});
  service_ = std::make_unique<orders::OrdersServiceImpl>(
      pool, redis(), accounts, identity, accounts_.identity().shared_clock());
  auto codec = auth::TokenCodec::Create(kTestTokenKey,
                                        accounts_.identity().shared_clock());
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.shutdown_grace = absl::Seconds(1);
  host_ = std::make_unique<server::ServiceHost>(
      options, std::make_shared<const auth::TokenCodec>(*codec));
  host_->AddService(service_.get());
  EXPECT_TRUE(host_->Start().ok());
  stub_ = pb::OrdersService::NewStub(client::MakeChannel(host_->address()));
}

OrdersHarness::~OrdersHarness() {
  stub_.reset();
  host_.reset();
  service_.reset();
}

std::string OrdersHarness::Path(const std::string& unit_key) {
  std::vector<std::string> chain = {unit_key};
  if (unit_key == "east" || unit_key == "north") chain = {"root", unit_key};
  if (unit_key == "e1" || unit_key == "e2") chain = {"root", "east", unit_key};
  if (unit_key == "n1") chain = {"root", "north", unit_key};
  std::string path = "/";
  for (const std::string& k : chain)
    absl::StrAppend(&path, accounts_.Unit(k), "/");
  return path;
}

int64_t OrdersHarness::Account(const std::string& token,
                               const std::string& name, bool key_account) {
  acpb::Account a = CompanyDraft(
      name, CreditCode(++accounts_made_, "91320000MA2"), /*region=*/"");
  if (key_account) a.set_type(acpb::CUSTOMER_TYPE_KA);
  return accounts_.CreateAccountOk(token, a);
}

pb::Contract OrdersHarness::Draft(int64_t account_id, int64_t amount, int parts,
                                  const std::string& start,
                                  const std::string& end) {
  pb::Contract c;
  c.set_account_id(account_id);
  c.set_title("Annual license");
  c.mutable_amount()->set_currency_code("CNY");
  c.mutable_amount()->set_amount_minor(amount);
  c.set_start_date(start);
  c.set_end_date(end);
  c.set_type(pb::CONTRACT_TYPE_NEW);
  int y = 0, m = 0, d = 0;
  sscanf(start.c_str(), "%d-%d-%d", &y, &m, &d);
  int64_t left = amount;
  for (int i = 0; i < parts; ++i) {
    absl::CivilDay due(y, m + i, d);
    pb::Installment* inst = c.add_installments();
    inst->set_due_date(
        absl::StrFormat("%04d-%02d-%02d", due.year(), due.month(), due.day()));
    const int64_t part = i + 1 == parts ? left : amount / parts;
    inst->mutable_amount()->set_amount_minor(part);
    left -= part;
  }
  return c;
}

grpc::Status OrdersHarness::Create(const std::string& token,
                                   const pb::Contract& draft, pb::Contract* out,
                                   const std::string& request_id) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::CreateContractRequest req;
  *req.mutable_contract() = draft;
  req.set_request_id(request_id);
  return stub_->CreateContract(&ctx, req, out);
}

grpc::Status OrdersHarness::Submit(const std::string& token, int64_t id,
                                   pb::Contract* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::SubmitContractRequest req;
  req.set_id(id);
  pb::Contract ignored;
  return stub_->SubmitContract(&ctx, req, out ? out : &ignored);
}

grpc::Status OrdersHarness::Approve(const std::string& token, int64_t id,
                                    int step, pb::Contract* out,
                                    const std::string& comment) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::ApproveContractRequest req;
  req.set_id(id);
  req.set_step(step);
  req.set_comment(comment);
  pb::Contract ignored;
  return stub_->ApproveContract(&ctx, req, out ? out : &ignored);
}

grpc::Status OrdersHarness::Reject(const std::string& token, int64_t id,
                                   int step, const std::string& comment,
                                   pb::Contract* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::RejectContractRequest req;
  req.set_id(id);
  req.set_step(step);
  req.set_comment(comment);
  pb::Contract ignored;
  return stub_->RejectContract(&ctx, req, out ? out : &ignored);
}

grpc::Status OrdersHarness::Sign(const std::string& token, int64_t id,
                                 pb::Contract* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::SignContractRequest req;
  req.set_id(id);
  pb::Contract ignored;
  return stub_->SignContract(&ctx, req, out ? out : &ignored);
}

grpc::Status OrdersHarness::Get(const std::string& token, int64_t id,
                                pb::Contract* out) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::GetContractRequest req;
  req.set_id(id);
  return stub_->GetContract(&ctx, req, out);
}

grpc::Status OrdersHarness::Pay(const std::string& token, int64_t contract_id,
                                int64_t amount, const std::string& date,
                                const std::string& reference, pb::Payment* out,
                                const std::string& reason,
                                int installment_number) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, token);
  pb::RecordPaymentRequest req;
  req.set_contract_id(contract_id);
  req.mutable_amount()->set_currency_code("CNY");
  req.mutable_amount()->set_amount_minor(amount);
  req.set_received_date(date);
  req.set_method("bank_transfer");
  req.set_reference(reference);
  req.set_reason(reason);
  req.set_installment_number(installment_number);
  pb::Payment ignored;
  return stub_->RecordPayment(&ctx, req, out ? out : &ignored);
}

pb::Contract OrdersHarness::SignedContract(const std::string& owner_token,
                                           const pb::Contract& draft) {
  pb::Contract c;
  grpc::Status s = Create(owner_token, draft, &c);
  EXPECT_TRUE(s.ok()) << s.error_message();
  s = Submit(owner_token, c.id(), &c);
  EXPECT_TRUE(s.ok()) << s.error_message();
  const std::string approver[] = {
      User("mgr.root", "root", "sales_manager").token,
      User("boss.root", "root", "boss").token, Finance()};
  for (int step = 0; step < c.approval_steps_size(); ++step) {
    const std::string& role = c.approval_steps(step);
    const std::string& token = role == "sales_manager" ? approver[0]
                               : role == "boss"        ? approver[1]
                                                       : approver[2];
    s = Approve(token, c.id(), step, &c);
    EXPECT_TRUE(s.ok()) << role << ": " << s.error_message();
  }
  s = Sign(owner_token, c.id(), &c);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return c;
}

int64_t OrdersHarness::QueryInt(const std::string& sql,
                                const std::string& column) {
  auto conn = schema_.Pool()->Borrow();
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return -1;
  auto row = (*conn)->QueryOne(sql, {}, "row");
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? row->Int(column) : -1;
}

}  // namespace crm::testing
