// OpportunitiesService against real MariaDB and Redis with in-process
// accounts and identity: creating (account verified through accounts with
// the caller's token), data scope, listing filters and paging, updates
// with a field mask, and pipeline / loss reason configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/client/client.h"
#include "tests/testing/opportunities_harness.h"

namespace crm::opportunities {
namespace {

namespace pb = crm::opportunities::v1;
using ::testing::HasSubstr;
using testing::OpportunitiesHarness;

class OpportunitiesTest : public ::testing::Test {
 protected:
  OpportunitiesTest()
      : rep1_(h_.User("rep1", "e1", "sales_rep")),
        rep2_(h_.User("rep2", "e1", "sales_rep")),
        rep3_(h_.User("rep3", "e2", "sales_rep")),
        mgr_e1_(h_.User("mgr_e1", "e1", "sales_manager")),
        mgr_e2_(h_.User("mgr_e2", "e2", "sales_manager")),
        boss_(h_.User("boss", "root", "boss")) {}

  grpc::Status List(const std::string& token, pb::ListOpportunitiesRequest req,
                    pb::ListOpportunitiesResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    return h_.stub().ListOpportunities(&ctx, req, out);
  }
  std::vector<int64_t> ListIds(const std::string& token,
                               pb::ListOpportunitiesRequest req) {
    pb::ListOpportunitiesResponse out;
    grpc::Status s = List(token, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<int64_t> ids;
    for (const auto& o : out.opportunities()) ids.push_back(o.id());
    return ids;
  }
  grpc::Status CreateReq(const std::string& token,
                         const pb::CreateOpportunityRequest& req,
                         pb::Opportunity* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    return h_.stub().CreateOpportunity(&ctx, req, out);
  }
  pb::CreateOpportunityRequest Draft(int64_t account_id) {
    pb::CreateOpportunityRequest req;
    req.mutable_opportunity()->set_account_id(account_id);
    req.mutable_opportunity()->set_name("ERP 升级");
    return req;
  }

  OpportunitiesHarness h_;
  testing::AccountsHarness::Login rep1_, rep2_, rep3_, mgr_e1_, mgr_e2_, boss_;
};

TEST_F(OpportunitiesTest, CreateDefaultsToCallerAndAccountTypePipeline) {
  const int64_t smb = h_.Account(rep1_.token, "深圳小微科技有限公司");
  const int64_t ka = h_.Account(rep1_.token, "深圳大客户集团有限公司", true);
  pb::Opportunity o;
  ASSERT_TRUE(h_.Create(rep1_.token, smb, "首单", &o, 1'000'000).ok());
  EXPECT_GT(o.id(), 0);
  EXPECT_EQ(o.owner_id(), rep1_.user_id);
  EXPECT_EQ(o.pipeline_id(), 1);  // SMB standard
  EXPECT_EQ(o.stage(), "qualify");
  EXPECT_EQ(o.status(), pb::OPPORTUNITY_STATUS_OPEN);
  EXPECT_EQ(o.probability_bp(), 1000);
  EXPECT_EQ(o.amount().amount_minor(), 1'000'000);
  EXPECT_EQ(o.created_by(), rep1_.user_id);
  EXPECT_EQ(o.version(), 1);
  ASSERT_TRUE(h_.Create(rep1_.token, ka, "集团项目", &o).ok());
  EXPECT_EQ(o.pipeline_id(), 3);  // KA standard
  pb::CreateOpportunityRequest req = Draft(ka);
  req.set_deal_kind(pb::DEAL_KIND_CUSTOM);
  ASSERT_TRUE(CreateReq(rep1_.token, req, &o).ok());
  EXPECT_EQ(o.pipeline_id(), 4);  // KA custom
  // The first stage's history entry.
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM stage_history WHERE kind "
                        "= 'create'"),
            3);
}

TEST_F(OpportunitiesTest, RetryWithRequestIdReturnsTheFirst) {
  const int64_t acc = h_.Account(rep1_.token, "重试测试有限公司");
  pb::CreateOpportunityRequest req = Draft(acc);
  req.set_request_id("lead-42-convert");
  pb::Opportunity a, b;
  ASSERT_TRUE(CreateReq(rep1_.token, req, &a).ok());
  req.mutable_opportunity()->set_name("another name");
  ASSERT_TRUE(CreateReq(rep1_.token, req, &b).ok());
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(b.name(), "ERP 升级");
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM opportunities"), 1);
  req.set_request_id(std::string(65, 'x'));
  EXPECT_EQ(CreateReq(rep1_.token, req, &b).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OpportunitiesTest, AccountMustExistAndBeVisible) {
  const int64_t theirs = h_.Account(rep2_.token, "别人的客户有限公司");
  pb::Opportunity o;
  grpc::Status s = h_.Create(rep1_.token, theirs, "抢单", &o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(),
            "account " + std::to_string(theirs) + " not found");
  s = h_.Create(rep1_.token, 999999, "不存在", &o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = h_.Create(rep1_.token, 0, "零", &o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("opportunity.account_id"));
  // Their manager sees the account, so may open an opportunity on it.
  EXPECT_TRUE(h_.Create(mgr_e1_.token, theirs, "经理建", &o).ok());
}

TEST_F(OpportunitiesTest, BadInput) {
  const int64_t acc = h_.Account(rep1_.token, "校验测试有限公司");
  auto bad = [&](std::function<void(pb::CreateOpportunityRequest&)> edit) {
    pb::CreateOpportunityRequest req = Draft(acc);
    edit(req);
    pb::Opportunity o;
    grpc::Status s = CreateReq(rep1_.token, req, &o);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.error_message();
    return s.error_message();
  };
  EXPECT_THAT(bad([](auto& r) { r.mutable_opportunity()->set_name(""); }),
              HasSubstr("opportunity.name"));
  EXPECT_THAT(
      bad([](auto& r) {
        r.mutable_opportunity()->mutable_amount()->set_currency_code("rmb");
      }),
      HasSubstr("opportunity.amount.currency_code"));
  EXPECT_THAT(bad([](auto& r) {
                auto* m = r.mutable_opportunity()->mutable_amount();
                m->set_currency_code("CNY");
                m->set_amount_minor(-1);
              }),
              HasSubstr("opportunity.amount.amount_minor"));
  EXPECT_THAT(bad([](auto& r) {
                r.mutable_opportunity()->set_expected_close_date("2026-02-30");
              }),
              HasSubstr("opportunity.expected_close_date"));
  EXPECT_THAT(bad([](auto& r) {
                r.mutable_opportunity()->set_expected_close_date("26-1-1");
              }),
              HasSubstr("YYYY-MM-DD"));
  EXPECT_THAT(bad([](auto& r) {
                for (int i = 0; i < 51; ++i)
                  r.mutable_opportunity()->add_products("p");
              }),
              HasSubstr("opportunity.products"));
  EXPECT_THAT(bad([](auto& r) { r.mutable_opportunity()->add_products(""); }),
              HasSubstr("opportunity.products"));
  EXPECT_THAT(
      bad([](auto& r) {
        r.mutable_opportunity()->set_decision_maker(std::string(101, 'x'));
      }),
      HasSubstr("opportunity.decision_maker"));
  EXPECT_THAT(
      bad([](auto& r) { r.mutable_opportunity()->set_sub_stage("不存在"); }),
      HasSubstr("sub_stage"));
  EXPECT_THAT(bad([](auto& r) { r.set_pipeline_id(-1); }),
              HasSubstr("pipeline_id"));
  EXPECT_THAT(
      bad([](auto& r) { r.mutable_opportunity()->set_source_lead_id(-3); }),
      HasSubstr("source_lead_id"));
  pb::CreateOpportunityRequest req = Draft(acc);
  req.set_pipeline_id(777);
  pb::Opportunity o;
  EXPECT_EQ(CreateReq(rep1_.token, req, &o).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Unauthenticated.
  grpc::ClientContext ctx;
  EXPECT_EQ(h_.stub().CreateOpportunity(&ctx, req, &o).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(OpportunitiesTest, ManagersAssignOwnersInTheirScope) {
  const int64_t acc = h_.Account(rep1_.token, "指派测试有限公司");
  pb::CreateOpportunityRequest req = Draft(acc);
  req.mutable_opportunity()->set_owner_id(rep2_.user_id);
  pb::Opportunity o;
  grpc::Status s = CreateReq(rep1_.token, req, &o);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(CreateReq(mgr_e1_.token, req, &o).ok());
  EXPECT_EQ(o.owner_id(), rep2_.user_id);
  EXPECT_EQ(o.owner_org_path(), "/" + std::to_string(h_.Unit("root")) + "/" +
                                    std::to_string(h_.Unit("east")) + "/" +
                                    std::to_string(h_.Unit("e1")) + "/");
  // rep3 sits in e2: outside mgr_e1's subtree.
  req.mutable_opportunity()->set_owner_id(rep3_.user_id);
  EXPECT_EQ(CreateReq(mgr_e1_.token, req, &o).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(OpportunitiesTest, DataScope) {
  const int64_t acc1 = h_.Account(rep1_.token, "范围一有限公司");
  const int64_t acc3 = h_.Account(rep3_.token, "范围三有限公司");
  const int64_t o1 = h_.CreateOk(rep1_.token, acc1, "一");
  const int64_t o3 = h_.CreateOk(rep3_.token, acc3, "三");
  // A rep never sees a peer's opportunity: NOT_FOUND, like a missing id.
  grpc::Status s = h_.Get(rep2_.token, o1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(),
            "opportunity " + std::to_string(o1) + " not found");
  EXPECT_EQ(h_.Get(rep2_.token, 424242).error_message(),
            "opportunity 424242 not found");
  EXPECT_TRUE(h_.Get(rep1_.token, o1).ok());
  EXPECT_TRUE(h_.Get(mgr_e1_.token, o1).ok());
  EXPECT_EQ(h_.Get(mgr_e1_.token, o3).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h_.Get(mgr_e2_.token, o1).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(h_.Get(boss_.token, o3).ok());
  EXPECT_TRUE(h_.Get(h_.Admin(), o3).ok());
  // Writes follow the same rule.
  EXPECT_EQ(h_.Move(rep2_.token, o1, "needs").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h_.Lost(rep2_.token, o1, "price").error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Lists.
  EXPECT_THAT(ListIds(rep1_.token, {}), ::testing::ElementsAre(o1));
  EXPECT_TRUE(ListIds(rep2_.token, {}).empty());
  EXPECT_THAT(ListIds(mgr_e1_.token, {}), ::testing::ElementsAre(o1));
  EXPECT_THAT(ListIds(boss_.token, {}), ::testing::ElementsAre(o1, o3));
  pb::ListOpportunitiesRequest by_unit;
  by_unit.set_org_unit_id(h_.Unit("e2"));
  EXPECT_THAT(ListIds(boss_.token, by_unit), ::testing::ElementsAre(o3));
  // A unit outside the caller's scope is NOT_FOUND.
  pb::ListOpportunitiesResponse out;
  EXPECT_EQ(List(mgr_e1_.token, by_unit, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Asking for a peer's records as a rep just returns nothing.
  pb::ListOpportunitiesRequest by_owner;
  by_owner.set_owner_id(rep1_.user_id);
  EXPECT_TRUE(ListIds(rep2_.token, by_owner).empty());
}

TEST_F(OpportunitiesTest, ListFiltersAndStablePaging) {
  const int64_t acc = h_.Account(rep1_.token, "列表测试有限公司");
  std::vector<int64_t> ids;
  for (int i = 0; i < 7; ++i) {
    pb::CreateOpportunityRequest req = Draft(acc);
    req.mutable_opportunity()->set_name("机会" + std::to_string(i));
    auto* m = req.mutable_opportunity()->mutable_amount();
    m->set_currency_code("CNY");
    m->set_amount_minor((i + 1) * 1000);
    req.mutable_opportunity()->set_expected_close_date("2026-12-0" +
                                                       std::to_string(i + 1));
    pb::Opportunity o;
    ASSERT_TRUE(CreateReq(rep1_.token, req, &o).ok());
    ids.push_back(o.id());
  }
  ASSERT_TRUE(h_.Move(rep1_.token, ids[0], "needs").ok());
  ASSERT_TRUE(h_.Move(rep1_.token, ids[3], "needs").ok());
  pb::ListOpportunitiesRequest req;
  req.set_stage("needs");
  EXPECT_THAT(ListIds(rep1_.token, req),
              ::testing::ElementsAre(ids[0], ids[3]));
  req = {};
  req.set_close_date_from("2026-12-02");
  req.set_close_date_to("2026-12-04");
  EXPECT_THAT(ListIds(rep1_.token, req),
              ::testing::ElementsAre(ids[1], ids[2], ids[3]));
  req = {};
  req.set_amount_min_minor(5000);
  EXPECT_THAT(ListIds(rep1_.token, req),
              ::testing::ElementsAre(ids[4], ids[5], ids[6]));
  req.set_amount_max_minor(6000);
  EXPECT_THAT(ListIds(rep1_.token, req),
              ::testing::ElementsAre(ids[4], ids[5]));
  req = {};
  req.set_account_id(acc);
  req.set_status(pb::OPPORTUNITY_STATUS_OPEN);
  req.set_mine_only(true);
  req.set_pipeline_id(1);
  EXPECT_EQ(ListIds(rep1_.token, req).size(), 7u);
  // Paging: 3 + 3 + 1, in id order, no repeats.
  std::vector<int64_t> seen;
  std::string token;
  int pages = 0;
  do {
    pb::ListOpportunitiesRequest page;
    page.set_page_size(3);
    page.set_page_token(token);
    pb::ListOpportunitiesResponse out;
    ASSERT_TRUE(List(rep1_.token, page, &out).ok());
    for (const auto& o : out.opportunities()) seen.push_back(o.id());
    token = out.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen, ids);
  // Bad filters.
  auto bad = [&](pb::ListOpportunitiesRequest r) {
    pb::ListOpportunitiesResponse out;
    return List(rep1_.token, r, &out);
  };
  req = {};
  req.set_page_size(-1);
  EXPECT_EQ(bad(req).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req = {};
  req.set_page_token("garbage");
  EXPECT_EQ(bad(req).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req = {};
  req.set_close_date_from("2026-13-01");
  EXPECT_THAT(bad(req).error_message(), HasSubstr("close_date_from"));
  req = {};
  req.set_close_date_from("2026-12-05");
  req.set_close_date_to("2026-12-01");
  EXPECT_THAT(bad(req).error_message(), HasSubstr("close_date_to"));
  req = {};
  req.set_amount_min_minor(10);
  req.set_amount_max_minor(5);
  EXPECT_THAT(bad(req).error_message(), HasSubstr("amount_max_minor"));
  req = {};
  req.set_stage("Needs!");
  EXPECT_THAT(bad(req).error_message(), HasSubstr("stage"));
}

TEST_F(OpportunitiesTest, UpdateWithFieldMask) {
  const int64_t acc = h_.Account(rep1_.token, "更新测试有限公司");
  const int64_t id = h_.CreateOk(rep1_.token, acc, "旧名字");
  pb::Opportunity in;
  in.set_id(id);
  in.set_name("新名字");
  in.set_decision_maker("王总");
  in.mutable_budget()->set_currency_code("CNY");
  in.mutable_budget()->set_amount_minor(5'000'000);
  in.set_expected_close_date("2026-12-31");
  in.add_products("CRM-PRO");
  in.set_description("ignored: not in the mask");
  pb::Opportunity out;
  ASSERT_TRUE(h_.Update(rep1_.token, in,
                        {"name", "decision_maker", "budget",
                         "expected_close_date", "products"},
                        &out)
                  .ok());
  EXPECT_EQ(out.name(), "新名字");
  EXPECT_EQ(out.decision_maker(), "王总");
  EXPECT_EQ(out.budget().amount_minor(), 5'000'000);
  EXPECT_EQ(out.expected_close_date(), "2026-12-31");
  EXPECT_THAT(out.products(), ::testing::ElementsAre("CRM-PRO"));
  EXPECT_EQ(out.description(), "");
  EXPECT_EQ(out.version(), 2);
  // Bad masks and values.
  EXPECT_EQ(h_.Update(rep1_.token, in, {}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status s = h_.Update(rep1_.token, in, {"stage"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("MoveStage"));
  EXPECT_THAT(h_.Update(rep1_.token, in, {"colour"}).error_message(),
              HasSubstr("\"colour\" cannot be updated"));
  in.set_name("");
  EXPECT_THAT(h_.Update(rep1_.token, in, {"name"}).error_message(),
              HasSubstr("opportunity.name"));
  // A stale version loses the race.
  in.set_name("x");
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep1_.token);
  pb::UpdateOpportunityRequest req;
  *req.mutable_opportunity() = in;
  req.mutable_update_mask()->add_paths("name");
  req.set_expected_version(1);
  EXPECT_EQ(h_.stub().UpdateOpportunity(&ctx, req, &out).error_code(),
            grpc::StatusCode::ABORTED);
  // Fields the current stage requires cannot be cleared: move to
  // negotiation (needs amount, budget, decision_maker), then clear one.
  in.mutable_amount()->set_currency_code("CNY");
  in.mutable_amount()->set_amount_minor(100);
  ASSERT_TRUE(h_.Update(rep1_.token, in, {"amount"}).ok());
  ASSERT_TRUE(h_.Move(rep1_.token, id, "negotiation").ok());
  in.clear_budget();
  s = h_.Update(rep1_.token, in, {"budget"});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "stage negotiation requires: budget");
  // Reassigning is for managers.
  in.set_owner_id(rep2_.user_id);
  EXPECT_EQ(h_.Update(rep1_.token, in, {"owner_id"}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(h_.Update(mgr_e1_.token, in, {"owner_id"}, &out).ok());
  EXPECT_EQ(out.owner_id(), rep2_.user_id);
  EXPECT_EQ(h_.Get(rep1_.token, id).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(h_.Get(rep2_.token, id).ok());
  in.set_owner_id(rep3_.user_id);  // outside mgr_e1's subtree
  EXPECT_EQ(h_.Update(mgr_e1_.token, in, {"owner_id"}).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(OpportunitiesTest, PipelineAndLossReasonConfiguration) {
  grpc::ClientContext c0;
  client::Prepare(&c0, rep1_.token);
  pb::ListPipelinesRequest lreq;
  pb::ListPipelinesResponse listed;
  ASSERT_TRUE(h_.stub().ListPipelines(&c0, lreq, &listed).ok());
  ASSERT_EQ(listed.pipelines_size(), 4);
  EXPECT_EQ(listed.pipelines(0).stages(1).sub_stages(0), "初步沟通");
  EXPECT_EQ(listed.pipelines(0).stages(3).required_fields_size(), 2);

  pb::CreatePipelineRequest req;
  pb::Pipeline* p = req.mutable_pipeline();
  p->set_name("渠道快单");
  p->set_customer_type(pb::CUSTOMER_TYPE_SMB);
  p->set_deal_kind(pb::DEAL_KIND_STANDARD);
  p->set_stale_days(7);
  for (auto [code, kind, bp] :
       {std::tuple{"contact", pb::STAGE_KIND_OPEN, 2000},
        std::tuple{"quote", pb::STAGE_KIND_OPEN, 6000},
        std::tuple{"won", pb::STAGE_KIND_WON, 1},
        std::tuple{"lost", pb::STAGE_KIND_LOST, 1}}) {
    pb::Stage* s = p->add_stages();
    s->set_code(code);
    s->set_name(code);
    s->set_kind(kind);
    s->set_probability_bp(bp);
  }
  pb::Pipeline created;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr_e1_.token);
    EXPECT_EQ(h_.stub().CreatePipeline(&ctx, req, &created).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    ASSERT_TRUE(h_.stub().CreatePipeline(&ctx, req, &created).ok());
  }
  EXPECT_EQ(created.stages(2).probability_bp(), 10000);
  EXPECT_EQ(created.stages(3).probability_bp(), 0);
  EXPECT_EQ(created.stale_days(), 7);
  {
    pb::CreatePipelineRequest bad = req;
    bad.mutable_pipeline()->mutable_stages(0)->set_code("Bad Code");
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    grpc::Status s = h_.stub().CreatePipeline(&ctx, bad, &created);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("pipeline.stages[0].code"));
  }
  // Stages are fixed; name/active/stale_days change.
  pb::UpdatePipelineRequest up;
  up.mutable_pipeline()->set_id(created.id());
  up.mutable_update_mask()->add_paths("stages");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::Pipeline out;
    grpc::Status s = h_.stub().UpdatePipeline(&ctx, up, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("create a new pipeline"));
  }
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("active");
  up.mutable_pipeline()->set_active(false);
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::Pipeline out;
    ASSERT_TRUE(h_.stub().UpdatePipeline(&ctx, up, &out).ok());
    EXPECT_FALSE(out.active());
  }
  // An inactive pipeline takes no new opportunities.
  const int64_t acc = h_.Account(rep1_.token, "配置测试有限公司");
  pb::Opportunity o;
  EXPECT_EQ(h_.Create(rep1_.token, acc, "x", &o, 0, created.id()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Loss reasons.
  pb::CreateLossReasonRequest lr;
  lr.mutable_reason()->set_code("timing");
  lr.mutable_reason()->set_label("时机不对");
  pb::LossReason reason;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep1_.token);
    EXPECT_EQ(h_.stub().CreateLossReason(&ctx, lr, &reason).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    ASSERT_TRUE(h_.stub().CreateLossReason(&ctx, lr, &reason).ok());
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    grpc::Status s = h_.stub().CreateLossReason(&ctx, lr, &reason);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  }
  {
    lr.mutable_reason()->set_code("");
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    EXPECT_EQ(h_.stub().CreateLossReason(&ctx, lr, &reason).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep1_.token);
    pb::ListLossReasonsResponse all;
    ASSERT_TRUE(h_.stub().ListLossReasons(&ctx, {}, &all).ok());
    EXPECT_EQ(all.reasons_size(), 7);
  }
}

}  // namespace
}  // namespace crm::opportunities
