// The tickets service in-process against MariaDB and Redis, beside orders,
// accounts and identity: creation and eligibility, the pool grab (also
// concurrent), manual and automatic assignment, the status workflow, data
// scope, ratings and the once-only SLA escalation.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/time/civil_time.h"
#include "common/client/client.h"
#include "services/tickets/domain/sla_clock.h"
#include "tests/testing/tickets_harness.h"

namespace crm::testing {
namespace {

namespace pb = crm::tickets::v1;
using grpc::StatusCode;

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

class TicketsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A known business moment (Monday 10:00 UTC+8, in the default business
    // hours) so business-time figures are deterministic; tokens are issued
    // after it.
    h_.clock().Set(kMonday10);
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
  // The harness clock's year in UTC+8 (contract service periods).
  std::string Year() {
    return absl::FormatTime("%Y", h_.clock().Now(),
                            absl::FixedTimeZone(8 * 3600));
  }
  // A fresh token for a user created in SetUp (after the clock moved on
  // more than a token's lifetime).
  std::string Relogin(const std::string& username) {
    return h_.orders().accounts().identity().Login(username, "Passw0rd-test");
  }

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

  const std::string year = Year();
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

namespace crm::testing {
namespace {

// Product coverage (ADR 0064): the contract's quote lines say which
// products it covers; the ticket names the product by id or SKU.
class TicketsCoverageTest : public TicketsTest {
 protected:
  void SetUp() override {
    TicketsTest::SetUp();
    pb::TicketType repair;
    repair.set_key("repair_cov");
    repair.set_name("Repair of a product");
    repair.set_requires_contract(true);
    repair.set_requires_product(true);
    ASSERT_TRUE(h_.UpsertType(repair).ok());
    repair.set_key("repair_cov_paid");
    repair.set_billable_if_ineligible(true);
    ASSERT_TRUE(h_.UpsertType(repair).ok());
    printer_ = h_.Product("PRN-100");
    scanner_ = h_.Product("SCN-200");
    laptop_ = h_.Product("LAP-300");
    quote_ = h_.Quote(rep_.token, account_, {printer_, scanner_});
    contract_ = h_.ContractFromQuote(rep_.token, quote_, Year());
  }

  pb::Ticket Repair(int64_t product_id, const std::string& sku = "",
                    int64_t contract_id = 0) {
    pb::Ticket t = TicketsHarness::Draft("repair_cov", account_, group_);
    t.set_contract_id(contract_id > 0 ? contract_id : contract_.id());
    t.set_product_id(product_id);
    t.set_product_sku(sku);
    return t;
  }

  grpc::Status Create(const pb::Ticket& t, pb::Ticket* out,
                      const std::string& token = "") {
    return h_.Create(token.empty() ? rep_.token : token, t, out);
  }

  int64_t printer_ = 0, scanner_ = 0, laptop_ = 0;
  crm::orders::v1::Quote quote_;
  crm::orders::v1::Contract contract_;
};

TEST_F(TicketsCoverageTest, ProductOnTheContractsQuoteIsCovered) {
  pb::Ticket out;
  ASSERT_TRUE(Create(Repair(printer_), &out).ok());
  EXPECT_EQ(out.product_id(), printer_);
  EXPECT_EQ(out.product_sku(), "PRN-100");  // filled from the catalogue
  EXPECT_FALSE(out.billable());
  // By SKU alone (any case): the catalogue's id and spelling are stored.
  ASSERT_TRUE(Create(Repair(0, "scn-200"), &out).ok());
  EXPECT_EQ(out.product_id(), scanner_);
  EXPECT_EQ(out.product_sku(), "SCN-200");
  // Both, naming the same product.
  ASSERT_TRUE(Create(Repair(scanner_, "SCN-200"), &out).ok());
  pb::Ticket got;
  ASSERT_TRUE(h_.Get(rep_.token, out.id(), &got).ok());
  EXPECT_EQ(got.product_id(), scanner_);
  EXPECT_EQ(got.product_sku(), "SCN-200");
  // Support staff (service token for the quote) get the same answer.
  ASSERT_TRUE(Create(Repair(printer_), &out, manager_.token).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                  "'TicketCreated' AND payload LIKE '%\"product_id\":" +
                  std::to_string(scanner_) + "%'"),
            2);
}

TEST_F(TicketsCoverageTest, ProductNotOnTheQuoteIsNotCovered) {
  pb::Ticket out;
  grpc::Status s = Create(Repair(laptop_), &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            absl::StrCat("not eligible for free service: contract ",
                         contract_.id(), " does not cover product LAP-300 (id ",
                         laptop_, "): not on quote ", quote_.id()));
  // The paid type accepts it as billable, saying why.
  pb::Ticket paid = Repair(0, "LAP-300");
  paid.set_type_key("repair_cov_paid");
  ASSERT_TRUE(Create(paid, &out).ok());
  EXPECT_TRUE(out.billable());
  EXPECT_NE(out.billable_reason().find("does not cover product LAP-300"),
            std::string::npos);
  EXPECT_EQ(out.product_id(), laptop_);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM tickets"), 1);
}

TEST_F(TicketsCoverageTest, ContractWithoutQuoteCoversNoProduct) {
  auto bare = h_.orders().SignedContract(
      rep_.token, OrdersHarness::Draft(account_, 100000, 1, Year() + "-01-01",
                                       Year() + "-12-31"));
  pb::Ticket out;
  grpc::Status s = Create(Repair(printer_, "", bare.id()), &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("has no quote listing its products"),
            std::string::npos)
      << s.error_message();
  // A type that does not ask for a product still takes that contract
  // (the product, when named, is then checked).
  pb::Ticket plain = TicketsHarness::Draft("repair", account_, group_);
  (*plain.mutable_fields())["serial"] = "SN-9";
  plain.set_contract_id(bare.id());
  ASSERT_TRUE(Create(plain, &out).ok());
  EXPECT_EQ(out.product_id(), 0);
  plain.set_product_id(printer_);
  EXPECT_EQ(Create(plain, &out).error_code(), StatusCode::FAILED_PRECONDITION);
}

TEST_F(TicketsCoverageTest, RenewalWithoutQuoteCoversWhatItRenews) {
  crm::orders::v1::Contract draft = OrdersHarness::Draft(
      account_, 50000, 1, Year() + "-01-01", Year() + "-12-31");
  draft.set_type(crm::orders::v1::CONTRACT_TYPE_RENEWAL);
  draft.set_predecessor_contract_id(contract_.id());
  auto renewal = h_.orders().SignedContract(rep_.token, draft);
  ASSERT_EQ(renewal.quote_id(), 0);
  pb::Ticket out;
  ASSERT_TRUE(Create(Repair(printer_, "", renewal.id()), &out).ok());
  EXPECT_FALSE(out.billable());
  grpc::Status s = Create(Repair(laptop_, "", renewal.id()), &out);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find(absl::StrCat("not on quote ", quote_.id())),
            std::string::npos)
      << s.error_message();
}

TEST_F(TicketsCoverageTest, BadProductInputNamesTheField) {
  auto expect = [&](const pb::Ticket& t, const std::string& field) {
    pb::Ticket out;
    grpc::Status s = Create(t, &out);
    EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_NE(s.error_message().find(field), std::string::npos)
        << s.error_message();
  };
  expect(Repair(0), "ticket.product_id");  // the type requires a product
  expect(Repair(-1), "ticket.product_id");
  expect(Repair(987654), "ticket.product_id");
  expect(Repair(0, "NOPE-1"), "ticket.product_sku");
  expect(Repair(printer_, "SCN-200"), "ticket.product_sku");
  expect(Repair(0, std::string(65, 'A')), "ticket.product_sku");
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM tickets"), 0);
}

TEST_F(TicketsCoverageTest, ProductOnATypeWithoutContractIsOnlyResolved) {
  pb::Ticket t = Consult();
  t.set_product_sku("LAP-300");
  pb::Ticket out;
  ASSERT_TRUE(Create(t, &out).ok());
  EXPECT_EQ(out.product_id(), laptop_);
  EXPECT_FALSE(out.billable());
}

// Stats in business time (ADR 0065): the clock moves through a night, a
// pause and a reopen; wall-clock figures would be hours larger.
TEST_F(TicketsTest, StatsUseBusinessTimeWithoutPauses) {
  // Created Mon 17:30 local; grabbed and answered Tue 09:20 (50 min
  // business, 15h50m wall-clock); waiting on the customer Tue 10:00 -> Wed
  // 10:00 (9h business paused); resolved Wed 10:10: 0.5h + 9h + 1h10m - 9h
  // = 100 min business (40h40m wall-clock).
  h_.clock().Set(kMonday10 + absl::Minutes(450));
  const int64_t id = h_.CreateOk(Relogin("rep.e1"), Consult());
  h_.clock().Set(kMonday10 + absl::Hours(23) + absl::Minutes(20));
  ASSERT_TRUE(h_.Grab(Relogin("agent.1"), id).ok());
  ASSERT_TRUE(
      h_.Move(Relogin("agent.1"), id, pb::TICKET_STATUS_IN_PROGRESS).ok());
  h_.clock().Advance(absl::Minutes(40));
  ASSERT_TRUE(
      h_.Move(Relogin("agent.1"), id, pb::TICKET_STATUS_WAITING_ON_CUSTOMER)
          .ok());
  h_.clock().Advance(absl::Hours(24));
  ASSERT_TRUE(
      h_.Move(Relogin("agent.1"), id, pb::TICKET_STATUS_IN_PROGRESS).ok());
  h_.clock().Advance(absl::Minutes(10));
  pb::Ticket t;
  ASSERT_TRUE(
      h_.Move(Relogin("agent.1"), id, pb::TICKET_STATUS_RESOLVED, &t).ok());
  EXPECT_EQ(t.paused_seconds(), 9 * 3600);

  grpc::ClientContext ctx;
  client::Prepare(&ctx, Relogin("sm.east"));
  pb::GetTicketStatsRequest req;
  req.set_group_by(pb::GetTicketStatsRequest::GROUP_BY_AGENT);
  *req.mutable_from() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(kMonday10));
  pb::TicketStats s;
  ASSERT_TRUE(h_.stub().GetTicketStats(&ctx, req, &s).ok());
  ASSERT_EQ(s.rows_size(), 1);
  EXPECT_EQ(s.rows(0).key(), std::to_string(a1_.user_id));
  EXPECT_EQ(s.rows(0).volume(), 1);
  EXPECT_EQ(s.rows(0).first_response_median_seconds(), 50 * 60);
  EXPECT_EQ(s.rows(0).first_response_p90_seconds(), 50 * 60);
  EXPECT_EQ(s.rows(0).resolution_median_seconds(), 100 * 60);
  EXPECT_EQ(s.rows(0).resolution_p90_seconds(), 100 * 60);
  // Consult budgets are 60 / 120 business minutes: met (wall-clock would
  // say both breached).
  EXPECT_EQ(s.rows(0).breach_rate(), 0);
}

TEST_F(TicketsTest, StatsCountABreachBeforeTheSlaPass) {
  const int64_t id = NewTicket();  // Mon 10:00, 60 min first response
  h_.clock().Advance(absl::Minutes(61));
  const std::string a1 = Relogin("agent.1");
  ASSERT_TRUE(h_.Grab(a1, id).ok());
  ASSERT_TRUE(h_.Move(a1, id, pb::TICKET_STATUS_IN_PROGRESS).ok());
  h_.CreateOk(Relogin("rep.e1"), Consult());  // fresh, not breached
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Relogin("sm.east"));
  pb::GetTicketStatsRequest req;
  req.set_group_by(pb::GetTicketStatsRequest::GROUP_BY_TYPE);
  pb::TicketStats s;
  ASSERT_TRUE(h_.stub().GetTicketStats(&ctx, req, &s).ok());
  ASSERT_EQ(s.rows_size(), 1);
  EXPECT_EQ(s.rows(0).volume(), 2);
  EXPECT_DOUBLE_EQ(s.rows(0).breach_rate(), 0.5);
  EXPECT_EQ(s.rows(0).first_response_median_seconds(), 61 * 60);
}

}  // namespace
}  // namespace crm::testing

namespace crm::testing {
namespace {

TEST_F(TicketsTest, InternalCommentsAreForSupportStaffOnly) {
  const int64_t id = NewTicket();
  ASSERT_TRUE(h_.Grab(a1_.token, id).ok());
  auto add = [&](const std::string& token, const std::string& body,
                 bool visible) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::AddCommentRequest req;
    req.set_ticket_id(id);
    req.set_body(body);
    req.set_customer_visible(visible);
    pb::Comment out;
    return h_.stub().AddComment(&ctx, req, &out);
  };
  auto list = [&](const std::string& token) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListCommentsRequest req;
    req.set_ticket_id(id);
    pb::ListCommentsResponse out;
    EXPECT_TRUE(h_.stub().ListComments(&ctx, req, &out).ok());
    std::vector<std::string> bodies;
    for (const pb::Comment& c : out.comments()) bodies.push_back(c.body());
    return bodies;
  };
  ASSERT_TRUE(add(a1_.token, "suspect the fuser", false).ok());
  pb::Ticket t;
  ASSERT_TRUE(h_.Get(a1_.token, id, &t).ok());
  EXPECT_FALSE(t.has_first_response_at()) << "an internal note is no answer";
  ASSERT_TRUE(add(a1_.token, "we are on it", true).ok());
  ASSERT_TRUE(h_.Get(a1_.token, id, &t).ok());
  EXPECT_TRUE(t.has_first_response_at());
  ASSERT_TRUE(add(rep_.token, "my own note", false).ok());
  using V = std::vector<std::string>;
  EXPECT_EQ(list(rep_.token), (V{"we are on it", "my own note"}));
  EXPECT_EQ(list(a1_.token),
            (V{"suspect the fuser", "we are on it", "my own note"}));
  EXPECT_EQ(list(manager_.token).size(), 3u);
  // Bad input and closed tickets.
  EXPECT_EQ(add(a1_.token, "", true).error_code(),
            StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(add(a1_.token, std::string(5001, 'x'), true).error_code(),
            StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(add(a3_.token, "not my group", true).error_code(),
            StatusCode::NOT_FOUND);
  ASSERT_TRUE(h_.Move(a1_.token, id, pb::TICKET_STATUS_RESOLVED).ok());
  ASSERT_TRUE(h_.Move(rep_.token, id, pb::TICKET_STATUS_CLOSED).ok());
  EXPECT_EQ(add(a1_.token, "late", true).error_code(),
            StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace crm::testing
