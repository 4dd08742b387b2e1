// The message center's event -> message mapping (issue 10): each event kind,
// the cases that concern no one, and bad payloads.
#include <gtest/gtest.h>

#include "services/accounts/domain/inbox_rules.h"

namespace crm::accounts {
namespace {

events::Event Ev(const std::string& type, nlohmann::json payload) {
  events::Event e;
  e.event_id = "0123456789abcdef0123456789abcdef";
  e.type = type;
  e.payload = std::move(payload);
  e.occurred_at = absl::FromUnixSeconds(1700000000);
  return e;
}

TEST(InboxRules, LeadAssignedGoesToTheNewOwner) {
  auto out = MessagesForEvent(Ev(
      "LeadAssigned",
      {{"lead_id", 9}, {"owner_id", 7}, {"assigned_by", 3}, {"rule", "east"}}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].user_id, 7);
  EXPECT_EQ(out[0].kind, "lead_assigned");
  EXPECT_EQ(out[0].entity_type, "lead");
  EXPECT_EQ(out[0].entity_id, "9");
  EXPECT_EQ(out[0].dedupe_key,
            "0123456789abcdef0123456789abcdef:lead_assigned");
  EXPECT_EQ(out[0].created_at, absl::FromUnixSeconds(1700000000));
}

TEST(InboxRules, SelfAssignmentAndMissingFieldsProduceNothing) {
  EXPECT_TRUE(MessagesForEvent(
                  Ev("LeadAssigned",
                     {{"lead_id", 9}, {"owner_id", 7}, {"assigned_by", 7}}))
                  .empty());
  EXPECT_TRUE(MessagesForEvent(Ev("LeadAssigned", {{"owner_id", 7}})).empty());
  EXPECT_TRUE(
      MessagesForEvent(Ev("LeadAssigned", {{"lead_id", "x"}, {"owner_id", 7}}))
          .empty());
  EXPECT_TRUE(
      MessagesForEvent(Ev("LeadAssigned", {{"lead_id", 1}, {"owner_id", 0}}))
          .empty());
  EXPECT_TRUE(MessagesForEvent(Ev("LeadCreated", {{"lead_id", 1}})).empty());
}

TEST(InboxRules, InstallmentOverdueGoesToTheContractOwner) {
  auto out =
      MessagesForEvent(Ev("InstallmentOverdue", {{"contract_id", "12"},
                                                 {"installment_id", 4},
                                                 {"owner_id", 7},
                                                 {"amount_due_minor", 123456},
                                                 {"due_date", "2026-11-01"},
                                                 {"days_overdue", 3}}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "payment_overdue");
  EXPECT_EQ(out[0].entity_type, "contract");
  EXPECT_EQ(out[0].entity_id, "12");
  EXPECT_NE(out[0].body.find("1234.56"), std::string::npos) << out[0].body;
}

TEST(InboxRules, TicketAssignedButNotAGrab) {
  auto out = MessagesForEvent(Ev("TicketAssigned", {{"ticket_id", 5},
                                                    {"assignee_id", 8},
                                                    {"actor_id", 2},
                                                    {"mode", "manual"}}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].user_id, 8);
  EXPECT_EQ(out[0].kind, "ticket_assigned");
  EXPECT_TRUE(MessagesForEvent(Ev("TicketAssigned", {{"ticket_id", 5},
                                                     {"assignee_id", 8},
                                                     {"actor_id", 8},
                                                     {"mode", "grab"}}))
                  .empty());
}

TEST(InboxRules, SlaBreachAndWarning) {
  auto breach =
      MessagesForEvent(Ev("TicketSlaEscalated", {{"ticket_id", 5},
                                                 {"kind", "breach"},
                                                 {"target", "resolution"},
                                                 {"assignee_id", 8}}));
  ASSERT_EQ(breach.size(), 1u);
  EXPECT_EQ(breach[0].kind, "ticket_sla_breached");
  auto warn = MessagesForEvent(
      Ev("TicketSlaEscalated",
         {{"ticket_id", 5}, {"kind", "near_breach"}, {"assignee_id", 8}}));
  ASSERT_EQ(warn.size(), 1u);
  EXPECT_EQ(warn[0].kind, "ticket_sla_warning");
  // An unassigned ticket's escalation has no inbox to go to.
  EXPECT_TRUE(MessagesForEvent(Ev("TicketSlaEscalated", {{"ticket_id", 5},
                                                         {"kind", "breach"},
                                                         {"assignee_id", 0}}))
                  .empty());
}

TEST(InboxRules, OpportunityStale) {
  auto out =
      MessagesForEvent(Ev("OpportunityStale", {{"opportunity_id", 3},
                                               {"owner_id", 7},
                                               {"opportunity_name", "大单"},
                                               {"idle_days", 30}}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "opportunity_stale");
  EXPECT_EQ(out[0].title, "商机停滞: 大单");
}

TEST(InboxRules, DirectPosts) {
  InboxMessage a =
      AccountAssigned(4, "华为", 7, "assign", absl::FromUnixSeconds(10));
  EXPECT_EQ(a.kind, "account_assigned");
  EXPECT_EQ(a.user_id, 7);
  EXPECT_EQ(a.dedupe_key, "account_assigned:4:10000000");
  InboxMessage w = RecycleWarning(4, "即将回收", 7, "recycle_warning:4:7:1");
  EXPECT_EQ(w.kind, "pool_recycle_warning");
  EXPECT_EQ(w.dedupe_key, "recycle_warning:4:7:1");
}

TEST(InboxRules, RankChangedOnlyWhenTheRankMoved) {
  auto up =
      MessagesForEvent(Ev("LeaderboardRankChanged", {{"owner_id", 7},
                                                     {"metric", "received"},
                                                     {"period", "2026-11"},
                                                     {"old_rank", 3},
                                                     {"new_rank", 1}}));
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].user_id, 7);
  EXPECT_EQ(up[0].kind, "rank_changed");
  EXPECT_EQ(up[0].entity_type, "leaderboard");
  EXPECT_EQ(up[0].entity_id, "received:2026-11");
  EXPECT_EQ(up[0].title, "2026-11 回款榜: 第 1 名");
  EXPECT_EQ(up[0].body, "上升 2 名 (原第 3 名)");
  EXPECT_EQ(up[0].dedupe_key, "0123456789abcdef0123456789abcdef:rank_changed");
  auto first =
      MessagesForEvent(Ev("LeaderboardRankChanged", {{"owner_id", 7},
                                                     {"period", "2026-11"},
                                                     {"old_rank", 0},
                                                     {"new_rank", 4}}));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "首次上榜");
  auto down =
      MessagesForEvent(Ev("LeaderboardRankChanged", {{"owner_id", 7},
                                                     {"period", "2026-11"},
                                                     {"old_rank", 2},
                                                     {"new_rank", 5}}));
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].body, "下降 3 名 (原第 2 名)");
  // Same rank, off the board, missing or bad fields: nothing.
  for (const nlohmann::json& p : std::vector<nlohmann::json>{
           {{"owner_id", 7},
            {"period", "2026-11"},
            {"old_rank", 2},
            {"new_rank", 2}},
           {{"owner_id", 7},
            {"period", "2026-11"},
            {"old_rank", 2},
            {"new_rank", 0}},
           {{"period", "2026-11"}, {"old_rank", 2}, {"new_rank", 1}},
           {{"owner_id", 7}, {"old_rank", 2}, {"new_rank", 1}},
           {{"owner_id", "x"},
            {"period", "2026-11"},
            {"old_rank", 2},
            {"new_rank", 1}},
           {{"owner_id", 7},
            {"period", "2026-11"},
            {"old_rank", -1},
            {"new_rank", 1}}}) {
    EXPECT_TRUE(MessagesForEvent(Ev("LeaderboardRankChanged", p)).empty())
        << p.dump();
  }
}

TEST(InboxRules, ApprovalWaitingForEachApproverButTheOwner) {
  const events::Event e =
      Ev("ApprovalStepWaiting", {{"contract_id", "41"},
                                 {"title", "年度服务合同"},
                                 {"owner_id", 7},
                                 {"owner_org_path", "/1/2/5/"},
                                 {"round", 1},
                                 {"step", 1},
                                 {"steps", 3},
                                 {"role", "boss"}});
  // Not in MessagesForEvent: the recipients need a lookup.
  EXPECT_TRUE(MessagesForEvent(e).empty());
  std::optional<StepWaiting> s = ParseStepWaiting(e);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->contract_id, "41");
  EXPECT_EQ(s->owner_org_path, "/1/2/5/");
  EXPECT_EQ(s->role, "boss");
  auto out = ApprovalWaiting(e, *s, {3, 7, 9, 0});
  ASSERT_EQ(out.size(), 2u);  // the owner (7) and 0 are left out
  EXPECT_EQ(out[0].user_id, 3);
  EXPECT_EQ(out[1].user_id, 9);
  EXPECT_EQ(out[0].kind, "approval_waiting");
  EXPECT_EQ(out[0].entity_type, "contract");
  EXPECT_EQ(out[0].entity_id, "41");
  EXPECT_EQ(out[0].title, "待你审批: 合同 #41 年度服务合同");
  EXPECT_EQ(out[0].body, "第 2/3 步, 审批角色 boss");
  EXPECT_EQ(out[0].dedupe_key,
            "0123456789abcdef0123456789abcdef:approval_waiting");
  for (const nlohmann::json& p :
       std::vector<nlohmann::json>{{{"owner_id", 7},
                                    {"owner_org_path", "/1/"},
                                    {"role", "boss"},
                                    {"step", 0}},
                                   {{"contract_id", "41"},
                                    {"owner_org_path", "/1/"},
                                    {"role", "boss"},
                                    {"step", 0}},
                                   {{"contract_id", "41"},
                                    {"owner_id", 7},
                                    {"role", "boss"},
                                    {"step", 0}},
                                   {{"contract_id", "41"},
                                    {"owner_id", 7},
                                    {"owner_org_path", "1/"},
                                    {"role", "boss"},
                                    {"step", 0}},
                                   {{"contract_id", "41"},
                                    {"owner_id", 7},
                                    {"owner_org_path", "/1/"},
                                    {"role", ""},
                                    {"step", 0}},
                                   {{"contract_id", "41"},
                                    {"owner_id", 7},
                                    {"owner_org_path", "/1/"},
                                    {"role", "boss"},
                                    {"step", -1}}}) {
    EXPECT_FALSE(ParseStepWaiting(Ev("ApprovalStepWaiting", p)).has_value())
        << p.dump();
  }
  EXPECT_FALSE(ParseStepWaiting(Ev("LeadAssigned", e.payload)).has_value());
}

}  // namespace
}  // namespace crm::accounts
