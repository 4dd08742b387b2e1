// The message center fed by orders (ADR 0091): a submitted contract puts an
// "approval_waiting" message in the inbox of each user who may decide the
// step, and again for the next step's approvers when it advances — exactly
// once however often the events are replayed; a payment that moves its
// owner's rank on the month's board tells the owner ("rank_changed"), a
// payment that does not move it tells no one. Real orders, accounts and
// identity in-process; orders' outbox relayed to Redis and consumed by the
// accounts inbox consumers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/auth/service_credentials.h"
#include "common/client/client.h"
#include "common/client/manager_lookup.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "services/accounts/accounts_service_messages.h"
#include "tests/testing/orders_harness.h"

namespace crm {
namespace {

namespace pb = crm::orders::v1;
using ::testing::HasSubstr;
using testing::OrdersHarness;

class MessagesOrdersTest : public ::testing::Test {
 protected:
  MessagesOrdersTest()
      : inbox_(h_.accounts().schema().Pool(), h_.redis(),
               h_.accounts().identity().shared_clock(), "inbox-test"),
        relay_(h_.schema().Pool(), h_.redis(),
               events::RelayOptions{.name = "orders"}) {
    lookup_ = h_.accounts().identity().ManagerLookupFor("accounts");
    inbox_.ResolveApproversWith(lookup_.get());
  }

  // Relays orders' outbox and runs the inbox consumers once.
  void Deliver() {
    absl::StatusOr<int> published = relay_.RunOnce();
    ASSERT_TRUE(published.ok()) << published.status();
    absl::StatusOr<int> n = inbox_.PollOnce();
    ASSERT_TRUE(n.ok()) << n.status();
  }

  // Messages of `kind` in `user`'s inbox (for `entity_id` when given).
  int64_t Count(int64_t user, const std::string& kind,
                const std::string& entity_id = "") {
    std::string sql = absl::StrCat(
        "SELECT COUNT(*) AS c FROM inbox_messages WHERE user_id = ", user,
        " AND kind = '", kind, "'");
    if (!entity_id.empty())
      absl::StrAppend(&sql, " AND entity_id = '", entity_id, "'");
    return h_.accounts().QueryInt(sql, "c");
  }
  int64_t Total(const std::string& kind) {
    return h_.accounts().QueryInt(
        absl::StrCat("SELECT COUNT(*) AS c FROM inbox_messages WHERE kind = '",
                     kind, "'"),
        "c");
  }

  OrdersHarness h_;
  accounts::InboxConsumers inbox_;
  events::OutboxRelay relay_;
  std::unique_ptr<client::ManagerLookup> lookup_;
};

TEST_F(MessagesOrdersTest, SubmittedContractReachesTheApproversOnce) {
  auto rep = h_.User("rep.m1", "e1", "sales_rep");
  auto lead = h_.User("lead.m1", "e1", "sales_manager");     // team lead
  auto region = h_.User("mgr.m1", "east", "sales_manager");  // region
  auto other = h_.User("lead.m2", "e2", "sales_manager");    // other team
  auto north = h_.User("mgr.n1", "north", "sales_manager");  // other region
  auto fin = h_.User("fin.m1", "root", "finance");
  const int64_t account = h_.Account(rep.token, "消息中心审批测试有限公司");
  pb::Contract c;
  ASSERT_TRUE(
      h_.Create(rep.token, OrdersHarness::Draft(account, 500'000), &c).ok());
  const std::string id = absl::StrCat(c.id());
  ASSERT_TRUE(h_.Submit(rep.token, c.id()).ok());
  Deliver();

  // Step 0 (sales_manager): the managers whose scope covers the owner's
  // team, not the owner, not managers elsewhere, not finance yet.
  EXPECT_EQ(Count(lead.user_id, "approval_waiting", id), 1);
  EXPECT_EQ(Count(region.user_id, "approval_waiting", id), 1);
  EXPECT_EQ(Count(other.user_id, "approval_waiting"), 0);
  EXPECT_EQ(Count(north.user_id, "approval_waiting"), 0);
  EXPECT_EQ(Count(rep.user_id, "approval_waiting"), 0);
  EXPECT_EQ(Count(fin.user_id, "approval_waiting"), 0);
  EXPECT_EQ(h_.accounts().QueryInt(
                absl::StrCat("SELECT COUNT(*) AS c FROM inbox_messages WHERE "
                             "user_id = ",
                             lead.user_id,
                             " AND kind = 'approval_waiting' AND entity_type "
                             "= 'contract' AND title LIKE '%",
                             id, "%'"),
                "c"),
            1);

  // Replays: the relay sends every event again (a lost publish mark), and
  // again after the consumer forgot it processed them (a lost
  // processed_events row): still one message each.
  for (const char* forget :
       {"", "DELETE FROM processed_events WHERE consumer = 'inbox'"}) {
    if (*forget != '\0') {
      auto conn = h_.accounts().schema().Pool()->Borrow();
      ASSERT_TRUE(conn.ok());
      ASSERT_TRUE((*conn)->ExecRaw(forget).ok());
    }
    auto conn = h_.schema().Pool()->Borrow();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecRaw("UPDATE outbox SET published_at = NULL").ok());
    Deliver();
    EXPECT_EQ(Count(lead.user_id, "approval_waiting", id), 1) << forget;
    EXPECT_EQ(Count(region.user_id, "approval_waiting", id), 1) << forget;
    EXPECT_EQ(Total("approval_waiting"), 2) << forget;
  }

  // The manager approves step 0: step 1 (finance) waits; finance hears.
  ASSERT_TRUE(h_.Approve(lead.token, c.id(), 0).ok());
  Deliver();
  EXPECT_EQ(Count(fin.user_id, "approval_waiting", id), 1);
  EXPECT_EQ(Total("approval_waiting"), 3);
  // The last step approved: nothing more waits, nobody new is told.
  ASSERT_TRUE(h_.Approve(fin.token, c.id(), 1).ok());
  Deliver();
  EXPECT_EQ(Total("approval_waiting"), 3);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                        "'ApprovalStepWaiting'"),
            2);

  // Rejected and resubmitted: a new round starts at step 0 and tells the
  // managers again (a new event, so a new message).
  pb::Contract c2;
  ASSERT_TRUE(
      h_.Create(rep.token, OrdersHarness::Draft(account, 300'000), &c2).ok());
  ASSERT_TRUE(h_.Submit(rep.token, c2.id()).ok());
  ASSERT_TRUE(h_.Reject(region.token, c2.id(), 0, "价格过低").ok());
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep.token);
  pb::ResubmitContractRequest resubmit;
  resubmit.set_id(c2.id());
  pb::Contract out;
  ASSERT_TRUE(h_.stub().ResubmitContract(&ctx, resubmit, &out).ok());
  Deliver();
  EXPECT_EQ(Count(lead.user_id, "approval_waiting", absl::StrCat(c2.id())), 2);
}

TEST_F(MessagesOrdersTest, UnusableOrUnresolvableStepsPostNothing) {
  // A payload without an org path or role is acknowledged without a
  // message (it can never succeed), not retried forever.
  auto conn = h_.schema().Pool()->Borrow();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(events::AppendToOutbox(**conn, events::StreamFor("orders"),
                                     "ApprovalStepWaiting", "9",
                                     {{"contract_id", "9"}, {"owner_id", 1}},
                                     h_.clock().Now())
                  .ok());
  Deliver();
  EXPECT_EQ(Total("approval_waiting"), 0);
  EXPECT_EQ(h_.accounts().QueryInt(
                "SELECT COUNT(*) AS c FROM processed_events WHERE consumer = "
                "'inbox'",
                "c"),
            1);
  // A role nobody holds on the path: no message either.
  ASSERT_TRUE(events::AppendToOutbox(**conn, events::StreamFor("orders"),
                                     "ApprovalStepWaiting", "10",
                                     {{"contract_id", "10"},
                                      {"owner_id", 1},
                                      {"owner_org_path", h_.Path("n1")},
                                      {"role", "boss"},
                                      {"step", 0},
                                      {"steps", 1}},
                                     h_.clock().Now())
                  .ok());
  Deliver();
  EXPECT_EQ(Total("approval_waiting"), 0);
}

TEST_F(MessagesOrdersTest, RankChangeAfterAPaymentTellsThePayersOwner) {
  auto rep1 = h_.User("rep.k1", "e1", "sales_rep");
  auto rep2 = h_.User("rep.k2", "e2", "sales_rep");
  const std::string today =
      absl::FormatCivilTime(h_.calendar().DayOf(h_.clock().Now()));
  pb::Contract c1 = h_.SignedContract(
      rep1.token, OrdersHarness::Draft(
                      h_.Account(rep1.token, "排名一号有限公司"), 10'000'000));
  pb::Contract c2 = h_.SignedContract(
      rep2.token, OrdersHarness::Draft(
                      h_.Account(rep2.token, "排名二号有限公司"), 10'000'000));
  const std::string fin = h_.Finance();
  // The month's boards are built (as the leaderboard job or the first read
  // does in production, ADR 0095): ranks exist only on a built board.
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::GetLeaderboardRequest req;
    req.set_metric(pb::METRIC_RECEIVED_AMOUNT);
    req.set_period_kind(pb::PERIOD_KIND_MONTH);
    pb::Leaderboard board;
    grpc::Status s = h_.stub().GetLeaderboard(&ctx, req, &board);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // rep1's first payment this month: on the board at #1 (from nowhere).
  ASSERT_TRUE(h_.Pay(fin, c1.id(), 100'000, today, "rk-1").ok());
  Deliver();
  EXPECT_EQ(Count(rep1.user_id, "rank_changed"), 1);
  // rep2 pays more: rep2 enters at #1 (a change for rep2); rep1 drops to #2
  // but only the payer's owner is told (cheap by design).
  ASSERT_TRUE(h_.Pay(fin, c2.id(), 200'000, today, "rk-2").ok());
  Deliver();
  EXPECT_EQ(Count(rep2.user_id, "rank_changed"), 1);
  EXPECT_EQ(Count(rep1.user_id, "rank_changed"), 1);
  // rep2 pays again and stays #1: no change, no message.
  ASSERT_TRUE(h_.Pay(fin, c2.id(), 50'000, today, "rk-3").ok());
  Deliver();
  EXPECT_EQ(Count(rep2.user_id, "rank_changed"), 1);
  // rep1 overtakes rep2 (100k + 300k > 250k): #2 -> #1.
  ASSERT_TRUE(h_.Pay(fin, c1.id(), 300'000, today, "rk-4").ok());
  // A retried payment (same reference) changes nothing and tells no one.
  ASSERT_TRUE(h_.Pay(fin, c1.id(), 300'000, today, "rk-4").ok());
  Deliver();
  EXPECT_EQ(Count(rep1.user_id, "rank_changed"), 2);
  EXPECT_EQ(h_.accounts().QueryInt(
                absl::StrCat("SELECT COUNT(*) AS c FROM inbox_messages WHERE "
                             "user_id = ",
                             rep1.user_id,
                             " AND kind = 'rank_changed' AND title LIKE "
                             "'%第 1 名%' AND body LIKE '%上升 1 名%'"),
                "c"),
            1);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                        "'LeaderboardRankChanged'"),
            3);
  // Replayed: still one message per event.
  auto conn = h_.schema().Pool()->Borrow();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->ExecRaw("UPDATE outbox SET published_at = NULL").ok());
  Deliver();
  EXPECT_EQ(Total("rank_changed"), 3);
}

}  // namespace
}  // namespace crm
