// Ticket SLA escalations reach the support manager: the tickets service's
// TicketSlaEscalated events (from its real outbox, through the relay and
// the Redis stream) become "ticket_escalation" tasks in the accounts task
// center for the nearest active support manager at or above the ticket's
// support group -- one per ticket, target and kind, also on replay.
// Unusable payloads, and groups without a support manager above them, are
// acknowledged without a task.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/auth/principal.h"
#include "common/auth/service_credentials.h"
#include "common/auth/token.h"
#include "common/client/client.h"
#include "common/client/manager_lookup.h"
#include "common/events/event.h"
#include "common/events/relay.h"
#include "common/redis/streams.h"
#include "services/accounts/accounts_service_events.h"
#include "services/tickets/domain/sla_clock.h"
#include "tests/testing/tickets_harness.h"

namespace crm::testing {
namespace {

namespace pb = crm::tickets::v1;
namespace acpb = crm::accounts::v1;

// 10:00 UTC+8 on the first Monday after today: inside the default business
// hours, and in the future (tokens are checked against the system clock
// too, so the harness clock may only move forward).
absl::Time NextMonday10() {
  const absl::TimeZone tz = absl::FixedTimeZone(8 * 3600);
  absl::CivilDay day = absl::ToCivilDay(absl::Now(), tz) + 1;
  while (absl::GetWeekday(day) != absl::Weekday::monday) ++day;
  return absl::FromCivil(
      absl::CivilSecond(day.year(), day.month(), day.day(), 10, 0, 0), tz);
}
const absl::Time kMonday10 = NextMonday10();

class AccountsTicketEventsTest : public ::testing::Test {
 protected:
  AccountsTicketEventsTest()
      : streams_(h_.redis()),
        consumers_(h_.orders().accounts().schema().Pool(), h_.redis(),
                   SharedClock(), accounts::ClaimRules{}, "test-1") {}

  std::shared_ptr<ManualClock> SharedClock() {
    return h_.orders().accounts().identity().shared_clock();
  }

  void SetUp() override {
    h_.clock().Set(kMonday10);
    lookup_ = h_.orders().accounts().identity().ManagerLookupFor(
        "accounts", std::string(auth::kRoleSupportManager));
    consumers_.EscalateTicketsTo(lookup_.get());

    pb::TicketType consult;
    consult.set_key("consult");
    consult.set_name("Consultation");
    pb::SlaTarget* sla = consult.add_sla();
    sla->set_priority(pb::PRIORITY_NORMAL);
    sla->set_first_response_minutes(60);
    sla->set_resolution_minutes(120);
    ASSERT_TRUE(h_.UpsertType(consult).ok());
    rep_ = h_.User("rep.e1", "e1", "sales_rep");
    east_ = h_.User("sm.east", "east", "support_manager");
    north_ = h_.User("sm.north", "north", "support_manager");
    sales_ = h_.User("mgr.e1", "e1", "sales_manager");  // not support
    group_ = h_.Group("e1-support", "e1");
    account_ = h_.orders().Account(rep_.token, "Escalation Co");
  }

  // Tickets' outbox -> the stream -> the accounts consumers.
  int Deliver() {
    events::OutboxRelay relay(h_.schema().Pool(), h_.redis(),
                              events::RelayOptions{.name = "tickets"});
    absl::StatusOr<int> published = relay.RunOnce();
    EXPECT_TRUE(published.ok()) << published.status();
    absl::StatusOr<int> n = consumers_.PollOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  void Publish(const std::string& event_id, const std::string& type,
               const nlohmann::json& payload) {
    events::Event e;
    e.event_id = event_id;
    e.type = type;
    e.aggregate_id = "1";
    e.payload = payload;
    e.occurred_at = h_.clock().Now();
    absl::StatusOr<std::string> id =
        streams_.XAdd(events::StreamFor("tickets"), events::EncodeEvent(e));
    ASSERT_TRUE(id.ok()) << id.status();
  }

  int Poll() {
    absl::StatusOr<int> n = consumers_.PollOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  acpb::ListTasksResponse TasksOf(const std::string& token) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    acpb::ListMyTasksRequest req;
    req.set_include_done(true);
    acpb::ListTasksResponse out;
    grpc::Status s = h_.orders().accounts().stub().ListMyTasks(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  int64_t EscalationTasks() {
    return h_.orders().accounts().QueryInt(
        "SELECT COUNT(*) AS c FROM tasks WHERE kind = 'ticket_escalation'",
        "c");
  }

  TicketsHarness h_;
  redis::Streams streams_;
  accounts::AccountsEventConsumers consumers_;
  std::unique_ptr<client::ManagerLookup> lookup_;
  TicketsHarness::Login rep_, east_, north_, sales_;
  int64_t group_ = 0, account_ = 0;
};

TEST_F(AccountsTicketEventsTest, EscalationsBecomeOneTaskEachForTheManager) {
  pb::Ticket t;
  ASSERT_TRUE(h_.Create(rep_.token,
                        TicketsHarness::Draft("consult", account_, group_), &t)
                  .ok());
  const tickets::Hours hours;
  const absl::Time created = absl::FromUnixSeconds(t.create_time().seconds());
  auto at = [&](int minutes) {
    return tickets::AddBusinessSeconds(hours, created + absl::Seconds(1),
                                       minutes * 60);
  };
  pb::RunSlaCheckResponse r;
  ASSERT_TRUE(h_.SlaCheck(at(48), &r).ok());  // first response near breach
  ASSERT_TRUE(h_.SlaCheck(at(61), &r).ok());  // first response breach
  ASSERT_EQ(r.breached(), 1);
  EXPECT_EQ(Deliver(), 3);  // TicketCreated too, acknowledged and ignored
  EXPECT_EQ(consumers_.tickets().stats().failed, 0);

  // The support manager of the region above team e1 has two tasks.
  acpb::ListTasksResponse tasks = TasksOf(east_.token);
  ASSERT_EQ(tasks.tasks_size(), 2);
  for (const acpb::Task& task : tasks.tasks()) {
    EXPECT_EQ(task.kind(), "ticket_escalation");
    EXPECT_EQ(task.account_id(), account_);
    EXPECT_NE(task.title().find(absl::StrCat("Ticket #", t.id())),
              std::string::npos)
        << task.title();
    EXPECT_NE(task.title().find("first-response SLA"), std::string::npos);
  }
  EXPECT_EQ(TasksOf(north_.token).tasks_size(), 0);
  EXPECT_EQ(TasksOf(sales_.token).tasks_size(), 0);

  // Resolution breaches later: one more task; re-runs raise nothing.
  ASSERT_TRUE(h_.SlaCheck(at(121), &r).ok());
  ASSERT_TRUE(h_.SlaCheck(at(500), &r).ok());
  EXPECT_EQ(Deliver(), 1);
  EXPECT_EQ(EscalationTasks(), 3);

  // Replays: the same events again (a relay crash before its bookkeeping)
  // and the same escalation under a new event id: no new task.
  auto conn = h_.schema().Pool()->Borrow();
  ASSERT_TRUE(conn.ok());
  auto rows = (*conn)->Query(
      "SELECT event_id, payload FROM outbox WHERE event_type = "
      "'TicketSlaEscalated' ORDER BY id",
      {});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  for (const auto& row : *rows) {
    const nlohmann::json payload = nlohmann::json::parse(row.String("payload"));
    Publish(row.String("event_id"), "TicketSlaEscalated", payload);
    Publish(events::NewEventId(), "TicketSlaEscalated", payload);
  }
  EXPECT_EQ(Poll(), 6);
  EXPECT_EQ(consumers_.tickets().stats().duplicates, 3);
  EXPECT_EQ(EscalationTasks(), 3);
  EXPECT_EQ(TasksOf(east_.token).tasks_size(), 3);
}

TEST_F(AccountsTicketEventsTest, NearestSupportManagerWins) {
  // A support manager placed at team e1 itself is nearer than the region's.
  const auto lead = h_.User("sm.e1", "e1", "support_manager");
  Publish(events::NewEventId(), "TicketSlaEscalated",
          {{"ticket_id", 41},
           {"kind", "breach"},
           {"target", "resolution"},
           {"manager_path", h_.Path("e1")},
           {"due_at", events::FormatOccurredAt(kMonday10)},
           {"account_id", account_}});
  EXPECT_EQ(Poll(), 1);
  acpb::ListTasksResponse tasks = TasksOf(lead.token);
  ASSERT_EQ(tasks.tasks_size(), 1);
  EXPECT_NE(tasks.tasks(0).title().find("breached its resolution SLA"),
            std::string::npos)
      << tasks.tasks(0).title();
  EXPECT_EQ(TasksOf(east_.token).tasks_size(), 0);
  // A breach is due within the hour.
  EXPECT_EQ(tasks.tasks(0).due_time().seconds(),
            absl::ToUnixSeconds(kMonday10 + absl::Hours(1)));
}

TEST_F(AccountsTicketEventsTest, NearBreachTaskIsDueAtTheSlaDueTime) {
  Publish(
      events::NewEventId(), "TicketSlaEscalated",
      {{"ticket_id", 42},
       {"kind", "near_breach"},
       {"target", "first_response"},
       {"manager_path", h_.Path("e1")},
       {"due_at", events::FormatOccurredAt(kMonday10 + absl::Minutes(30))}});
  EXPECT_EQ(Poll(), 1);
  acpb::ListTasksResponse tasks = TasksOf(east_.token);
  ASSERT_EQ(tasks.tasks_size(), 1);
  EXPECT_EQ(tasks.tasks(0).due_time().seconds(),
            absl::ToUnixSeconds(kMonday10 + absl::Minutes(30)));
  EXPECT_EQ(tasks.tasks(0).account_id(), 0);
}

TEST_F(AccountsTicketEventsTest, UnusablePayloadsAreAcknowledged) {
  const std::string e1 = h_.Path("e1");
  Publish(events::NewEventId(), "TicketSlaEscalated",
          {{"kind", "breach"}, {"target", "resolution"}, {"manager_path", e1}});
  Publish(events::NewEventId(), "TicketSlaEscalated",
          {{"ticket_id", 1},
           {"kind", "panic"},
           {"target", "resolution"},
           {"manager_path", e1}});
  Publish(events::NewEventId(), "TicketSlaEscalated",
          {{"ticket_id", 1},
           {"kind", "breach"},
           {"target", "lunch"},
           {"manager_path", e1}});
  Publish(events::NewEventId(), "TicketSlaEscalated",
          {{"ticket_id", 1},
           {"kind", "breach"},
           {"target", "resolution"},
           {"manager_path", "not-a-path"}});
  Publish(events::NewEventId(), "TicketSlaEscalated",
          {{"ticket_id", -3},
           {"kind", "breach"},
           {"target", "resolution"},
           {"manager_path", e1}});
  // Other ticket events are none of accounts' business.
  Publish(events::NewEventId(), "TicketCreated", {{"ticket_id", 1}});
  EXPECT_EQ(Poll(), 6);
  EXPECT_EQ(consumers_.tickets().stats().failed, 0);
  EXPECT_EQ(EscalationTasks(), 0);
}

TEST_F(AccountsTicketEventsTest, NoSupportManagerAboveTheGroupMeansNoTask) {
  // A group at the company root: no support manager is placed there.
  Publish(events::NewEventId(), "TicketSlaEscalated",
          {{"ticket_id", 7},
           {"kind", "breach"},
           {"target", "resolution"},
           {"manager_path", h_.Path("root")}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(consumers_.tickets().stats().failed, 0);
  EXPECT_EQ(EscalationTasks(), 0);
  // Without a lookup configured the event is acknowledged, not retried.
  accounts::AccountsEventConsumers bare(h_.orders().accounts().schema().Pool(),
                                        h_.redis(), SharedClock(),
                                        accounts::ClaimRules{}, "test-2");
  Publish(events::NewEventId(), "TicketSlaEscalated",
          {{"ticket_id", 8},
           {"kind", "breach"},
           {"target", "resolution"},
           {"manager_path", h_.Path("e1")}});
  absl::StatusOr<int> n = bare.tickets().PollOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(EscalationTasks(), 0);
}

}  // namespace
}  // namespace crm::testing
