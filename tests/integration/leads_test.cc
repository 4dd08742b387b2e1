// LeadsService capture and lead records against the real MariaDB, Redis,
// identity and accounts (in-process): cleansing errors over gRPC, merging
// into open leads, request_id idempotency, existing customers routed to the
// account owner, data scope, ListLeads order/paging, UpdateLead,
// ChangeLeadStatus, AddLeadFollowUp, history and events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/leads_harness.h"

namespace crm {
namespace {

namespace pb = crm::leads::v1;
namespace apb = crm::accounts::v1;
using testing::CompanyLead;
using ::testing::HasSubstr;
using testing::LeadsHarness;

class LeadsTest : public ::testing::Test {
 protected:
  LeadsHarness h;
  std::string admin = h.Admin();
  std::string mgr = h.User("mgr_east", "east", "sales_manager").token;
  testing::AccountsHarness::Login rep = h.User("rep_e1", "e1", "sales_rep");
  testing::AccountsHarness::Login rep2 = h.User("rep_e2", "e2", "sales_rep");
  std::string north = h.User("rep_n1", "n1", "sales_rep").token;

  pb::ListLeadsResponse List(const std::string& token, pb::ListLeadsRequest req,
                             grpc::Status* status = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListLeadsResponse out;
    grpc::Status s = h.stub().ListLeads(&ctx, req, &out);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }
  grpc::Status ChangeStatus(const std::string& token, int64_t id,
                            pb::LeadStatus to, const std::string& reason,
                            pb::Lead* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ChangeLeadStatusRequest req;
    req.set_lead_id(id);
    req.set_status(to);
    req.set_reason(reason);
    pb::Lead ignored;
    return h.stub().ChangeLeadStatus(&ctx, req, out ? out : &ignored);
  }
};

TEST_F(LeadsTest, CreatesACleanLeadInTheRegionPool) {
  pb::Lead in = CompanyLead("  上海云帆科技有限公司 ", "139-1234-0001");
  in.set_email(" Wang@YunFan.CN ");
  (*in.mutable_custom())["来源页面"] = "/landing/a";
  pb::Lead l = h.CreateOk(mgr, in);
  EXPECT_GT(l.id(), 0);
  EXPECT_EQ(l.company_name(), "上海云帆科技有限公司");
  EXPECT_EQ(l.phone(), "+8613912340001");
  EXPECT_EQ(l.email(), "Wang@yunfan.cn");
  EXPECT_EQ(l.status(), pb::LEAD_STATUS_NEW);
  EXPECT_GT(l.pool_id(), 0);
  EXPECT_EQ(l.owner_id(), 0);
  EXPECT_EQ(l.custom().at("来源页面"), "/landing/a");
  EXPECT_EQ(l.score_factors_size(), 5);
  EXPECT_GT(l.score(), 0);
  EXPECT_EQ(l.capture_count(), 1);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM outbox WHERE "
                       "event_type = 'LeadCreated'",
                       "n"),
            1);
}

TEST_F(LeadsTest, EveryCleansingRuleIsInvalidArgumentNamingTheField) {
  struct Case {
    std::function<void(pb::Lead*)> edit;
    const char* message;
  };
  std::vector<Case> cases = {
      {[](pb::Lead* l) { l->set_phone("1391234000"); }, "lead.phone: "},
      {[](pb::Lead* l) { l->set_phone("12912340001"); }, "lead.phone: "},
      {[](pb::Lead* l) { l->set_phone("13800000000"); }, "placeholder"},
      {[](pb::Lead* l) { l->set_phone("13888888888"); }, "placeholder"},
      {[](pb::Lead* l) { l->set_phone("11111111111"); }, "placeholder"},
      {[](pb::Lead* l) { l->set_phone("13912345678"); }, "placeholder"},
      {[](pb::Lead* l) { l->set_phone("13800138000"); }, "lead.phone: "},
      {[](pb::Lead* l) { l->set_email("a@@b.cn"); }, "lead.email: "},
      {[](pb::Lead* l) {
         l->clear_phone();
         l->clear_email();
       },
       "lead.phone: a phone or an email is required"},
      {[](pb::Lead* l) { l->set_company_name("  "); },
       "lead.company_name: required"},
      {[](pb::Lead* l) { l->set_company_name(std::string(201, 'x')); },
       "lead.company_name: "},
      {[](pb::Lead* l) { l->set_contact_name("a\x02"); },
       "lead.contact_name: "},
      {[](pb::Lead* l) { l->set_region_code("East!"); }, "lead.region_code: "},
      {[](pb::Lead* l) { l->set_city(std::string(51, 'c')); }, "lead.city: "},
      {[](pb::Lead* l) { l->set_company_size(-5); }, "lead.company_size: "},
      {[](pb::Lead* l) { l->set_credit_code("123"); }, "lead.credit_code: "},
      {[](pb::Lead* l) { l->set_channel_id(999); },
       "lead.channel_id: channel 999 does not exist"},
      {[](pb::Lead* l) { l->set_campaign_id(999); },
       "lead.campaign_id: campaign 999 does not exist"},
  };
  for (const Case& c : cases) {
    pb::Lead l = CompanyLead("测试公司", "13912340002");
    c.edit(&l);
    pb::CreateLeadResponse out;
    grpc::Status s = h.Create(mgr, l, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.message << " " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.message));
  }
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM leads", "n"), 0);
}

TEST_F(LeadsTest, SamePhoneOrCompanyMergesIntoTheOpenLead) {
  pb::Lead first =
      h.CreateOk(mgr, CompanyLead("杭州青禾贸易有限公司", "13912340003"));
  // Same phone, written differently, other company name.
  pb::CreateLeadResponse out;
  ASSERT_TRUE(
      h.Create(mgr, CompanyLead("另一家公司", "+86 139 1234 0003"), &out).ok());
  EXPECT_TRUE(out.merged());
  EXPECT_EQ(out.lead().id(), first.id());
  EXPECT_EQ(out.lead().capture_count(), 2);
  // Same company written differently (region in brackets), other phone.
  ASSERT_TRUE(
      h.Create(mgr, CompanyLead("青禾贸易(杭州)有限公司", "13912340004"), &out)
          .ok());
  EXPECT_FALSE(out.merged());  // the region prefix makes another name
  ASSERT_TRUE(
      h.Create(mgr, CompanyLead("杭州青禾贸易有限公司 ", "13912340005"), &out)
          .ok());
  EXPECT_TRUE(out.merged());
  EXPECT_EQ(out.lead().id(), first.id());
  EXPECT_EQ(out.lead().capture_count(), 3);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM lead_captures WHERE "
                       "lead_id = ?",
                       "n", {first.id()}),
            3);
  // Once invalid, the keys are free again: a new capture is a new lead.
  ASSERT_TRUE(
      ChangeStatus(mgr, first.id(), pb::LEAD_STATUS_INVALID, "spam").ok());
  ASSERT_TRUE(
      h.Create(mgr, CompanyLead("杭州青禾贸易有限公司", "13912340003"), &out)
          .ok());
  EXPECT_FALSE(out.merged());
  EXPECT_NE(out.lead().id(), first.id());
}

TEST_F(LeadsTest, MergingIntoAnInvisibleLeadRevealsOnlyItsId) {
  const pb::Lead theirs =
      h.CreateOk(rep2.token, CompanyLead("他人线索", "13912340030"), true);
  pb::CreateLeadResponse out;
  ASSERT_TRUE(
      h.Create(rep.token, CompanyLead("撞单公司", "13912340030"), &out).ok());
  EXPECT_TRUE(out.merged());
  EXPECT_EQ(out.lead().id(), theirs.id());
  EXPECT_TRUE(out.lead().company_name().empty());
  EXPECT_EQ(out.lead().owner_id(), 0);
}

TEST_F(LeadsTest, ConcurrentCapturesOfOneProspectMakeOneLead) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      pb::CreateLeadResponse out;
      pb::Lead l = CompanyLead(absl::StrCat("并发公司", i), "13912340006");
      if (h.Create(mgr, l, &out).ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM leads", "n"), 1);
  EXPECT_EQ(h.QueryInt("SELECT capture_count AS n FROM leads", "n"), 8);
}

TEST_F(LeadsTest, RequestIdReturnsTheFirstResult) {
  pb::CreateLeadResponse a, b;
  ASSERT_TRUE(
      h.Create(mgr, CompanyLead("幂等公司", "13912340007"), &a, "form-1").ok());
  ASSERT_TRUE(
      h.Create(mgr, CompanyLead("幂等公司", "13912340007"), &b, "form-1").ok());
  EXPECT_EQ(a.lead().id(), b.lead().id());
  EXPECT_FALSE(b.merged());
  EXPECT_EQ(b.lead().capture_count(), 1);
  pb::CreateLeadResponse c;
  grpc::Status s =
      h.Create(mgr, CompanyLead("x", "13912340008"), &c, std::string(65, 'r'));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(LeadsTest, ExistingCustomerGoesToTheAccountOwner) {
  // rep owns a person account with this phone.
  apb::Account person;
  person.set_kind(apb::ACCOUNT_KIND_PERSON);
  person.set_name("老客户张三");
  person.set_phone("13912340009");
  person.set_region_code("east");
  const int64_t account = h.accounts().CreateAccountOk(rep.token, person);
  pb::Lead in = CompanyLead("张三的新公司", "13912340009");
  pb::Lead l = h.CreateOk(mgr, in);
  EXPECT_TRUE(l.existing_customer());
  EXPECT_EQ(l.account_id(), account);
  EXPECT_EQ(l.owner_id(), rep.user_id);
  EXPECT_EQ(l.status(), pb::LEAD_STATUS_ASSIGNED);
  EXPECT_EQ(l.pool_id(), 0);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM outbox WHERE "
                       "event_type = 'LeadAssigned'",
                       "n"),
            1);
  // A company account matched by credit code.
  const std::string code = testing::CreditCode(42);
  const int64_t company = h.accounts().CreateAccountOk(
      rep2.token, testing::CompanyDraft("宁波海曙机械有限公司", code));
  pb::Lead by_code = CompanyLead("海曙机械", "13912340010");
  by_code.set_credit_code(code);
  pb::Lead l2 = h.CreateOk(mgr, by_code);
  EXPECT_TRUE(l2.existing_customer());
  EXPECT_EQ(l2.account_id(), company);
  EXPECT_EQ(l2.owner_id(), rep2.user_id);
  // Same company name as an account, no key in common.
  pb::Lead by_name = CompanyLead("宁波海曙机械有限公司", "13912340011");
  by_name.set_region_code("north");
  pb::Lead l3 = h.CreateOk(admin, by_name);
  EXPECT_TRUE(l3.existing_customer());
  EXPECT_EQ(l3.account_id(), company);
}

TEST_F(LeadsTest, ConcurrentCapturesShareAccountChecksAndKeepTheirAnswers) {
  // rep owns person accounts for the even phones; odd phones are new.
  for (int i = 0; i < 16; i += 2) {
    apb::Account person;
    person.set_kind(apb::ACCOUNT_KIND_PERSON);
    person.set_name(absl::StrCat("并发老客户", i));
    person.set_phone(absl::StrCat("139123401", 10 + i));
    person.set_region_code("east");
    h.accounts().CreateAccountOk(rep.token, person);
  }
  // A rep of the north sees none of rep's accounts: for the same kind of
  // capture accounts reveals no owner, so the lead is pooled.
  apb::Account hidden;
  hidden.set_kind(apb::ACCOUNT_KIND_PERSON);
  hidden.set_name("隐藏老客户");
  hidden.set_phone("13912340199");
  hidden.set_region_code("east");
  const int64_t hidden_id = h.accounts().CreateAccountOk(rep.token, hidden);

  const auto before = h.service().CaptureCounts();
  std::vector<pb::CreateLeadResponse> out(17);
  std::vector<grpc::Status> status(17);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      status[i] = h.Create(mgr,
                           CompanyLead(absl::StrCat("并发新公司", i),
                                       absl::StrCat("139123401", 10 + i)),
                           &out[i]);
    });
  }
  threads.emplace_back([&] {
    pb::Lead l = CompanyLead("北方新公司", "13912340199", "north");
    status[16] = h.Create(north, l, &out[16]);
  });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE(status[i].ok()) << i << ": " << status[i].error_message();
    const pb::Lead& l = out[i].lead();
    EXPECT_FALSE(out[i].merged()) << i;
    EXPECT_EQ(l.existing_customer(), i % 2 == 0) << i;
    if (i % 2 == 0) {
      EXPECT_EQ(l.owner_id(), rep.user_id) << i;
      EXPECT_EQ(l.status(), pb::LEAD_STATUS_ASSIGNED) << i;
    } else {
      EXPECT_EQ(l.owner_id(), 0) << i;
      EXPECT_GT(l.pool_id(), 0) << i;
    }
  }
  ASSERT_TRUE(status[16].ok()) << status[16].error_message();
  EXPECT_TRUE(out[16].lead().existing_customer());
  EXPECT_EQ(out[16].lead().account_id(), hidden_id);
  EXPECT_EQ(out[16].lead().owner_id(), 0);  // not shown to the north rep
  EXPECT_GT(out[16].lead().pool_id(), 0);
  const auto after = h.service().CaptureCounts();
  EXPECT_EQ(after.second - before.second, 17);  // every capture was batched
  EXPECT_LE(after.first - before.first, 17);    // in as many batches or fewer
}

TEST_F(LeadsTest, ARetriedCaptureReturnsItsFirstResultEvenIfNowInvalid) {
  pb::CreateLeadResponse first, again;
  ASSERT_TRUE(
      h.Create(mgr, CompanyLead("重试公司", "13912340041"), &first, "form-r")
          .ok());
  // The same request_id with a draft that would not pass cleansing now.
  ASSERT_TRUE(
      h.Create(mgr, CompanyLead("重试公司", "12345"), &again, "form-r").ok());
  EXPECT_EQ(again.lead().id(), first.lead().id());
  // Without the request_id the same draft is an error naming the field.
  grpc::Status s = h.Create(mgr, CompanyLead("重试公司", "12345"), &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("lead.phone"));
}

TEST_F(LeadsTest, ConcurrentRetriesOfOneRequestMakeOneCapture) {
  std::vector<std::thread> threads;
  std::vector<int64_t> ids(8, 0);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      pb::CreateLeadResponse out;
      if (h.Create(mgr, CompanyLead("并发重试公司", "13912340042"), &out,
                   "form-same")
              .ok()) {
        ids[i] = out.lead().id();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int64_t id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_GT(ids[0], 0);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM leads", "n"), 1);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM lead_captures", "n"), 1);
  EXPECT_EQ(h.QueryInt("SELECT capture_count AS n FROM leads", "n"), 1);
}

TEST_F(LeadsTest, AccountsDownIsUnavailable) {
  h.StopAccounts();
  pb::CreateLeadResponse out;
  grpc::Status s = h.Create(mgr, CompanyLead("宕机公司", "13912340012"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  h.StartAccounts();
}

TEST_F(LeadsTest, DataScopeRepsSeeOwnAndRegionPoolManagersSubtree) {
  pb::Lead pooled = h.CreateOk(mgr, CompanyLead("池中公司", "13912340013"));
  pb::Lead mine = h.CreateOk(rep.token, CompanyLead("我的公司", "13912340014"),
                             /*keep=*/true);
  pb::Lead theirs =
      h.CreateOk(rep2.token, CompanyLead("他的公司", "13912340015"), true);
  pb::Lead north_pool =
      h.CreateOk(admin, CompanyLead("北方公司", "13912340016", "north"));
  EXPECT_EQ(mine.owner_id(), rep.user_id);
  EXPECT_EQ(mine.status(), pb::LEAD_STATUS_ASSIGNED);

  pb::Lead got;
  EXPECT_TRUE(h.Get(rep.token, pooled.id(), &got).ok());
  EXPECT_TRUE(h.Get(rep.token, mine.id(), &got).ok());
  EXPECT_EQ(h.Get(rep.token, theirs.id(), &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h.Get(rep.token, north_pool.id(), &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h.Get(rep.token, 999999, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(h.Get(mgr, theirs.id(), &got).ok());
  EXPECT_TRUE(h.Get(north, north_pool.id(), &got).ok());

  auto ids = [](const pb::ListLeadsResponse& r) {
    std::set<int64_t> s;
    for (const auto& l : r.leads()) s.insert(l.id());
    return s;
  };
  EXPECT_EQ(ids(List(rep.token, {})),
            (std::set<int64_t>{pooled.id(), mine.id()}));
  EXPECT_EQ(ids(List(mgr, {})),
            (std::set<int64_t>{pooled.id(), mine.id(), theirs.id()}));
  EXPECT_EQ(ids(List(admin, {})).size(), 4u);
  pb::ListLeadsRequest pooled_only;
  pooled_only.set_pooled_only(true);
  EXPECT_EQ(ids(List(mgr, pooled_only)), (std::set<int64_t>{pooled.id()}));
  pb::ListLeadsRequest by_owner;
  by_owner.set_owner_id(rep2.user_id);
  EXPECT_EQ(ids(List(rep.token, by_owner)), (std::set<int64_t>{}));
}

TEST_F(LeadsTest, ListOrdersByScoreWithStablePages) {
  // Scores differ by completeness: more filled fields, higher score.
  for (int i = 0; i < 7; ++i) {
    pb::Lead l = CompanyLead(absl::StrCat("分页公司", i),
                             absl::StrCat("1391234", 1000 + i));
    if (i % 2 == 0) l.set_email(absl::StrCat("a", i, "@x.cn"));
    if (i % 3 == 0) l.set_industry("制造");
    h.CreateOk(mgr, l);
  }
  pb::ListLeadsRequest req;
  req.set_order_by(pb::LEAD_ORDER_SCORE_DESC);
  req.set_page_size(3);
  std::vector<std::pair<int, int64_t>> seen;
  for (int page = 0; page < 5; ++page) {
    pb::ListLeadsResponse r = List(mgr, req);
    for (const auto& l : r.leads()) seen.push_back({l.score(), l.id()});
    if (r.next_page_token().empty()) break;
    req.set_page_token(r.next_page_token());
  }
  ASSERT_EQ(seen.size(), 7u);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_TRUE(seen[i - 1].first > seen[i].first ||
                (seen[i - 1].first == seen[i].first &&
                 seen[i - 1].second > seen[i].second));
  }
  // A token of another order is rejected.
  pb::ListLeadsRequest wrong;
  wrong.set_page_token(req.page_token());
  grpc::Status s;
  List(mgr, wrong, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  pb::ListLeadsRequest negative;
  negative.set_page_size(-1);
  List(mgr, negative, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(LeadsTest, UpdateLeadCleansesRescoresAndGuardsKeys) {
  pb::Lead l =
      h.CreateOk(rep.token, CompanyLead("更新公司", "13912340017"), true);
  pb::Lead other =
      h.CreateOk(rep.token, CompanyLead("别的公司", "13912340018"), true);
  auto update = [&](const std::string& token, pb::Lead lead,
                    std::vector<std::string> paths, pb::Lead* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateLeadRequest req;
    *req.mutable_lead() = lead;
    for (auto& p : paths) req.mutable_update_mask()->add_paths(p);
    return h.stub().UpdateLead(&ctx, req, out);
  };
  pb::Lead patch;
  patch.set_id(l.id());
  patch.set_industry("制造");
  patch.set_company_size(500);
  patch.set_email("x@y.cn");
  pb::Lead out;
  ASSERT_TRUE(
      update(rep.token, patch, {"industry", "company_size", "email"}, &out)
          .ok());
  EXPECT_EQ(out.industry(), "制造");
  EXPECT_GT(out.score(), l.score());
  patch.set_phone("13800000000");
  EXPECT_EQ(update(rep.token, patch, {"phone"}, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  patch.set_phone("139 1234 0018");  // the other lead's phone
  grpc::Status s = update(rep.token, patch, {"phone"}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat("lead ", other.id())));
  EXPECT_EQ(update(rep.token, patch, {}, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(update(rep.token, patch, {"owner_id"}, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(update(rep2.token, patch, {"industry"}, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(LeadsTest, StatusTransitionsAreEnforced) {
  pb::Lead pooled = h.CreateOk(mgr, CompanyLead("状态公司", "13912340019"));
  pb::Lead l =
      h.CreateOk(rep.token, CompanyLead("状态公司二", "13912340020"), true);
  // A rep may not change a pooled lead; NEW cannot be worked.
  EXPECT_EQ(ChangeStatus(rep.token, pooled.id(), pb::LEAD_STATUS_QUALIFIED, "")
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ChangeStatus(mgr, pooled.id(), pb::LEAD_STATUS_QUALIFIED, "")
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ChangeStatus(rep.token, l.id(), pb::LEAD_STATUS_CONVERTED, "")
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      ChangeStatus(rep.token, l.id(), pb::LEAD_STATUS_INVALID, "").error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ChangeStatus(rep.token, l.id(), pb::LEAD_STATUS_UNSPECIFIED, "")
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pb::Lead out;
  ASSERT_TRUE(
      ChangeStatus(rep.token, l.id(), pb::LEAD_STATUS_CONTACTING, "", &out)
          .ok());
  ASSERT_TRUE(
      ChangeStatus(rep.token, l.id(), pb::LEAD_STATUS_QUALIFIED, "", &out)
          .ok());
  EXPECT_EQ(ChangeStatus(rep.token, l.id(), pb::LEAD_STATUS_CONTACTING, "")
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(
      ChangeStatus(rep.token, l.id(), pb::LEAD_STATUS_INVALID, "号码空号", &out)
          .ok());
  EXPECT_EQ(out.invalid_reason(), "号码空号");
  EXPECT_EQ(ChangeStatus(rep.token, l.id(), pb::LEAD_STATUS_QUALIFIED, "")
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(LeadsTest, FollowUpsMoveToContactingAndFeedTheScore) {
  pb::Lead l =
      h.CreateOk(rep.token, CompanyLead("跟进公司", "13912340021"), true);
  pb::Lead out;
  ASSERT_TRUE(h.FollowUp(rep.token, l.id(), false, &out).ok());
  EXPECT_EQ(out.status(), pb::LEAD_STATUS_CONTACTING);
  EXPECT_EQ(out.follow_up_count(), 1);
  EXPECT_TRUE(out.has_last_follow_up_time());
  ASSERT_TRUE(h.FollowUp(rep.token, l.id(), true, &out).ok());
  EXPECT_GT(out.score(), l.score());
  bool found = false;
  for (const auto& f : out.score_factors())
    if (f.name() == "engagement") {
      found = true;
      EXPECT_EQ(f.detail(), "2 follow-ups, 1 replies");
    }
  EXPECT_TRUE(found);
  EXPECT_EQ(h.FollowUp(rep2.token, l.id()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::Lead pooled = h.CreateOk(mgr, CompanyLead("池里跟进", "13912340022"));
  EXPECT_EQ(h.FollowUp(mgr, pooled.id()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep.token);
  pb::AddLeadFollowUpRequest bad;
  bad.set_lead_id(l.id());
  bad.set_kind(pb::FOLLOW_UP_KIND_CALL);
  EXPECT_EQ(h.stub().AddLeadFollowUp(&ctx, bad, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext hctx;
  client::Prepare(&hctx, rep.token);
  pb::ListLeadHistoryRequest hreq;
  hreq.set_lead_id(l.id());
  pb::ListLeadHistoryResponse history;
  ASSERT_TRUE(h.stub().ListLeadHistory(&hctx, hreq, &history).ok());
  ASSERT_EQ(history.entries_size(), 3);
  EXPECT_EQ(history.entries(0).kind(), pb::LEAD_EVENT_KIND_ASSIGN);
  EXPECT_EQ(history.entries(0).to_owner_id(), rep.user_id);
  EXPECT_EQ(history.entries(1).kind(), pb::LEAD_EVENT_KIND_FOLLOW_UP);
}

TEST_F(LeadsTest, UnauthenticatedCallsAreRejected) {
  pb::CreateLeadResponse out;
  EXPECT_EQ(h.Create("", CompanyLead("x", "13912340023"), &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace crm
