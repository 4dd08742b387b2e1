// ConvertLead, the saga over accounts: the happy path, linking existing
// customers, every precondition, and failures injected between steps (and
// a "crash" that loses the saga's progress) -> exactly one account after
// the retry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/leads_harness.h"

namespace crm {
namespace {

namespace pb = crm::leads::v1;
using testing::CompanyLead;
using ::testing::HasSubstr;
using testing::LeadsHarness;

struct Injection {
  LeadsHarness* harness = nullptr;
  std::string stop_after;  // step after which accounts goes down, once
};

class LeadsConvertTest : public ::testing::Test {
 protected:
  LeadsConvertTest() {
    leads::LeadsConfig config;
    config.after_convert_step = [inj = inj_](const std::string& step) {
      if (step == inj->stop_after) {
        inj->stop_after.clear();
        inj->harness->StopAccounts();
      }
    };
    h_ = std::make_unique<LeadsHarness>(config);
    inj_->harness = h_.get();
    admin = h_->Admin();
    rep = h_->User("rep_e1", "e1", "sales_rep");
    rep2 = h_->User("rep_e2", "e2", "sales_rep");
  }

  grpc::Status Convert(const std::string& token, int64_t id,
                       pb::ConvertLeadResponse* out, int64_t account = 0,
                       bool opportunity = false) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ConvertLeadRequest req;
    req.set_lead_id(id);
    req.set_account_id(account);
    req.set_create_opportunity(opportunity);
    return h_->stub().ConvertLead(&ctx, req, out);
  }

  // Retries while the restarted accounts endpoint is still reconnecting.
  grpc::Status ConvertUntilReachable(int64_t id, pb::ConvertLeadResponse* out) {
    grpc::Status s;
    for (int i = 0; i < 100; ++i) {
      *out = {};
      s = Convert(rep.token, id, out);
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return s;
  }

  int64_t AccountsWith(const std::string& credit_code) {
    return h_->accounts().QueryInt(
        "SELECT COUNT(*) AS n FROM accounts WHERE credit_code = ?", "n",
        {credit_code});
  }

  pb::Lead KeptCompany(int n) {
    pb::Lead l = CompanyLead(absl::StrCat("转化公司", n),
                             absl::StrCat("1351234", 1000 + n));
    l.set_credit_code(testing::CreditCode(500 + n));
    l.set_email(absl::StrCat("c", n, "@zh.cn"));
    return h_->CreateOk(rep.token, l, /*keep=*/true);
  }

  std::shared_ptr<Injection> inj_ = std::make_shared<Injection>();
  std::unique_ptr<LeadsHarness> h_;
  std::string admin;
  testing::AccountsHarness::Login rep, rep2;
};

TEST_F(LeadsConvertTest, CreatesAccountAndContactThenMarksConverted) {
  const pb::Lead l = KeptCompany(1);
  pb::ConvertLeadResponse out;
  ASSERT_TRUE(Convert(rep.token, l.id(), &out).ok());
  EXPECT_TRUE(out.account_created());
  EXPECT_GT(out.account_id(), 0);
  EXPECT_GT(out.contact_id(), 0);
  EXPECT_EQ(out.lead().status(), pb::LEAD_STATUS_CONVERTED);
  EXPECT_EQ(out.lead().account_id(), out.account_id());
  const crm::accounts::v1::Account a =
      h_->accounts().GetAccountOk(out.account_id());
  EXPECT_EQ(a.owner_id(), rep.user_id);
  EXPECT_EQ(a.credit_code(), l.credit_code());
  EXPECT_EQ(h_->QueryInt("SELECT COUNT(*) AS n FROM outbox WHERE "
                         "event_type = 'LeadConverted'",
                         "n"),
            1);
  // A repeated call answers the same, creating nothing.
  pb::ConvertLeadResponse again;
  ASSERT_TRUE(Convert(rep.token, l.id(), &again).ok());
  EXPECT_EQ(again.account_id(), out.account_id());
  EXPECT_EQ(again.contact_id(), out.contact_id());
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);
  EXPECT_EQ(h_->accounts().QueryInt(
                "SELECT COUNT(*) AS n FROM contacts WHERE account_id = ?", "n",
                {out.account_id()}),
            1);
  // Its keys are released: the same phone makes a new lead now.
  pb::Lead reborn =
      h_->CreateOk(rep.token, CompanyLead("别名公司", "13512341001"), true);
  EXPECT_NE(reborn.id(), l.id());
}

TEST_F(LeadsConvertTest, FailureBetweenStepsThenRetryMakesOneAccount) {
  const pb::Lead l = KeptCompany(2);
  inj_->stop_after = "account";
  pb::ConvertLeadResponse out;
  grpc::Status s = Convert(rep.token, l.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("stays convertible"));
  pb::Lead still;
  ASSERT_TRUE(h_->Get(rep.token, l.id(), &still).ok());
  EXPECT_EQ(still.status(), pb::LEAD_STATUS_ASSIGNED);
  EXPECT_EQ(h_->QueryInt("SELECT step AS n FROM lead_conversions", "n"), 1);
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);

  h_->StartAccounts();
  ASSERT_TRUE(ConvertUntilReachable(l.id(), &out).ok());
  EXPECT_EQ(out.lead().status(), pb::LEAD_STATUS_CONVERTED);
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);
  EXPECT_GT(out.contact_id(), 0);
}

TEST_F(LeadsConvertTest, LostProgressStillMakesOneAccount) {
  // The account was created but the saga's record of it was lost (a crash
  // between CreateAccount and saving the step): the derived request_id
  // makes the retry return the same account.
  const pb::Lead l = KeptCompany(3);
  inj_->stop_after = "account";
  pb::ConvertLeadResponse out;
  ASSERT_EQ(Convert(rep.token, l.id(), &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  auto conn = h_->schema().Pool()->Borrow();
  ASSERT_TRUE((*conn)
                  ->Exec("UPDATE lead_conversions SET step = 0, account_id = 0")
                  .ok());
  h_->StartAccounts();
  ASSERT_TRUE(ConvertUntilReachable(l.id(), &out).ok());
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);
  EXPECT_TRUE(out.account_created());
}

TEST_F(LeadsConvertTest, AccountsDownBeforeTheFirstStep) {
  const pb::Lead l = KeptCompany(4);
  h_->StopAccounts();
  pb::ConvertLeadResponse out;
  EXPECT_EQ(Convert(rep.token, l.id(), &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  h_->StartAccounts();
  ASSERT_TRUE(ConvertUntilReachable(l.id(), &out).ok());
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);
}

TEST_F(LeadsConvertTest, ExistingCustomerLinksTheAccount) {
  const std::string code = testing::CreditCode(777);
  const int64_t account = h_->accounts().CreateAccountOk(
      rep.token, testing::CompanyDraft("老客户机械有限公司", code));
  pb::Lead in = CompanyLead("老客户机械", "13512349000");
  in.set_credit_code(code);
  const pb::Lead l = h_->CreateOk(admin, in);
  ASSERT_TRUE(l.existing_customer());
  ASSERT_EQ(l.owner_id(), rep.user_id);
  pb::ConvertLeadResponse out;
  ASSERT_TRUE(Convert(rep.token, l.id(), &out).ok());
  EXPECT_FALSE(out.account_created());
  EXPECT_EQ(out.account_id(), account);
  EXPECT_EQ(AccountsWith(code), 1);
}

TEST_F(LeadsConvertTest, Preconditions) {
  pb::ConvertLeadResponse out;
  const pb::Lead l = KeptCompany(5);
  grpc::Status s = Convert(rep.token, l.id(), &out, 0, /*opportunity=*/true);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(Convert(rep2.token, l.id(), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Convert(rep.token, l.id(), &out, -1).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Convert(rep.token, l.id(), &out, 99999).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  const pb::Lead pooled =
      h_->CreateOk(h_->User("mgr", "east", "sales_manager").token,
                   CompanyLead("池中公司", "13512349001"));
  EXPECT_EQ(Convert(admin, pooled.id(), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  const pb::Lead no_code =
      h_->CreateOk(rep.token, CompanyLead("无代码公司", "13512349002"), true);
  s = Convert(rep.token, no_code.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("credit_code"));

  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep.token);
  pb::ChangeLeadStatusRequest inv;
  inv.set_lead_id(no_code.id());
  inv.set_status(pb::LEAD_STATUS_INVALID);
  inv.set_reason("重复");
  pb::Lead ignored;
  ASSERT_TRUE(h_->stub().ChangeLeadStatus(&ctx, inv, &ignored).ok());
  EXPECT_EQ(Convert(rep.token, no_code.id(), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(LeadsConvertTest, PersonLeadBecomesAPersonAccount) {
  pb::Lead p;
  p.set_kind(pb::LEAD_KIND_PERSON);
  p.set_contact_name("李四");
  p.set_phone("13512349003");
  p.set_region_code("east");
  const pb::Lead l = h_->CreateOk(rep.token, p, true);
  pb::ConvertLeadResponse out;
  ASSERT_TRUE(Convert(rep.token, l.id(), &out).ok());
  const auto a = h_->accounts().GetAccountOk(out.account_id());
  EXPECT_EQ(a.kind(), crm::accounts::v1::ACCOUNT_KIND_PERSON);
  EXPECT_EQ(a.phone(), "+8613512349003");
}

}  // namespace
}  // namespace crm
