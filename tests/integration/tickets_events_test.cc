// The tickets consumer of identity's events (ADR 0099): UserDeactivated
// makes a departed agent inactive in every support group and takes them off
// their open tickets (an untouched one back to the queue as NEW, a worked
// one keeping its status); closed tickets and other agents' stay;
// redelivery and bad payloads are harmless.
#include "services/tickets/tickets_events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "tests/testing/test_events.h"
#include "tests/testing/tickets_harness.h"

namespace crm::tickets {
namespace {

namespace pb = crm::tickets::v1;
using testing::TicketsHarness;

class TicketsEventsTest : public ::testing::Test {
 protected:
  TicketsEventsTest()
      : consumers_(NewTicketsEventConsumer(
            h_.schema().Pool(), h_.redis(),
            h_.orders().accounts().identity().shared_clock(), "test-1")) {}

  void SetUp() override {
    pb::TicketType consult;
    consult.set_key("consult");
    consult.set_name("Consultation");
    ASSERT_TRUE(h_.UpsertType(consult).ok());
    rep_ = h_.User("rep.e1", "e1", "sales_rep");
    leaver_ = h_.User("agent.leaver", "e1", "support_agent");
    stayer_ = h_.User("agent.stayer", "e1", "support_agent");
    group_ = h_.Group("east-support", "east");
    other_group_ = h_.Group("north-support", "north");
    h_.AddAgent(group_, leaver_.user_id);
    h_.AddAgent(group_, stayer_.user_id);
    h_.AddAgent(other_group_, leaver_.user_id);
    account_ = h_.orders().Account(rep_.token, "Acme Printing");
  }

  void Deactivated(const std::string& event_id, const nlohmann::json& body) {
    testing::PublishEvent(h_.redis(), "identity", event_id, "UserDeactivated",
                          body, h_.clock().Now());
  }
  int Poll() {
    auto n = consumers_->PollOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }
  // A ticket of the group grabbed by `agent` (ASSIGNED).
  int64_t Grabbed(const TicketsHarness::Login& agent) {
    const int64_t id = h_.CreateOk(
        rep_.token, TicketsHarness::Draft("consult", account_, group_));
    EXPECT_TRUE(h_.Grab(agent.token, id).ok());
    return id;
  }
  pb::Ticket Read(int64_t id) {
    pb::Ticket t;
    grpc::Status s = h_.Get(h_.Admin(), id, &t);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return t;
  }
  int64_t Count(const std::string& sql) { return h_.QueryInt(sql); }

  TicketsHarness h_;
  std::unique_ptr<events::StreamConsumer> consumers_;
  TicketsHarness::Login rep_, leaver_, stayer_;
  int64_t group_ = 0, other_group_ = 0, account_ = 0;
};

TEST_F(TicketsEventsTest, ADepartedAgentLeavesGroupsAndTheirOpenTickets) {
  const int64_t untouched = Grabbed(leaver_);
  const int64_t worked = Grabbed(leaver_);
  ASSERT_TRUE(
      h_.Move(leaver_.token, worked, pb::TICKET_STATUS_IN_PROGRESS).ok());
  const int64_t done = Grabbed(leaver_);
  ASSERT_TRUE(h_.Move(leaver_.token, done, pb::TICKET_STATUS_RESOLVED).ok());
  const int64_t theirs = Grabbed(stayer_);

  const std::string event_id = events::NewEventId();
  const nlohmann::json left = {{"user_id", leaver_.user_id},
                               {"org_path", h_.Path("e1")}};
  Deactivated(event_id, left);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(consumers_->stats().failed, 0);

  // Not worked yet: back to the queue, anyone in the group can grab it.
  pb::Ticket t = Read(untouched);
  EXPECT_EQ(t.assignee_id(), 0);
  EXPECT_EQ(t.status(), pb::TICKET_STATUS_NEW);
  EXPECT_TRUE(h_.Grab(stayer_.token, untouched).ok());
  // Worked: unassigned, status kept for a manager or AutoAssign.
  t = Read(worked);
  EXPECT_EQ(t.assignee_id(), 0);
  EXPECT_EQ(t.status(), pb::TICKET_STATUS_IN_PROGRESS);
  // Resolved: stays on record with who resolved it.
  EXPECT_EQ(Read(done).assignee_id(), leaver_.user_id);
  EXPECT_EQ(Read(theirs).assignee_id(), stayer_.user_id);
  // No longer an agent anywhere: automatic assignment skips them.
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM group_agents "
                               "WHERE active = 1 AND user_id = ",
                               leaver_.user_id)),
            0);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM group_agents WHERE active = 1"),
            1);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM ticket_history "
                               "WHERE action = 'unassigned' AND detail = "
                               "'agent ",
                               leaver_.user_id, " was deactivated'")),
            2);

  // Redelivered: nothing left to change, no second history row.
  Deactivated(event_id, left);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM ticket_history WHERE action = "
                  "'unassigned'"),
            2);

  // A bad payload is acknowledged and changes nothing.
  Deactivated(events::NewEventId(), {{"user_id", "x"}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Read(theirs).assignee_id(), stayer_.user_id);
}

}  // namespace
}  // namespace crm::tickets
