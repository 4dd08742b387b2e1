// Stage changes through the API: order and skip rules, required fields,
// sub-stages, won (contract_ref), lost (configured reasons), reopen
// (audited), the stage history, optimistic versions, concurrent moves and
// the outbox events with their payloads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/client/client.h"
#include "tests/testing/opportunities_harness.h"

namespace crm::opportunities {
namespace {

namespace pb = crm::opportunities::v1;
using ::testing::HasSubstr;
using testing::OpportunitiesHarness;

class OpportunitiesStagesTest : public ::testing::Test {
 protected:
  OpportunitiesStagesTest()
      : rep_(h_.User("rep", "e1", "sales_rep")),
        mgr_(h_.User("mgr", "e1", "sales_manager")) {
    account_ = h_.Account(rep_.token, "阶段测试有限公司");
  }

  // A fresh SMB-standard opportunity (qualify -> needs* -> proposal*
  // [amount] -> negotiation [budget, decision_maker] -> won [amount]).
  int64_t Fresh(int64_t amount = 0) {
    return h_.CreateOk(rep_.token, account_, "机会", amount);
  }
  void Fill(int64_t id) {
    pb::Opportunity in;
    in.set_id(id);
    in.mutable_amount()->set_currency_code("CNY");
    in.mutable_amount()->set_amount_minor(880000);
    in.mutable_budget()->set_currency_code("CNY");
    in.mutable_budget()->set_amount_minor(1000000);
    in.set_decision_maker("李总");
    ASSERT_TRUE(
        h_.Update(rep_.token, in, {"amount", "budget", "decision_maker"}).ok());
  }
  std::vector<pb::StageChange> History(int64_t id) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    pb::ListStageHistoryRequest req;
    req.set_opportunity_id(id);
    pb::ListStageHistoryResponse out;
    grpc::Status s = h_.stub().ListStageHistory(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.changes().begin(), out.changes().end()};
  }

  OpportunitiesHarness h_;
  testing::AccountsHarness::Login rep_, mgr_;
  int64_t account_ = 0;
};

TEST_F(OpportunitiesStagesTest, ForwardSkipAndRequiredFields) {
  const int64_t id = Fresh();
  pb::Opportunity o;
  ASSERT_TRUE(h_.Move(rep_.token, id, "needs", "初步沟通", &o).ok());
  EXPECT_EQ(o.stage(), "needs");
  EXPECT_EQ(o.sub_stage(), "初步沟通");
  EXPECT_EQ(o.probability_bp(), 3000);
  // proposal requires an amount.
  grpc::Status s = h_.Move(rep_.token, id, "proposal");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "entering stage proposal requires: amount");
  // Skipping proposal (skippable) into negotiation needs all three.
  s = h_.Move(rep_.token, id, "negotiation");
  EXPECT_EQ(s.error_message(),
            "entering stage negotiation requires: amount, budget, "
            "decision_maker");
  Fill(id);
  ASSERT_TRUE(h_.Move(rep_.token, id, "negotiation", "", &o).ok());
  EXPECT_EQ(o.probability_bp(), 8000);
  EXPECT_EQ(o.sub_stage(), "");
}

TEST_F(OpportunitiesStagesTest, NonSkippableStagesBlockJumps) {
  // SMB custom (pipeline 2): no stage is skippable.
  const int64_t id = h_.CreateOk(rep_.token, account_, "定制", 0, 2);
  grpc::Status s = h_.Move(rep_.token, id, "solution");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("cannot skip stage needs"));
  EXPECT_TRUE(h_.Move(rep_.token, id, "needs").ok());
}

TEST_F(OpportunitiesStagesTest, BadMoves) {
  const int64_t id = Fresh();
  EXPECT_EQ(h_.Move(rep_.token, id, "qualify").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // already there
  EXPECT_EQ(h_.Move(rep_.token, id, "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status s = h_.Move(rep_.token, id, "nowhere");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("stage: \"nowhere\""));
  EXPECT_THAT(h_.Move(rep_.token, id, "won").error_message(),
              HasSubstr("MarkWon"));
  EXPECT_THAT(h_.Move(rep_.token, id, "lost").error_message(),
              HasSubstr("MarkLost"));
  EXPECT_THAT(h_.Move(rep_.token, id, "needs", "商务洽谈").error_message(),
              HasSubstr("sub_stage"));
  EXPECT_EQ(h_.Move(rep_.token, 0, "needs").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(h_.Move(rep_.token, 99999, "needs").error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(OpportunitiesStagesTest, BackwardMovesAndSubStages) {
  const int64_t id = Fresh();
  Fill(id);
  ASSERT_TRUE(h_.Move(rep_.token, id, "proposal").ok());
  pb::Opportunity o;
  ASSERT_TRUE(h_.Move(rep_.token, id, "needs", "确定意向", &o).ok());
  EXPECT_EQ(o.stage(), "needs");
  // Only the sub-stage.
  ASSERT_TRUE(h_.Move(rep_.token, id, "", "初步沟通", &o).ok());
  EXPECT_EQ(o.sub_stage(), "初步沟通");
  auto hist = History(id);
  ASSERT_EQ(hist.size(), 4u);
  EXPECT_EQ(hist[0].kind(), "create");
  EXPECT_EQ(hist[1].kind(), "move");
  EXPECT_EQ(hist[2].from_stage(), "proposal");
  EXPECT_EQ(hist[2].to_stage(), "needs");
  EXPECT_EQ(hist[3].kind(), "sub_stage");
  EXPECT_EQ(hist[3].to_sub_stage(), "初步沟通");
}

TEST_F(OpportunitiesStagesTest, WonNeedsContractRefThenIsClosed) {
  const int64_t id = Fresh();
  grpc::Status s = h_.Won(rep_.token, id, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("contract_ref"));
  s = h_.Won(rep_.token, id, "HT-2026-001");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "entering stage won requires: amount");
  Fill(id);
  h_.clock().Advance(absl::Hours(30));
  rep_ = h_.User("rep", "e1", "sales_rep");  // tokens expire with the clock
  pb::Opportunity o;
  ASSERT_TRUE(h_.Won(rep_.token, id, "HT-2026-001", &o).ok());
  EXPECT_EQ(o.status(), pb::OPPORTUNITY_STATUS_WON);
  EXPECT_EQ(o.stage(), "won");
  EXPECT_EQ(o.probability_bp(), 10000);
  EXPECT_EQ(o.contract_ref(), "HT-2026-001");
  EXPECT_GT(o.closed_time().seconds(), 0);
  // Closed: no moves, no second win, no updates, no loss.
  EXPECT_EQ(h_.Move(rep_.token, id, "needs").error_message(),
            "opportunity is won; reopen it first");
  EXPECT_EQ(h_.Won(rep_.token, id, "HT-2").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(h_.Lost(rep_.token, id, "price").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  pb::Opportunity in;
  in.set_id(id);
  in.set_name("x");
  EXPECT_EQ(h_.Update(rep_.token, in, {"name"}).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Events: OpportunityWon with the agreed payload, plus StageChanged.
  auto won = h_.Events("OpportunityWon");
  ASSERT_EQ(won.size(), 1u);
  EXPECT_EQ(won[0]["opportunity_id"], id);
  EXPECT_EQ(won[0]["account_id"], account_);
  EXPECT_EQ(won[0]["owner_id"], rep_.user_id);
  EXPECT_EQ(won[0]["owner_org_path"], o.owner_org_path());
  EXPECT_EQ(won[0]["amount_minor"], 880000);
  EXPECT_EQ(won[0]["currency"], "CNY");
  EXPECT_EQ(won[0]["contract_ref"], "HT-2026-001");
  EXPECT_TRUE(won[0]["won_at"].is_string());
  auto changed = h_.Events("OpportunityStageChanged");
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0]["kind"], "won");
  EXPECT_EQ(changed[0]["from_stage"], "qualify");
  EXPECT_EQ(changed[0]["to_stage"], "won");
  // The stay in qualify ended after 30 hours.
  auto hist = History(id);
  EXPECT_EQ(hist.back().seconds_in_from_stage(), 30 * 3600);
  EXPECT_EQ(hist.back().reason(), "HT-2026-001");
}

TEST_F(OpportunitiesStagesTest, LostNeedsAConfiguredReason) {
  const int64_t id = Fresh(5000);
  grpc::Status s = h_.Lost(rep_.token, id, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("loss_reason: required"));
  s = h_.Lost(rep_.token, id, "bad_luck");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("not an active loss reason"));
  EXPECT_EQ(h_.Lost(rep_.token, id, "Price!").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      h_.Lost(rep_.token, id, "price", std::string(501, 'x')).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  // A deactivated reason is refused too.
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::UpdateLossReasonRequest req;
    req.mutable_reason()->set_code("other");
    req.mutable_reason()->set_active(false);
    req.mutable_update_mask()->add_paths("active");
    pb::LossReason out;
    ASSERT_TRUE(h_.stub().UpdateLossReason(&ctx, req, &out).ok());
  }
  EXPECT_EQ(h_.Lost(rep_.token, id, "other").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pb::Opportunity o;
  ASSERT_TRUE(h_.Lost(rep_.token, id, "competitor", "输给了友商", &o).ok());
  EXPECT_EQ(o.status(), pb::OPPORTUNITY_STATUS_LOST);
  EXPECT_EQ(o.loss_reason(), "competitor");
  EXPECT_EQ(o.loss_note(), "输给了友商");
  EXPECT_EQ(o.probability_bp(), 0);
  auto lost = h_.Events("OpportunityLost");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0]["loss_reason"], "competitor");
  EXPECT_EQ(lost[0]["note"], "输给了友商");
  EXPECT_EQ(lost[0]["amount_minor"], 5000);
}

TEST_F(OpportunitiesStagesTest, ReopenIsExplicitAndAudited) {
  const int64_t lost = Fresh();
  ASSERT_TRUE(h_.Move(rep_.token, lost, "needs").ok());
  ASSERT_TRUE(h_.Lost(rep_.token, lost, "no_budget").ok());
  EXPECT_EQ(h_.Reopen(rep_.token, lost, "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(h_.Reopen(rep_.token, lost, "预算批了", "won").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pb::Opportunity o;
  ASSERT_TRUE(h_.Reopen(rep_.token, lost, "预算批了", "", &o).ok());
  EXPECT_EQ(o.status(), pb::OPPORTUNITY_STATUS_OPEN);
  EXPECT_EQ(o.stage(), "needs");  // where it was lost from
  EXPECT_EQ(o.loss_reason(), "");
  EXPECT_EQ(o.closed_time().seconds(), 0);
  EXPECT_EQ(h_.Reopen(rep_.token, lost, "again").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // already open
  auto hist = History(lost);
  ASSERT_EQ(hist.size(), 4u);
  EXPECT_EQ(hist[3].kind(), "reopen");
  EXPECT_EQ(hist[3].reason(), "预算批了");
  EXPECT_EQ(hist[3].actor_id(), rep_.user_id);
  EXPECT_EQ(hist[3].from_stage(), "lost");

  // A won opportunity: only managers reopen it.
  const int64_t won = Fresh();
  Fill(won);
  ASSERT_TRUE(h_.Won(rep_.token, won, "HT-9").ok());
  EXPECT_EQ(h_.Reopen(rep_.token, won, "合同作废").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(h_.Reopen(mgr_.token, won, "合同作废", "proposal", &o).ok());
  EXPECT_EQ(o.stage(), "proposal");
  EXPECT_EQ(o.contract_ref(), "");
  auto changed = h_.Events("OpportunityStageChanged");
  ASSERT_FALSE(changed.empty());
  EXPECT_EQ(changed.back()["kind"], "reopen");
  EXPECT_EQ(changed.back()["actor_id"], mgr_.user_id);
}

TEST_F(OpportunitiesStagesTest, VersionsAndConcurrentMoves) {
  const int64_t id = Fresh();
  pb::Opportunity o;
  ASSERT_TRUE(h_.Get(rep_.token, id, &o).ok());
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    pb::MoveStageRequest req;
    req.set_opportunity_id(id);
    req.set_stage("needs");
    req.set_expected_version(o.version() + 5);
    pb::Opportunity out;
    EXPECT_EQ(h_.stub().MoveStage(&ctx, req, &out).error_code(),
              grpc::StatusCode::ABORTED);
  }
  // Eight clients move the same opportunity from qualify to needs with
  // the version they read: exactly one wins, the rest are ABORTED.
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, rep_.token);
      pb::MoveStageRequest req;
      req.set_opportunity_id(id);
      req.set_stage("needs");
      req.set_expected_version(o.version());
      pb::Opportunity out;
      grpc::Status s = h_.stub().MoveStage(&ctx, req, &out);
      if (s.ok()) ++ok;
      if (s.error_code() == grpc::StatusCode::ABORTED ||
          s.error_code() == grpc::StatusCode::FAILED_PRECONDITION)
        ++aborted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), 7);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM stage_history WHERE kind "
                        "= 'move'"),
            1);
}

TEST_F(OpportunitiesStagesTest, ActivityAndHistoryAreScoped) {
  const int64_t id = Fresh();
  auto peer = h_.User("peer", "e1", "sales_rep");
  grpc::ClientContext ctx;
  client::Prepare(&ctx, peer.token);
  pb::ListStageHistoryRequest req;
  req.set_opportunity_id(id);
  pb::ListStageHistoryResponse out;
  EXPECT_EQ(h_.stub().ListStageHistory(&ctx, req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  h_.clock().Advance(absl::Hours(5));
  rep_ = h_.User("rep", "e1", "sales_rep");
  grpc::ClientContext a;
  client::Prepare(&a, rep_.token);
  pb::RecordActivityRequest act;
  act.set_opportunity_id(id);
  act.set_note("电话沟通");
  pb::Opportunity o;
  ASSERT_TRUE(h_.stub().RecordActivity(&a, act, &o).ok());
  EXPECT_EQ(o.last_activity_time().seconds(),
            absl::ToUnixSeconds(h_.clock().Now()));
  EXPECT_EQ(o.stage(), "qualify");
}

}  // namespace
}  // namespace crm::opportunities
