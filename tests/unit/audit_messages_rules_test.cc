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

}  // namespace
}  // namespace crm::accounts
