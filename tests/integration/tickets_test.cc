// The tickets service in-process against MariaDB and Redis, beside orders,
// accounts and identity: creation and eligibility, the pool grab (also
// concurrent), manual and automatic assignment, the status workflow, data
// scope, ratings and the once-only SLA escalation.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/client/client.h"
#include "services/tickets/domain/sla_clock.h"
#include "tests/testing/tickets_harness.h"

namespace crm::testing {
namespace {

namespace pb = crm::tickets::v1;
using grpc::StatusCode;

class TicketsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pb::TicketType consult;
    consult.set_key("consult");
    consult.set_name("Consultation");
    pb::SlaTarget* sla = consult.add_sla();
    sla->set_priority(pb::PRIORITY_NORMAL);
    sla->set_first_response_minutes(60);
    sla->set_resolution_minutes(120);
    ASSERT_TRUE(h_.UpsertType(consult).ok());
    pb::TicketType repair;
    repair.set_key("repair");
    repair.set_name("Repair");
    repair.set_requires_contract(true);
    repair.add_required_fields("serial");
    repair.set_required_skill("hardware");
    ASSERT_TRUE(h_.UpsertType(repair).ok());
    pb::TicketType paid = repair;
    paid.set_key("repair_paid");
    paid.set_billable_if_ineligible(true);
    ASSERT_TRUE(h_.UpsertType(paid).ok());

    rep_ = h_.User("rep.e1", "e1", "sales_rep");
    a1_ = h_.User("agent.1", "e1", "support_agent");
    a2_ = h_.User("agent.2", "e1", "support_agent");
    a3_ = h_.User("agent.3", "e2", "support_agent");
    manager_ = h_.User("sm.east", "east", "support_manager");
    group_ = h_.Group("east-support", "east");
    h_.AddAgent(group_, a1_.user_id, {"hardware"});
    h_.AddAgent(group_, a2_.user_id, {"hardware", "network"});
    other_group_ = h_.Group("north-support", "north");
    h_.AddAgent(other_group_, a3_.user_id);
    account_ = h_.orders().Account(rep_.token, "Acme Printing");
  }

  pb::Ticket Consult() {
    return TicketsHarness::Draft("consult", account_, group_);
  }
  int64_t NewTicket() { return h_.CreateOk(rep_.token, Consult()); }
  int64_t Count(const std::string& sql) { return h_.QueryInt(sql); }

  TicketsHarness h_;
  TicketsHarness::Login rep_, a1_, a2_, a3_, manager_;
  int64_t group_ = 0, other_group_ = 0, account_ = 0;
};

TEST_F(TicketsTest, CreatesANewTicketWithHistoryAndEvent) {
  pb::Ticket t;
  ASSERT_TRUE(h_.Create(rep_.token, Consult(), &t).ok());
  EXPECT_EQ(t.status(), pb::TICKET_STATUS_NEW);
  EXPECT_EQ(t.assignee_id(), 0);
  EXPECT_EQ(t.creator_id(), rep_.user_id);
  EXPECT_EQ(t.group_org_path(), h_.Path("east"));
  EXPECT_FALSE(t.billable());
  EXPECT_GT(t.resolution_due().seconds(), t.first_response_due().seconds());
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                  "'TicketCreated'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM ticket_history WHERE action = "
                  "'created'"),
            1);
}

TEST_F(TicketsTest, RequestIdReturnsTheFirstTicket) {
  pb::Ticket a, b;
  ASSERT_TRUE(h_.Create(rep_.token, Consult(), &a, "req-1").ok());
  ASSERT_TRUE(h_.Create(rep_.token, Consult(), &b, "req-1").ok());
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM tickets"), 1);
}

TEST_F(TicketsTest, BadInputNamesTheField) {
  auto expect = [&](pb::Ticket t, const std::string& field) {
    pb::Ticket out;
    grpc::Status s = h_.Create(rep_.token, t, &out);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_NE(s.error_message().find(field), std::string::npos)
        << s.error_message();
  };
  pb::Ticket t = Consult();
  t.clear_title();
  expect(t, "ticket.title");
  t = Consult();
  t.set_priority(pb::PRIORITY_UNSPECIFIED);
  expect(t, "ticket.priority");
  t = Consult();
  t.set_type_key("nope");
  expect(t, "ticket.type_key");
  t = Consult();
  t.set_channel(pb::CHANNEL_UNSPECIFIED);
  expect(t, "ticket.channel");
  t = Consult();
  t.set_group_id(999999);
  expect(t, "ticket.group_id");
  t = Consult();
  t.add_attachments()->set_name("no uri");
  expect(t, "ticket.attachments.uri");
  t = TicketsHarness::Draft("repair", account_, group_);
  expect(t, "ticket.fields.serial");
}

TEST_F(TicketsTest, AccountMustExistAndBeVisibleToTheCreator) {
  pb::Ticket t = Consult();
  t.set_account_id(987654);
  pb::Ticket out;
  EXPECT_EQ(h_.Create(rep_.token, t, &out).error_code(), StatusCode::NOT_FOUND);
  auto other = h_.User("rep.n1", "n1", "sales_rep");
  EXPECT_EQ(h_.Create(other.token, Consult(), &out).error_code(),
            StatusCode::NOT_FOUND);
  // Support staff serve every customer.
  EXPECT_TRUE(h_.Create(manager_.token, Consult(), &out).ok());
}

TEST_F(TicketsTest, RepairNeedsASignedContractInItsServicePeriod) {
  pb::Ticket t = TicketsHarness::Draft("repair", account_, group_);
  (*t.mutable_fields())["serial"] = "SN-1";
  pb::Ticket out;
  grpc::Status s = h_.Create(rep_.token, t, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("requires a contract_id"),
            std::string::npos);

  crm::orders::v1::Contract draft;
  ASSERT_TRUE(
      h_.orders()
          .Create(rep_.token, OrdersHarness::Draft(account_, 100000), &draft)
          .ok());
  t.set_contract_id(draft.id());
  s = h_.Create(rep_.token, t, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("not signed"), std::string::npos)
      << s.error_message();

  const std::string year =
      absl::FormatTime("%Y", absl::Now(), absl::UTCTimeZone());
  auto signed_c = h_.orders().SignedContract(
      rep_.token, OrdersHarness::Draft(account_, 100000, 1, year + "-01-01",
                                       year + "-12-31"));
  t.set_contract_id(signed_c.id());
  ASSERT_TRUE(h_.Create(rep_.token, t, &out).ok());
  EXPECT_FALSE(out.billable());

  auto old = h_.orders().SignedContract(
      rep_.token,
      OrdersHarness::Draft(account_, 100000, 1, "2020-01-01", "2020-12-31"));
  t.set_contract_id(old.id());
  s = h_.Create(rep_.token, t, &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("ended on 2020-12-31"), std::string::npos);
  // The paid type accepts it as billable.
  t.set_type_key("repair_paid");
  ASSERT_TRUE(h_.Create(rep_.token, t, &out).ok());
  EXPECT_TRUE(out.billable());
  EXPECT_NE(out.billable_reason().find("ended on"), std::string::npos);
}

TEST_F(TicketsTest, AgentGrabsFromThePoolOnce) {
  const int64_t id = NewTicket();
  pb::Ticket t;
  ASSERT_TRUE(h_.Grab(a1_.token, id, &t).ok());
  EXPECT_EQ(t.assignee_id(), a1_.user_id);
  EXPECT_EQ(t.status(), pb::TICKET_STATUS_ASSIGNED);
  EXPECT_TRUE(h_.Grab(a1_.token, id).ok());  // a retry is fine
  EXPECT_EQ(h_.Grab(a2_.token, id).error_code(), StatusCode::NOT_FOUND)
      << "assigned to another: no longer in a2's pool";
  EXPECT_EQ(h_.Grab(rep_.token, NewTicket()).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(h_.Grab(a3_.token, NewTicket()).error_code(), StatusCode::NOT_FOUND)
      << "not an agent of the ticket's group";
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                  "'TicketAssigned'"),
            1);
}

TEST_F(TicketsTest, ConcurrentGrabsHaveOneWinner) {
  const int64_t id = NewTicket();
  std::atomic<int> won{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    const std::string token = (i % 2 == 0 ? a1_ : a2_).token;
    threads.emplace_back([&, token] {
      if (h_.Grab(token, id).ok()) ++won;
    });
  }
  for (std::thread& t : threads) t.join();
  pb::Ticket t;
  ASSERT_TRUE(h_.Get(h_.Admin(), id, &t).ok());
  EXPECT_GE(won.load(), 1);
  // Only the winner's retries may succeed: one assignee, one event.
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                  "'TicketAssigned'"),
            1);
  EXPECT_NE(t.assignee_id(), 0);
}

TEST_F(TicketsTest, ManagerAssignsOnlyToAgentsOfTheGroup) {
  const int64_t id = NewTicket();
  EXPECT_EQ(h_.Assign(a1_.token, id, a2_.user_id).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(h_.Assign(manager_.token, id, a3_.user_id).error_code(),
            StatusCode::INVALID_ARGUMENT);
  pb::Ticket t;
  ASSERT_TRUE(h_.Assign(manager_.token, id, a2_.user_id, &t).ok());
  EXPECT_EQ(t.assignee_id(), a2_.user_id);
  EXPECT_EQ(t.status(), pb::TICKET_STATUS_ASSIGNED);
  auto north = h_.User("sm.north", "north", "support_manager");
  EXPECT_EQ(h_.Assign(north.token, id, a1_.user_id).error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(TicketsTest, AutoAssignPicksTheLeastLoadedThenRoundRobin) {
  pb::Ticket t;
  const int64_t first = NewTicket();
  ASSERT_TRUE(h_.Auto(manager_.token, first, &t).ok());
  const int64_t lower = std::min(a1_.user_id, a2_.user_id);
  const int64_t higher = std::max(a1_.user_id, a2_.user_id);
  EXPECT_EQ(t.assignee_id(), lower);  // tie at 0: lowest id first
  ASSERT_TRUE(h_.Auto(manager_.token, NewTicket(), &t).ok());
  EXPECT_EQ(t.assignee_id(), higher);  // least loaded
  ASSERT_TRUE(h_.Auto(manager_.token, NewTicket(), &t).ok());
  EXPECT_EQ(t.assignee_id(), lower);  // tie 1:1, round-robin after higher
  EXPECT_EQ(h_.Auto(manager_.token, first).error_code(),
            StatusCode::FAILED_PRECONDITION);
  // Another group: its only agent takes it.
  pb::Ticket north = Consult();
  north.set_group_id(other_group_);
  h_.AddAgent(other_group_, a3_.user_id, {}, true);
  auto nm = h_.User("sm.north", "north", "support_manager");
  const int64_t n = h_.CreateOk(rep_.token, north);
  ASSERT_TRUE(h_.Auto(nm.token, n, &t).ok());
  EXPECT_EQ(t.assignee_id(), a3_.user_id);
}

TEST_F(TicketsTest, StatusWorkflowAndIllegalMoves) {
  const int64_t id = NewTicket();
  EXPECT_EQ(
      h_.Move(manager_.token, id, pb::TICKET_STATUS_IN_PROGRESS).error_code(),
      StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(h_.Grab(a1_.token, id).ok());
  EXPECT_EQ(h_.Move(a2_.token, id, pb::TICKET_STATUS_IN_PROGRESS).error_code(),
            StatusCode::NOT_FOUND);
  EXPECT_EQ(h_.Move(rep_.token, id, pb::TICKET_STATUS_IN_PROGRESS).error_code(),
            StatusCode::PERMISSION_DENIED);
  pb::Ticket t;
  ASSERT_TRUE(h_.Move(a1_.token, id, pb::TICKET_STATUS_IN_PROGRESS, &t).ok());
  EXPECT_TRUE(t.has_first_response_at());
  ASSERT_TRUE(
      h_.Move(a1_.token, id, pb::TICKET_STATUS_WAITING_ON_CUSTOMER).ok());
  EXPECT_EQ(h_.Move(a1_.token, id, pb::TICKET_STATUS_CLOSED).error_code(),
            StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(h_.Move(a1_.token, id, pb::TICKET_STATUS_RESOLVED, &t).ok());
  EXPECT_TRUE(t.has_resolved_at());
  // The creator reopens, then closes after the second resolution.
  ASSERT_TRUE(h_.Move(rep_.token, id, pb::TICKET_STATUS_IN_PROGRESS).ok());
  ASSERT_TRUE(h_.Move(a1_.token, id, pb::TICKET_STATUS_RESOLVED).ok());
  ASSERT_TRUE(h_.Move(rep_.token, id, pb::TICKET_STATUS_CLOSED, &t).ok());
  EXPECT_EQ(t.status(), pb::TICKET_STATUS_CLOSED);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                  "'TicketResolved'"),
            2);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  pb::ListTicketHistoryRequest req;
  req.set_ticket_id(id);
  pb::ListTicketHistoryResponse history;
  ASSERT_TRUE(h_.stub().ListTicketHistory(&ctx, req, &history).ok());
  EXPECT_EQ(history.entries_size(), 8);  // created, assigned, 6 moves
}

TEST_F(TicketsTest, RatingAfterResolutionOnce) {
  const int64_t id = NewTicket();
  auto rate = [&](const std::string& token, int stars) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::RateTicketRequest req;
    req.set_id(id);
    req.set_satisfaction(stars);
    pb::Ticket out;
    return h_.stub().RateTicket(&ctx, req, &out).error_code();
  };
  EXPECT_EQ(rate(rep_.token, 6), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rate(rep_.token, 5), StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(h_.Grab(a1_.token, id).ok());
  ASSERT_TRUE(h_.Move(a1_.token, id, pb::TICKET_STATUS_RESOLVED).ok());
  EXPECT_EQ(rate(a1_.token, 5), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rate(rep_.token, 4), StatusCode::OK);
  EXPECT_EQ(rate(rep_.token, 5), StatusCode::FAILED_PRECONDITION);
}

TEST_F(TicketsTest, ScopeOfListsAndReads) {
  const int64_t pooled = NewTicket();
  const int64_t mine = NewTicket();
  ASSERT_TRUE(h_.Grab(a1_.token, mine).ok());
  pb::ListTicketsResponse list;
  ASSERT_TRUE(h_.List(a2_.token, {}, &list).ok());
  ASSERT_EQ(list.tickets_size(), 1);  // the pool, not a1's ticket
  EXPECT_EQ(list.tickets(0).id(), pooled);
  ASSERT_TRUE(h_.List(a1_.token, {}, &list).ok());
  EXPECT_EQ(list.tickets_size(), 2);
  ASSERT_TRUE(h_.List(a3_.token, {}, &list).ok());
  EXPECT_EQ(list.tickets_size(), 0);
  ASSERT_TRUE(h_.List(manager_.token, {}, &list).ok());
  EXPECT_EQ(list.tickets_size(), 2);
  pb::Ticket t;
  EXPECT_EQ(h_.Get(a3_.token, pooled, &t).error_code(), StatusCode::NOT_FOUND);
  pb::ListTicketsRequest req;
  req.set_unassigned_only(true);
  ASSERT_TRUE(h_.List(manager_.token, req, &list).ok());
  EXPECT_EQ(list.tickets_size(), 1);
  req.Clear();
  req.set_page_size(1);
  ASSERT_TRUE(h_.List(manager_.token, req, &list).ok());
  ASSERT_EQ(list.tickets_size(), 1);
  req.set_page_token(list.next_page_token());
  pb::ListTicketsResponse second;
  ASSERT_TRUE(h_.List(manager_.token, req, &second).ok());
  ASSERT_EQ(second.tickets_size(), 1);
  EXPECT_GT(second.tickets(0).id(), list.tickets(0).id());
  req.set_page_token("garbage");
  EXPECT_EQ(h_.List(manager_.token, req, &list).error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_F(TicketsTest, SlaEscalatesNearBreachAndBreachOnce) {
  pb::Ticket t;
  ASSERT_TRUE(h_.Create(rep_.token, Consult(), &t).ok());
  const tickets::Hours hours;  // the type's defaults: Mon-Fri 9-18 UTC+8
  const absl::Time created =
      absl::FromUnixSeconds(t.create_time().seconds() + 1);
  auto at = [&](int minutes) {
    return tickets::AddBusinessSeconds(hours, created, minutes * 60);
  };
  pb::RunSlaCheckResponse r;
  ASSERT_TRUE(h_.SlaCheck(at(30), &r).ok());
  EXPECT_EQ(r.near_breach() + r.breached(), 0);
  ASSERT_TRUE(h_.SlaCheck(at(48), &r).ok());  // 80% of the first response
  EXPECT_EQ(r.near_breach(), 1);
  EXPECT_EQ(r.breached(), 0);
  ASSERT_TRUE(h_.SlaCheck(at(50), &r).ok());  // not again
  EXPECT_EQ(r.near_breach() + r.breached(), 0);
  ASSERT_TRUE(h_.SlaCheck(at(60), &r).ok());
  EXPECT_EQ(r.breached(), 1);
  EXPECT_EQ(r.near_breach(), 0);
  ASSERT_TRUE(h_.SlaCheck(at(121), &r).ok());  // resolution: straight to breach
  EXPECT_EQ(r.breached(), 1);
  EXPECT_EQ(r.near_breach(), 0);
  ASSERT_TRUE(h_.SlaCheck(at(500), &r).ok());
  EXPECT_EQ(r.near_breach() + r.breached(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                  "'TicketSlaEscalated'"),
            3);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM ticket_history WHERE action "
                  "LIKE 'sla_%'"),
            3);
  ASSERT_TRUE(h_.Get(rep_.token, t.id(), &t).ok());
  EXPECT_TRUE(t.breached());
  pb::ListTicketsRequest req;
  req.set_breached_only(true);
  pb::ListTicketsResponse list;
  ASSERT_TRUE(h_.List(manager_.token, req, &list).ok());
  EXPECT_EQ(list.tickets_size(), 1);
  // Only admins run it.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, manager_.token);
  EXPECT_EQ(h_.stub().RunSlaCheck(&ctx, {}, &r).error_code(),
            StatusCode::PERMISSION_DENIED);
}

TEST_F(TicketsTest, ConfigurationRulesAndRoles) {
  pb::TicketType bad;
  bad.set_key("Bad Key");
  bad.set_name("x");
  EXPECT_EQ(h_.UpsertType(bad).error_code(), StatusCode::INVALID_ARGUMENT);
  bad.set_key("late");
  bad.mutable_hours()->set_start_minute(1000);
  bad.mutable_hours()->set_end_minute(900);
  EXPECT_EQ(h_.UpsertType(bad).error_code(), StatusCode::INVALID_ARGUMENT);
  pb::TicketType ok;
  ok.set_key("complaint");
  ok.set_name("Complaint");
  pb::TicketType out;
  ASSERT_TRUE(h_.UpsertType(ok, &out).ok());
  EXPECT_EQ(out.hours().utc_offset_minutes(), 480);
  EXPECT_EQ(out.reopen_days(), 7);
  EXPECT_EQ(out.near_breach_percent(), 80);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_.token);
  EXPECT_EQ(h_.stub().UpsertTicketType(&ctx, ok, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace crm::testing

namespace crm::testing {
namespace {

TEST_F(TicketsTest, StatsPerTypeAndAgent) {
  const int64_t a = NewTicket();
  NewTicket();
  ASSERT_TRUE(h_.Grab(a1_.token, a).ok());
  h_.clock().Advance(absl::Minutes(10));
  ASSERT_TRUE(h_.Move(a1_.token, a, pb::TICKET_STATUS_RESOLVED).ok());
  auto stats = [&](const std::string& token,
                   pb::GetTicketStatsRequest::GroupBy by,
                   pb::TicketStats* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::GetTicketStatsRequest req;
    req.set_group_by(by);
    return h_.stub().GetTicketStats(&ctx, req, out);
  };
  pb::TicketStats s;
  ASSERT_TRUE(
      stats(manager_.token, pb::GetTicketStatsRequest::GROUP_BY_TYPE, &s).ok());
  ASSERT_EQ(s.rows_size(), 1);
  EXPECT_EQ(s.rows(0).key(), "consult");
  EXPECT_EQ(s.rows(0).volume(), 2);
  EXPECT_EQ(s.rows(0).resolution_median_seconds(), 600);
  ASSERT_TRUE(
      stats(manager_.token, pb::GetTicketStatsRequest::GROUP_BY_AGENT, &s)
          .ok());
  EXPECT_EQ(s.rows_size(), 2);  // a1 and "0" (unassigned)
  EXPECT_EQ(
      stats(manager_.token, pb::GetTicketStatsRequest::GROUP_BY_UNSPECIFIED, &s)
          .error_code(),
      StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(
      stats(a3_.token, pb::GetTicketStatsRequest::GROUP_BY_TYPE, &s).ok());
  EXPECT_EQ(s.rows_size(), 0);  // scope: nothing visible
}

}  // namespace
}  // namespace crm::testing
