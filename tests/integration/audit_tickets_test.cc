// The audit log for tickets (issue 10, ADR 0074): create, assign and status
// changes each leave one entry with its actor, the group's org path as the
// scope, and the status/assignee change as a field change.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/tickets_harness.h"

namespace crm {
namespace {

namespace pb = crm::tickets::v1;
using testing::TicketsHarness;

TEST(AuditTickets, CreateAssignAndStatusAreAudited) {
  TicketsHarness h;
  pb::TicketType consult;
  consult.set_key("consult");
  consult.set_name("Consultation");
  pb::SlaTarget* sla = consult.add_sla();
  sla->set_priority(pb::PRIORITY_NORMAL);
  sla->set_first_response_minutes(60);
  sla->set_resolution_minutes(120);
  ASSERT_TRUE(h.UpsertType(consult).ok());
  auto rep = h.User("rep.e1", "e1", "sales_rep");
  auto agent = h.User("agent.1", "e1", "support_agent");
  auto manager = h.User("sm.east", "east", "support_manager");
  const int64_t group = h.Group("east-support", "east");
  h.AddAgent(group, agent.user_id);
  const int64_t account = h.orders().Account(rep.token, "Audit Printing");

  pb::Ticket created;
  ASSERT_TRUE(h.Create(rep.token,
                       TicketsHarness::Draft("consult", account, group),
                       &created, "tk-req-1")
                  .ok());
  ASSERT_TRUE(h.Assign(manager.token, created.id(), agent.user_id).ok());
  ASSERT_TRUE(
      h.Move(agent.token, created.id(), pb::TICKET_STATUS_IN_PROGRESS).ok());

  const std::string id = absl::StrCat(created.id());
  auto count = [&](const std::string& where) {
    return h.QueryInt(
        absl::StrCat("SELECT COUNT(*) AS c FROM audit_log WHERE"
                     " entity_type = 'ticket' AND entity_id = '",
                     id, "' AND ", where));
  };
  EXPECT_EQ(count(absl::StrCat("action = 'created' AND actor_id = ",
                               rep.user_id, " AND request_id = 'tk-req-1'")),
            1);
  EXPECT_EQ(
      count(absl::StrCat("action = 'assigned' AND actor_id = ", manager.user_id,
                         " AND owner_id = ", agent.user_id, " AND changes LIKE",
                         " '%assignee_id%'")),
      1);
  EXPECT_EQ(
      count(absl::StrCat("action = 'status' AND actor_id = ", agent.user_id,
                         " AND changes LIKE '%\"f\":\"status\"%'")),
      1);
  // Scope: every entry carries the group's org path.
  EXPECT_EQ(count(absl::StrCat("owner_org_path = '", h.Path("east"), "'")),
            count("TRUE"));
  EXPECT_GE(count("TRUE"), 3);
}

}  // namespace
}  // namespace crm
