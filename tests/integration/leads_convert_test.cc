// ConvertLead, the saga over accounts and opportunities: the happy path,
// linking existing customers, every precondition, and failures injected
// between steps (and a "crash" that loses the saga's progress) -> exactly
// one account and one opportunity after the retry.
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
  // Step after which opportunities goes down, once.
  std::string stop_opportunities_after;
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
      if (step == inj->stop_opportunities_after) {
        inj->stop_opportunities_after.clear();
        inj->harness->StopOpportunities();
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
  grpc::Status ConvertUntilReachable(int64_t id, pb::ConvertLeadResponse* out,
                                     bool opportunity = false) {
    grpc::Status s;
    for (int i = 0; i < 100; ++i) {
      *out = {};
      s = Convert(rep.token, id, out, 0, opportunity);
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

  // ConvertLead with create_opportunity and the optional fields.
  grpc::Status ConvertWithOpportunity(const std::string& token, int64_t id,
                                      pb::ConvertLeadResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ConvertLeadRequest req;
    req.set_lead_id(id);
    req.set_create_opportunity(true);
    req.mutable_opportunity_amount()->set_currency_code("CNY");
    req.mutable_opportunity_amount()->set_amount_minor(8'000'000);
    req.set_expected_close_date("2031-06-30");
    return h_->stub().ConvertLead(&ctx, req, out);
  }

  int64_t OpportunitiesOf(int64_t lead_id) {
    return h_->OpportunitiesInt(
        "SELECT COUNT(*) AS n FROM opportunities WHERE source_lead_id = ?", "n",
        {lead_id});
  }

  grpc::Status GetOpportunity(const std::string& token, int64_t id,
                              crm::opportunities::v1::Opportunity* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    crm::opportunities::v1::GetOpportunityRequest req;
    req.set_id(id);
    return h_->opportunities().GetOpportunity(&ctx, req, out);
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
  {
    // Opportunity fields without create_opportunity.
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    pb::ConvertLeadRequest req;
    req.set_lead_id(l.id());
    req.set_opportunity_name("x");
    grpc::Status bad = h_->stub().ConvertLead(&ctx, req, &out);
    EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(bad.error_message(), HasSubstr("opportunity_name"));
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    pb::ConvertLeadRequest req;
    req.set_lead_id(l.id());
    req.set_deal_kind(crm::opportunities::v1::DEAL_KIND_CUSTOM);
    EXPECT_EQ(h_->stub().ConvertLead(&ctx, req, &out).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  grpc::Status s;
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

TEST_F(LeadsConvertTest, CreatesAnOpportunityAtTheFirstStage) {
  const pb::Lead l = KeptCompany(11);
  pb::ConvertLeadResponse out;
  grpc::Status s = ConvertWithOpportunity(rep.token, l.id(), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GT(out.opportunity_id(), 0);
  EXPECT_EQ(out.lead().opportunity_id(), out.opportunity_id());
  EXPECT_EQ(out.lead().status(), pb::LEAD_STATUS_CONVERTED);

  crm::opportunities::v1::Opportunity o;
  ASSERT_TRUE(GetOpportunity(rep.token, out.opportunity_id(), &o).ok());
  EXPECT_EQ(o.owner_id(), rep.user_id);
  EXPECT_EQ(o.account_id(), out.account_id());
  EXPECT_EQ(o.source_lead_id(), l.id());
  EXPECT_EQ(o.name(), "转化公司11 - 商机");
  EXPECT_EQ(o.stage(), "qualify");  // first stage of SMB standard
  EXPECT_EQ(o.pipeline_id(), 1);
  EXPECT_EQ(o.amount().amount_minor(), 8'000'000);
  EXPECT_EQ(o.expected_close_date(), "2031-06-30");
  // Another rep does not see it.
  EXPECT_EQ(GetOpportunity(rep2.token, out.opportunity_id(), &o).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The event carries it; the saga recorded the step.
  EXPECT_EQ(
      h_->QueryInt(
          "SELECT CAST(JSON_VALUE(payload, '$.opportunity_id') AS SIGNED) "
          "AS n FROM outbox WHERE event_type = 'LeadConverted'",
          "n"),
      out.opportunity_id());
  EXPECT_EQ(
      h_->QueryInt("SELECT opportunity_id AS n FROM lead_conversions", "n"),
      out.opportunity_id());

  // Repeated: the same ids, nothing new (with or without the flag).
  pb::ConvertLeadResponse again;
  ASSERT_TRUE(ConvertWithOpportunity(rep.token, l.id(), &again).ok());
  EXPECT_EQ(again.opportunity_id(), out.opportunity_id());
  EXPECT_EQ(again.account_id(), out.account_id());
  EXPECT_EQ(again.contact_id(), out.contact_id());
  ASSERT_TRUE(Convert(rep.token, l.id(), &again).ok());
  EXPECT_EQ(again.opportunity_id(), out.opportunity_id());
  EXPECT_EQ(OpportunitiesOf(l.id()), 1);
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);
}

TEST_F(LeadsConvertTest, NamedCustomDealOpportunity) {
  const pb::Lead l = KeptCompany(12);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep.token);
  pb::ConvertLeadRequest req;
  req.set_lead_id(l.id());
  req.set_create_opportunity(true);
  req.set_opportunity_name("定制项目");
  req.set_deal_kind(crm::opportunities::v1::DEAL_KIND_CUSTOM);
  pb::ConvertLeadResponse out;
  grpc::Status s = h_->stub().ConvertLead(&ctx, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  crm::opportunities::v1::Opportunity o;
  ASSERT_TRUE(GetOpportunity(rep.token, out.opportunity_id(), &o).ok());
  EXPECT_EQ(o.name(), "定制项目");
  EXPECT_EQ(o.pipeline_id(), 2);  // SMB custom
  EXPECT_EQ(o.stage(), "qualify");
}

TEST_F(LeadsConvertTest, OpportunitiesDownThenRetryMakesOneOpportunity) {
  const pb::Lead l = KeptCompany(13);
  inj_->stop_opportunities_after = "contact";
  pb::ConvertLeadResponse out;
  grpc::Status s = ConvertWithOpportunity(rep.token, l.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("opportunities unavailable"));
  pb::Lead still;
  ASSERT_TRUE(h_->Get(rep.token, l.id(), &still).ok());
  EXPECT_EQ(still.status(), pb::LEAD_STATUS_ASSIGNED);
  EXPECT_EQ(still.opportunity_id(), 0);
  EXPECT_EQ(h_->QueryInt("SELECT step AS n FROM lead_conversions", "n"), 2);
  EXPECT_EQ(OpportunitiesOf(l.id()), 0);

  h_->StartOpportunities();
  ASSERT_TRUE(ConvertUntilReachable(l.id(), &out, /*opportunity=*/true).ok());
  EXPECT_EQ(out.lead().status(), pb::LEAD_STATUS_CONVERTED);
  EXPECT_GT(out.opportunity_id(), 0);
  EXPECT_EQ(OpportunitiesOf(l.id()), 1);
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);
  EXPECT_EQ(h_->accounts().QueryInt(
                "SELECT COUNT(*) AS n FROM contacts WHERE account_id = ?", "n",
                {out.account_id()}),
            1);
  pb::ConvertLeadResponse again;
  ASSERT_TRUE(ConvertWithOpportunity(rep.token, l.id(), &again).ok());
  EXPECT_EQ(again.opportunity_id(), out.opportunity_id());
  EXPECT_EQ(OpportunitiesOf(l.id()), 1);
}

TEST_F(LeadsConvertTest, OpportunityMadeBeforeACrashIsReused) {
  // CreateOpportunity succeeded but the crash lost the step: the retry's
  // request_id "lead-<id>-opp" gets the same opportunity back.
  const pb::Lead l = KeptCompany(14);
  inj_->stop_opportunities_after = "contact";
  pb::ConvertLeadResponse out;
  ASSERT_EQ(ConvertWithOpportunity(rep.token, l.id(), &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  h_->StartOpportunities();
  crm::opportunities::v1::Opportunity made;
  grpc::Status s;
  for (int i = 0; i < 100; ++i) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    crm::opportunities::v1::CreateOpportunityRequest req;
    req.mutable_opportunity()->set_account_id(
        h_->QueryInt("SELECT account_id AS n FROM lead_conversions", "n"));
    req.mutable_opportunity()->set_name("崩溃前");
    req.mutable_opportunity()->set_source_lead_id(l.id());
    req.set_request_id(absl::StrCat("lead-", l.id(), "-opp"));
    s = h_->opportunities().CreateOpportunity(&ctx, req, &made);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(ConvertUntilReachable(l.id(), &out, true).ok());
  EXPECT_EQ(out.opportunity_id(), made.id());
  EXPECT_EQ(out.lead().opportunity_id(), made.id());
  EXPECT_EQ(OpportunitiesOf(l.id()), 1);
}

TEST_F(LeadsConvertTest, ConvertedWithoutOpportunityIsAFailedPrecondition) {
  const pb::Lead l = KeptCompany(15);
  pb::ConvertLeadResponse out;
  ASSERT_TRUE(Convert(rep.token, l.id(), &out).ok());
  EXPECT_EQ(out.opportunity_id(), 0);
  grpc::Status s = ConvertWithOpportunity(rep.token, l.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("without an opportunity"));
  EXPECT_EQ(OpportunitiesOf(l.id()), 0);
  ASSERT_TRUE(Convert(rep.token, l.id(), &out).ok());
}

TEST_F(LeadsConvertTest, OpportunitiesDownBeforeTheFirstStepCreatesNothing) {
  // Opportunities down from the start: account and contact are made and
  // recorded, the opportunity step fails, the retry completes.
  const pb::Lead l = KeptCompany(16);
  h_->StopOpportunities();
  pb::ConvertLeadResponse out;
  EXPECT_EQ(ConvertWithOpportunity(rep.token, l.id(), &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);
  h_->StartOpportunities();
  ASSERT_TRUE(ConvertUntilReachable(l.id(), &out, true).ok());
  EXPECT_EQ(OpportunitiesOf(l.id()), 1);
  EXPECT_EQ(AccountsWith(l.credit_code()), 1);
}

}  // namespace
}  // namespace crm
