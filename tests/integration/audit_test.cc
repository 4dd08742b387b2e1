// The audit log (issue 10) against the real services: completeness for a
// lead -> account -> opportunity -> contract story, pool moves, masking,
// append-only at the database, and ListAudit's scope across roles and its
// bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_service.h"
#include "common/auth/token.h"
#include "common/client/client.h"
#include "common/server/server.h"
#include "crm/audit/v1/audit.grpc.pb.h"
#include "tests/testing/leads_harness.h"
#include "tests/testing/orders_harness.h"

namespace crm {
namespace {

namespace apb = crm::audit::v1;
namespace acc = crm::accounts::v1;
using testing::AccountsHarness;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// crm.audit.v1.AuditService over one service's schema, as main.cc serves it.
class AuditEndpoint {
 public:
  AuditEndpoint(std::shared_ptr<db::ConnectionPool> pool,
                testing::IdentityHarness& identity)
      : service_(std::move(pool)) {
    auto codec = auth::TokenCodec::Create(testing::kTestTokenKey,
                                          identity.shared_clock());
    server::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.shutdown_grace = absl::Seconds(1);
    host_ = std::make_unique<server::ServiceHost>(
        o, std::make_shared<const auth::TokenCodec>(*codec));
    host_->AddService(&service_);
    EXPECT_TRUE(host_->Start().ok());
    stub_ = apb::AuditService::NewStub(client::MakeChannel(host_->address()));
  }
  ~AuditEndpoint() { host_->Shutdown(); }

  grpc::Status List(const std::string& token, const apb::ListAuditRequest& req,
                    apb::ListAuditResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    return stub_->ListAudit(&ctx, req, out);
  }
  // Every entry of the entity visible to `token`, oldest first.
  std::vector<apb::AuditEntry> Entity(const std::string& token,
                                      const std::string& type, int64_t id) {
    apb::ListAuditRequest req;
    req.set_entity_type(type);
    req.set_entity_id(absl::StrCat(id));
    return All(token, req);
  }
  std::vector<apb::AuditEntry> All(const std::string& token,
                                   apb::ListAuditRequest req) {
    std::vector<apb::AuditEntry> out;
    req.set_page_size(2);  // several pages: the keyset paging is exercised
    while (true) {
      apb::ListAuditResponse resp;
      grpc::Status s = List(token, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& e : resp.entries()) out.push_back(e);
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    std::reverse(out.begin(), out.end());
    return out;
  }
  static std::vector<std::string> Actions(
      const std::vector<apb::AuditEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.action());
    return out;
  }

 private:
  audit::AuditServiceImpl service_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<apb::AuditService::Stub> stub_;
};

const apb::FieldChange* FindChange(const apb::AuditEntry& e,
                                   const std::string& field) {
  for (const auto& c : e.changes())
    if (c.field() == field) return &c;
  return nullptr;
}

TEST(AuditStory, LeadToAccountToOpportunityToContractIsComplete) {
  testing::LeadsHarness h;
  testing::OrdersHarness orders(h.accounts(), /*with_redis=*/false);
  auto rep = h.User("rep_e1", "e1", "sales_rep");
  const std::string admin = h.Admin();

  // 1. The rep captures a lead and keeps it.
  crm::leads::v1::Lead draft =
      testing::CompanyLead("审计故事公司", "13512349901");
  draft.set_credit_code(testing::CreditCode(901));
  const crm::leads::v1::Lead lead = h.CreateOk(rep.token, draft, true);

  // 2. Converts it: an account and an opportunity.
  crm::leads::v1::ConvertLeadResponse conv;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    crm::leads::v1::ConvertLeadRequest req;
    req.set_lead_id(lead.id());
    req.set_create_opportunity(true);
    req.mutable_opportunity_amount()->set_currency_code("CNY");
    req.mutable_opportunity_amount()->set_amount_minor(5'000'000);
    grpc::Status s = h.stub().ConvertLead(&ctx, req, &conv);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_GT(conv.account_id(), 0);
  ASSERT_GT(conv.opportunity_id(), 0);

  // 3. Wins the opportunity against a contract reference.
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    crm::opportunities::v1::MarkWonRequest req;
    req.set_opportunity_id(conv.opportunity_id());
    req.set_contract_ref("HT-AUDIT-1");
    crm::opportunities::v1::Opportunity won;
    grpc::Status s = h.opportunities().MarkWon(&ctx, req, &won);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // 4. The contract: created, approved, signed, paid.
  const crm::orders::v1::Contract contract = orders.SignedContract(
      rep.token,
      testing::OrdersHarness::Draft(conv.account_id(), 5'000'000, 1));
  ASSERT_TRUE(orders
                  .Pay(orders.Finance(), contract.id(), 1'000'000, "2026-02-01",
                       "AUDIT-PAY-1")
                  .ok());

  // Leads: create and convert, by the rep.
  AuditEndpoint leads_audit(h.schema().Pool(), h.accounts().identity());
  auto lead_log = leads_audit.Entity(admin, "lead", lead.id());
  EXPECT_THAT(AuditEndpoint::Actions(lead_log),
              ElementsAre("create", "convert"));
  for (const auto& e : lead_log) EXPECT_EQ(e.actor_id(), rep.user_id);
  const apb::FieldChange* status = FindChange(lead_log.back(), "status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->new_value(), "LEAD_STATUS_CONVERTED");
  const apb::FieldChange* account_link =
      FindChange(lead_log.back(), "account_id");
  ASSERT_NE(account_link, nullptr);
  EXPECT_EQ(account_link->new_value(), absl::StrCat(conv.account_id()));

  // Accounts: created on the rep's behalf, owned by the rep.
  AuditEndpoint accounts_audit(h.accounts().schema().Pool(),
                               h.accounts().identity());
  auto account_log = accounts_audit.Entity(admin, "account", conv.account_id());
  ASSERT_FALSE(account_log.empty());
  EXPECT_EQ(account_log.front().action(), "create");
  EXPECT_EQ(account_log.front().owner_id(), rep.user_id);
  const apb::FieldChange* name = FindChange(account_log.front(), "name");
  ASSERT_NE(name, nullptr);
  EXPECT_FALSE(name->has_old());
  EXPECT_EQ(name->new_value(), "审计故事公司");

  // Opportunities: create, then won (with the contract reference).
  EXPECT_EQ(h.OpportunitiesInt(
                "SELECT COUNT(*) AS n FROM audit_log WHERE entity_type ="
                " 'opportunity' AND entity_id = ? AND action = 'create' AND"
                " actor_id = ?",
                "n", {absl::StrCat(conv.opportunity_id()), rep.user_id}),
            1);
  EXPECT_EQ(h.OpportunitiesInt(
                "SELECT COUNT(*) AS n FROM audit_log WHERE entity_type ="
                " 'opportunity' AND entity_id = ? AND action = 'won' AND"
                " changes LIKE '%HT-AUDIT-1%'",
                "n", {absl::StrCat(conv.opportunity_id())}),
            1);

  // Orders: every step of the contract, each by its actor.
  AuditEndpoint orders_audit(orders.schema().Pool(), h.accounts().identity());
  auto contract_log = orders_audit.Entity(admin, "contract", contract.id());
  std::vector<std::string> actions = AuditEndpoint::Actions(contract_log);
  ASSERT_GE(actions.size(), 5u);
  EXPECT_EQ(actions.front(), "create");
  EXPECT_EQ(actions[1], "submit");
  EXPECT_EQ(actions[actions.size() - 2], "sign");
  EXPECT_EQ(actions.back(), "payment");
  for (size_t i = 2; i + 2 < actions.size(); ++i)
    EXPECT_EQ(actions[i], "approve") << i;
  EXPECT_EQ(contract_log.front().actor_id(), rep.user_id);
  EXPECT_NE(contract_log[2].actor_id(), rep.user_id);  // an approver
  const apb::FieldChange* signed_status =
      FindChange(contract_log[actions.size() - 2], "status");
  ASSERT_NE(signed_status, nullptr);
  EXPECT_EQ(signed_status->new_value(), "CONTRACT_STATUS_SIGNED");
  EXPECT_EQ(contract_log.back().request_id(), "AUDIT-PAY-1");
  EXPECT_THAT(contract_log.back().note(), HasSubstr("payment "));
}

class AuditAccountsTest : public ::testing::Test {
 protected:
  AuditAccountsTest()
      : audit_(h_.schema().Pool(), h_.identity()),
        admin_(h_.Admin()),
        rep_(h_.User("rep_e1", "e1", "sales_rep")),
        rep2_(h_.User("rep_e2", "e2", "sales_rep")),
        north_rep_(h_.User("rep_n1", "n1", "sales_rep")),
        east_mgr_(h_.User("mgr_east", "east", "sales_manager")),
        north_mgr_(h_.User("mgr_north", "north", "sales_manager")) {}

  grpc::Status Assign(const std::string& token, int64_t id, int64_t owner) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    acc::AssignAccountRequest req;
    req.set_account_id(id);
    req.set_owner_id(owner);
    req.set_reason("团队调整");
    acc::Account out;
    return h_.stub().AssignAccount(&ctx, req, &out);
  }

  AccountsHarness h_;
  AuditEndpoint audit_;
  std::string admin_;
  AccountsHarness::Login rep_, rep2_, north_rep_, east_mgr_, north_mgr_;
};

TEST_F(AuditAccountsTest, CreateCarriesActorRequestIdAndTime) {
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  acc::CreateAccountRequest req;
  *req.mutable_account() =
      testing::CompanyDraft("请求号公司", testing::CreditCode(11));
  req.set_request_id("req-audit-11");
  req.set_ignore_similar(true);
  acc::CreateAccountResponse resp;
  ASSERT_TRUE(h_.stub().CreateAccount(&ctx, req, &resp).ok());
  // A retry with the same request id writes no second entry.
  grpc::ClientContext again;
  client::Prepare(&again, rep_.token);
  acc::CreateAccountResponse resp2;
  ASSERT_TRUE(h_.stub().CreateAccount(&again, req, &resp2).ok());
  auto log = audit_.Entity(admin_, "account", resp.account().id());
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action(), "create");
  EXPECT_EQ(log[0].actor_id(), rep_.user_id);
  EXPECT_EQ(log[0].request_id(), "req-audit-11");
  EXPECT_EQ(log[0].at().seconds(), absl::ToUnixSeconds(h_.clock().Now()));
  EXPECT_EQ(log[0].owner_org_path(), resp.account().owner_org_path());
}

TEST_F(AuditAccountsTest, UpdateRecordsOnlyTheChangedFieldsOldToNew) {
  const int64_t id = h_.CreateAccountOk(
      rep_.token, testing::CompanyDraft("旧名称", testing::CreditCode(12)));
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  acc::UpdateAccountRequest req;
  req.mutable_account()->set_id(id);
  req.mutable_account()->set_name("新名称");
  req.mutable_update_mask()->add_paths("name");
  acc::Account out;
  grpc::Status s = h_.stub().UpdateAccount(&ctx, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto log = audit_.Entity(admin_, "account", id);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].action(), "update");
  ASSERT_EQ(log[1].changes_size(), 1) << log[1].DebugString();
  EXPECT_EQ(log[1].changes(0).field(), "name");
  EXPECT_EQ(log[1].changes(0).old_value(), "旧名称");
  EXPECT_EQ(log[1].changes(0).new_value(), "新名称");
}

TEST_F(AuditAccountsTest, PersonPhoneIsStoredMasked) {
  acc::Account person;
  person.set_kind(acc::ACCOUNT_KIND_PERSON);
  person.set_name("张三");
  person.set_phone("139-2468-1357");
  person.set_region_code("east");
  person.set_type(acc::CUSTOMER_TYPE_SMB);
  const int64_t id = h_.CreateAccountOk(rep_.token, person);
  auto log = audit_.Entity(admin_, "account", id);
  ASSERT_EQ(log.size(), 1u);
  const apb::FieldChange* phone = FindChange(log[0], "phone");
  ASSERT_NE(phone, nullptr);
  EXPECT_EQ(phone->new_value(), "+86139****1357");
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM audit_log WHERE changes"
                        " LIKE '%13924681357%'",
                        "n"),
            0);
}

TEST_F(AuditAccountsTest, ContactCreateUpdateDeleteWithMaskedPhones) {
  const int64_t account = h_.CreateAccountOk(
      rep_.token, testing::CompanyDraft("联系人公司", testing::CreditCode(19)));
  acc::Contact added;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    acc::AddContactRequest req;
    req.mutable_contact()->set_account_id(account);
    req.mutable_contact()->set_name("李四");
    req.mutable_contact()->set_phone("139-2468-1357");
    grpc::Status s = h_.stub().AddContact(&ctx, req, &added);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    acc::UpdateContactRequest req;
    req.mutable_contact()->set_id(added.id());
    req.mutable_contact()->set_title("采购经理");
    req.mutable_update_mask()->add_paths("title");
    acc::Contact out;
    grpc::Status s = h_.stub().UpdateContact(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  acc::Contact second;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    acc::AddContactRequest req;
    req.mutable_contact()->set_account_id(account);
    req.mutable_contact()->set_name("王五");
    req.mutable_contact()->set_email("wangwu@example.cn");
    ASSERT_TRUE(h_.stub().AddContact(&ctx, req, &second).ok());
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    acc::DeleteContactRequest req;
    req.set_id(second.id());
    acc::DeleteContactResponse out;
    grpc::Status s = h_.stub().DeleteContact(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto log = audit_.Entity(admin_, "contact", added.id());
  EXPECT_THAT(AuditEndpoint::Actions(log), ElementsAre("create", "update"));
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(FindChange(log[0], "phone")->new_value(), "+86139****1357");
  EXPECT_EQ(log[0].owner_id(), rep_.user_id);
  ASSERT_EQ(log[1].changes_size(), 1);
  EXPECT_EQ(log[1].changes(0).field(), "title");
  EXPECT_EQ(log[1].changes(0).new_value(), "采购经理");
  auto gone = audit_.Entity(admin_, "contact", second.id());
  EXPECT_THAT(AuditEndpoint::Actions(gone), ElementsAre("create", "delete"));
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(FindChange(gone[1], "name")->old_value(), "王五");
  EXPECT_FALSE(FindChange(gone[1], "name")->has_new());
  EXPECT_EQ(gone[1].actor_id(), rep_.user_id);
}

TEST_F(AuditAccountsTest, PoolMovesAreAudited) {
  const int64_t id = h_.CreateAccountOk(
      rep_.token, testing::CompanyDraft("公海客户", testing::CreditCode(13)));
  ASSERT_TRUE(h_.Release(rep_.token, id, "客户无意向").ok());
  ASSERT_TRUE(h_.Claim(rep2_.token, id).ok());
  ASSERT_TRUE(Assign(admin_, id, rep_.user_id).ok());
  auto log = audit_.Entity(admin_, "account", id);
  EXPECT_THAT(AuditEndpoint::Actions(log),
              ElementsAre("create", "release", "claim", "assign"));
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[1].note(), "客户无意向");
  const apb::FieldChange* owner = FindChange(log[1], "owner_id");
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->old_value(), absl::StrCat(rep_.user_id));
  EXPECT_FALSE(owner->has_new());
  EXPECT_EQ(log[2].actor_id(), rep2_.user_id);
  EXPECT_EQ(FindChange(log[2], "owner_id")->new_value(),
            absl::StrCat(rep2_.user_id));
  EXPECT_EQ(FindChange(log[3], "owner_id")->new_value(),
            absl::StrCat(rep_.user_id));
}

TEST_F(AuditAccountsTest, TransferAuditsEveryMovedAccount) {
  const int64_t a = h_.CreateAccountOk(
      rep_.token, testing::CompanyDraft("转移一", testing::CreditCode(14)));
  const int64_t b = h_.CreateAccountOk(
      rep_.token, testing::CompanyDraft("转移二", testing::CreditCode(15)));
  grpc::ClientContext ctx;
  client::Prepare(&ctx, admin_);
  acc::TransferAccountsRequest req;
  req.set_from_owner_id(rep_.user_id);
  req.set_to_owner_id(rep2_.user_id);
  req.set_reason("离职交接");
  acc::TransferAccountsResponse resp;
  grpc::Status s = h_.stub().TransferAccounts(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  for (int64_t id : {a, b}) {
    auto log = audit_.Entity(admin_, "account", id);
    EXPECT_THAT(AuditEndpoint::Actions(log), ElementsAre("create", "transfer"));
    EXPECT_EQ(log.back().note(), "离职交接");
  }
}

TEST_F(AuditAccountsTest, AppendOnlyAtTheDatabase) {
  h_.CreateAccountOk(rep_.token,
                     testing::CompanyDraft("只追加", testing::CreditCode(16)));
  auto conn = h_.schema().Pool()->Borrow();
  ASSERT_TRUE(conn.ok());
  absl::StatusOr<int64_t> upd =
      (*conn)->Exec("UPDATE audit_log SET action = 'x'");
  EXPECT_FALSE(upd.ok());
  absl::StatusOr<int64_t> del = (*conn)->Exec("DELETE FROM audit_log");
  EXPECT_FALSE(del.ok());
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM audit_log WHERE action ="
                        " 'create'",
                        "n"),
            1);
}

TEST_F(AuditAccountsTest, ScopeAcrossRoles) {
  const int64_t east = h_.CreateAccountOk(
      rep_.token, testing::CompanyDraft("东区客户", testing::CreditCode(17)));
  const int64_t north = h_.CreateAccountOk(
      north_rep_.token,
      testing::CompanyDraft("北区客户", testing::CreditCode(18), "north"));
  // Admin: everything.
  EXPECT_EQ(audit_.Entity(admin_, "account", east).size(), 1u);
  EXPECT_EQ(audit_.Entity(admin_, "account", north).size(), 1u);
  // East manager: the east subtree only; a north record reads as empty.
  EXPECT_EQ(audit_.Entity(east_mgr_.token, "account", east).size(), 1u);
  EXPECT_TRUE(audit_.Entity(east_mgr_.token, "account", north).empty());
  EXPECT_EQ(audit_.Entity(north_mgr_.token, "account", north).size(), 1u);
  EXPECT_TRUE(audit_.Entity(north_mgr_.token, "account", east).empty());
  // By actor: the east manager sees the east rep's work, not the north's.
  apb::ListAuditRequest by_actor;
  by_actor.set_actor_id(rep_.user_id);
  EXPECT_EQ(audit_.All(east_mgr_.token, by_actor).size(), 1u);
  by_actor.set_actor_id(north_rep_.user_id);
  EXPECT_TRUE(audit_.All(east_mgr_.token, by_actor).empty());
  EXPECT_EQ(audit_.All(admin_, by_actor).size(), 1u);
  // A rep may not read the log at all, not even of their own record.
  apb::ListAuditRequest req;
  req.set_entity_type("account");
  req.set_entity_id(absl::StrCat(east));
  apb::ListAuditResponse resp;
  EXPECT_EQ(audit_.List(rep_.token, req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(audit_.List("", req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuditAccountsTest, BadInputNamesTheField) {
  auto expect_invalid = [&](const apb::ListAuditRequest& req,
                            const std::string& field) {
    apb::ListAuditResponse resp;
    grpc::Status s = audit_.List(admin_, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(s.error_message(), HasSubstr(field));
  };
  apb::ListAuditRequest none;
  expect_invalid(none, "entity_type");
  apb::ListAuditRequest both;
  both.set_entity_type("account");
  both.set_entity_id("1");
  both.set_actor_id(3);
  expect_invalid(both, "actor_id");
  apb::ListAuditRequest no_id;
  no_id.set_entity_type("account");
  expect_invalid(no_id, "entity_id");
  apb::ListAuditRequest no_type;
  no_type.set_entity_id("1");
  expect_invalid(no_type, "entity_type");
  apb::ListAuditRequest negative;
  negative.set_actor_id(-1);
  expect_invalid(negative, "actor_id");
  apb::ListAuditRequest long_type;
  long_type.set_entity_type(std::string(33, 'a'));
  long_type.set_entity_id("1");
  expect_invalid(long_type, "entity_type");
  apb::ListAuditRequest bad_size;
  bad_size.set_actor_id(1);
  bad_size.set_page_size(-1);
  expect_invalid(bad_size, "page_size");
  apb::ListAuditRequest bad_token;
  bad_token.set_actor_id(1);
  bad_token.set_page_token("garbage");
  expect_invalid(bad_token, "page_token");
}

}  // namespace
}  // namespace crm
