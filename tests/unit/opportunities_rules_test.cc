// Pipeline validation and every stage transition rule of
// services/opportunities/domain (pure, no I/O).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/opportunities/domain/pipeline.h"
#include "services/opportunities/domain/stage_rules.h"

namespace crm::opportunities {
namespace {

using ::testing::HasSubstr;

StageDef Open(const std::string& code, int bp, bool skippable = false,
              std::vector<std::string> required = {},
              std::vector<std::string> subs = {}) {
  StageDef s;
  s.code = code;
  s.name = code;
  s.kind = StageKind::kOpen;
  s.probability_bp = bp;
  s.skippable = skippable;
  s.required_fields = std::move(required);
  s.sub_stages = std::move(subs);
  return s;
}

StageDef Closed(const std::string& code, StageKind kind,
                std::vector<std::string> required = {}) {
  StageDef s;
  s.code = code;
  s.name = code;
  s.kind = kind;
  s.required_fields = std::move(required);
  return s;
}

// qualify(10%) -> needs(30%, skippable, subs) -> proposal(50%, skippable)
// -> negotiation(70%, budget + decision_maker) -> won(amount) -> lost.
PipelineDef Sample() {
  PipelineDef p;
  p.id = 7;
  p.name = "SMB standard";
  p.stages = {Open("qualify", 1000),
              Open("needs", 3000, true, {}, {"初步沟通", "确定意向"}),
              Open("proposal", 5000, true, {"amount"}),
              Open("negotiation", 7000, false, {"budget", "decision_maker"}),
              Closed("won", StageKind::kWon, {"amount"}),
              Closed("lost", StageKind::kLost)};
  EXPECT_TRUE(NormalizePipeline(&p).ok());
  return p;
}

StagePosition At(int stage, OppStatus status = OppStatus::kOpen) {
  StagePosition at;
  at.stage = stage;
  at.status = status;
  at.max_open_stage = stage < 4 ? stage : 3;
  at.closed_from_stage = 2;
  return at;
}

const PresentFields kAll = {"amount", "budget", "decision_maker"};

// ------------------------------------------------------------ pipelines

TEST(PipelineTest, NormalizeSetsTerminalProbabilities) {
  PipelineDef p = Sample();
  EXPECT_EQ(p.stages[4].probability_bp, 10000);
  EXPECT_EQ(p.stages[5].probability_bp, 0);
  EXPECT_EQ(p.WonIndex(), 4);
  EXPECT_EQ(p.LostIndex(), 5);
  EXPECT_EQ(p.OpenCount(), 4);
  EXPECT_EQ(*p.IndexOf("proposal"), 2);
  EXPECT_FALSE(p.IndexOf("nope").has_value());
}

TEST(PipelineTest, RejectsBadPipelines) {
  auto err = [](std::function<void(PipelineDef&)> edit) {
    PipelineDef p = Sample();
    edit(p);
    absl::Status s = NormalizePipeline(&p);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    return std::string(s.message());
  };
  EXPECT_THAT(err([](PipelineDef& p) { p.name = ""; }),
              HasSubstr("pipeline.name"));
  EXPECT_THAT(
      err([](PipelineDef& p) { p.customer_type = CustomerType::kUnspecified; }),
      HasSubstr("pipeline.customer_type"));
  EXPECT_THAT(err([](PipelineDef& p) { p.deal_kind = DealKind::kUnspecified; }),
              HasSubstr("pipeline.deal_kind"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stale_days = -1; }),
              HasSubstr("pipeline.stale_days"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stages.resize(2); }),
              HasSubstr("pipeline.stages: 3..20"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stages[1].code = "Needs"; }),
              HasSubstr("pipeline.stages[1].code: must match"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stages[2].code = "needs"; }),
              HasSubstr("pipeline.stages[2].code: \"needs\" is used"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stages[0].name = ""; }),
              HasSubstr("pipeline.stages[0].name"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stages[0].probability_bp = 10001; }),
              HasSubstr("pipeline.stages[0].probability_bp"));
  EXPECT_THAT(
      err([](PipelineDef& p) { p.stages[0].required_fields = {"colour"}; }),
      HasSubstr("unknown field \"colour\""));
  EXPECT_THAT(err([](PipelineDef& p) {
                p.stages[0].required_fields = {"amount", "amount"};
              }),
              HasSubstr("listed twice"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stages[4].sub_stages = {"x"}; }),
              HasSubstr("only open stages"));
  EXPECT_THAT(err([](PipelineDef& p) {
                p.stages[1].sub_stages = {"a", "a"};
              }),
              HasSubstr("pipeline.stages[1].sub_stages"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stages[1].sub_stages = {""}; }),
              HasSubstr("each 1..50 bytes"));
  // Won must come right before lost, at the end.
  EXPECT_THAT(err([](PipelineDef& p) { std::swap(p.stages[3], p.stages[4]); }),
              HasSubstr("open stages come first"));
  EXPECT_THAT(err([](PipelineDef& p) { p.stages[5].kind = StageKind::kWon; }),
              HasSubstr("exactly one WON"));
  EXPECT_THAT(
      err([](PipelineDef& p) { p.stages[0].kind = StageKind::kUnspecified; }),
      HasSubstr("pipeline.stages[0].kind: required"));
}

TEST(PipelineTest, Codes) {
  EXPECT_TRUE(IsCode("price_2"));
  EXPECT_FALSE(IsCode(""));
  EXPECT_FALSE(IsCode("Price"));
  EXPECT_FALSE(IsCode("a-b"));
  EXPECT_FALSE(IsCode(std::string(33, 'a')));
}

// ------------------------------------------------------------ create / move

TEST(StageRulesTest, CreateNeedsFirstStageFields) {
  PipelineDef p = Sample();
  EXPECT_TRUE(CheckCreate(p, {}).ok());
  p.stages[0].required_fields = {"amount", "products"};
  absl::Status s = CheckCreate(p, {"products"});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "entering stage qualify requires: amount");
}

TEST(StageRulesTest, MoveOneForward) {
  auto t = PlanMove(Sample(), At(0), "needs", "", {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "move");
  EXPECT_EQ(t->next.stage, 1);
  EXPECT_EQ(t->next.max_open_stage, 1);
}

TEST(StageRulesTest, SkipForwardOnlyOverSkippableStages) {
  // needs and proposal are skippable: qualify -> negotiation is fine.
  auto t = PlanMove(Sample(), At(0), "negotiation", "", kAll);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->next.max_open_stage, 3);
  PipelineDef p = Sample();
  p.stages[2].skippable = false;
  auto s = PlanMove(p, At(0), "negotiation", "", kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("cannot skip stage proposal"));
  // Skipping only needs (skippable) is still fine.
  EXPECT_TRUE(PlanMove(p, At(0), "proposal", "", kAll).ok());
}

TEST(StageRulesTest, RequiredFieldsOfEveryStageEnteredOrSkipped) {
  // Entering negotiation needs budget and decision_maker.
  auto s = PlanMove(Sample(), At(2), "negotiation", "", {"amount"});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "entering stage negotiation requires: budget, decision_maker");
  // Jumping past proposal also needs proposal's amount.
  s = PlanMove(Sample(), At(0), "negotiation", "",
               {"budget", "decision_maker"});
  EXPECT_EQ(s.status().message(),
            "entering stage negotiation requires: amount");
  s = PlanMove(Sample(), At(2), "negotiation", "", {"budget"});
  EXPECT_EQ(s.status().message(),
            "entering stage negotiation requires: decision_maker");
  EXPECT_TRUE(PlanMove(Sample(), At(2), "negotiation", "", kAll).ok());
}

TEST(StageRulesTest, BackwardMovesNeedNoFieldsUnlessForbidden) {
  StagePosition at = At(3);
  auto t = PlanMove(Sample(), at, "qualify", "", {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->next.stage, 0);
  EXPECT_EQ(t->next.max_open_stage, 3);  // the high-water mark stays
  PipelineDef p = Sample();
  p.allow_backward = false;
  auto s = PlanMove(p, at, "qualify", "", {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("does not allow moving back"));
}

TEST(StageRulesTest, SubStages) {
  auto t = PlanMove(Sample(), At(0), "needs", "初步沟通", {});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->next.sub_stage, "初步沟通");
  // Sub-stage only, same stage.
  StagePosition at = t->next;
  t = PlanMove(Sample(), at, "", "确定意向", {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "sub_stage");
  EXPECT_EQ(t->next.stage, 1);
  // Unknown sub-stage, or one on a stage without sub-stages.
  auto s = PlanMove(Sample(), at, "", "商务洽谈", {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(),
              HasSubstr("sub_stage: \"商务洽谈\" is not a sub-stage of needs"));
  s = PlanMove(Sample(), At(0), "", "x", {});
  EXPECT_THAT(s.status().message(), HasSubstr("has no sub-stages"));
  // Same stage and same sub-stage: nothing to do.
  s = PlanMove(Sample(), t->next, "needs", "确定意向", {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("already at stage needs"));
}

TEST(StageRulesTest, MoveRejectsBadTargets) {
  auto s = PlanMove(Sample(), At(0), "qualify", "", {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  s = PlanMove(Sample(), At(0), "nope", "", {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("stage: \"nope\""));
  s = PlanMove(Sample(), At(0), "won", "", kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("MarkWon"));
  s = PlanMove(Sample(), At(0), "lost", "", {});
  EXPECT_THAT(s.status().message(), HasSubstr("MarkLost"));
}

TEST(StageRulesTest, ClosedOpportunitiesDoNotMove) {
  auto s = PlanMove(Sample(), At(4, OppStatus::kWon), "needs", "", kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message(), "opportunity is won; reopen it first");
  s = PlanMove(Sample(), At(5, OppStatus::kLost), "needs", "", kAll);
  EXPECT_EQ(s.status().message(), "opportunity is lost; reopen it first");
  EXPECT_EQ(
      PlanWon(Sample(), At(4, OppStatus::kWon), "C-1", kAll).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(PlanLost(Sample(), At(5, OppStatus::kLost), "").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// ------------------------------------------------------------ won / lost

TEST(StageRulesTest, WonNeedsContractRefAndWonFields) {
  auto s = PlanWon(Sample(), At(1), "", kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("contract_ref: required"));
  s = PlanWon(Sample(), At(1), std::string(65, 'x'), kAll);
  EXPECT_THAT(s.status().message(), HasSubstr("at most 64"));
  s = PlanWon(Sample(), At(1), "HT-1", {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message(), "entering stage won requires: amount");
  // Won from any open stage (no skip rule), keeping where it came from.
  auto t = PlanWon(Sample(), At(1), "HT-1", {"amount"});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->next.status, OppStatus::kWon);
  EXPECT_EQ(t->next.stage, 4);
  EXPECT_EQ(t->next.closed_from_stage, 1);
}

TEST(StageRulesTest, Lost) {
  auto t = PlanLost(Sample(), At(2), "price too high");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->next.status, OppStatus::kLost);
  EXPECT_EQ(t->next.stage, 5);
  EXPECT_EQ(t->next.closed_from_stage, 2);
  EXPECT_EQ(PlanLost(Sample(), At(2), std::string(501, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ------------------------------------------------------------ reopen

TEST(StageRulesTest, ReopenReturnsToTheClosedFromStage) {
  StagePosition lost = At(5, OppStatus::kLost);
  lost.closed_from_stage = 2;
  auto t = PlanReopen(Sample(), lost, "", "customer came back", false, kAll);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, "reopen");
  EXPECT_EQ(t->next.status, OppStatus::kOpen);
  EXPECT_EQ(t->next.stage, 2);
  t = PlanReopen(Sample(), lost, "qualify", "restart", false, {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->next.stage, 0);
}

TEST(StageRulesTest, ReopenRules) {
  StagePosition won = At(4, OppStatus::kWon);
  auto s = PlanReopen(Sample(), At(1), "", "x", true, kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  s = PlanReopen(Sample(), won, "", "", true, kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("reason: required"));
  s = PlanReopen(Sample(), won, "", std::string(301, 'x'), true, kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  s = PlanReopen(Sample(), won, "", "contract cancelled", false, kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      PlanReopen(Sample(), won, "", "contract cancelled", true, kAll).ok());
  s = PlanReopen(Sample(), won, "won", "x", true, kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  s = PlanReopen(Sample(), won, "zzz", "x", true, kAll);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  // Back into negotiation needs what negotiation (and proposal) need.
  StagePosition lost = At(5, OppStatus::kLost);
  lost.closed_from_stage = 3;
  s = PlanReopen(Sample(), lost, "", "back", false, {"amount"});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "entering stage negotiation requires: budget, decision_maker");
}

TEST(StageRulesTest, MissingFieldsInOrderWithoutRepeats) {
  PipelineDef p = Sample();
  p.stages[1].required_fields = {"budget", "amount"};
  EXPECT_THAT(MissingFields(p, 0, 4, {}),
              ::testing::ElementsAre("budget", "amount", "decision_maker"));
  EXPECT_TRUE(MissingFields(p, 0, 4, kAll).empty());
}

}  // namespace
}  // namespace crm::opportunities
