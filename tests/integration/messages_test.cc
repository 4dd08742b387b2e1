// The message center (issue 10): events of every mapped kind reach the right
// inbox once (replays and duplicates too), the accounts service's own
// assignments and recycle warnings post directly, unread counts, keyset
// listing, mark-read (one and all), and that a user only ever sees their
// own inbox.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "common/client/client.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/redis/streams.h"
#include "common/server/server.h"
#include "crm/messages/v1/messages.grpc.pb.h"
#include "services/accounts/accounts_service_messages.h"
#include "tests/testing/accounts_harness.h"
#include "tests/testing/test_redis.h"

namespace crm {
namespace {

namespace mpb = crm::messages::v1;
namespace acc = crm::accounts::v1;
using testing::AccountsHarness;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MessagesTest : public ::testing::Test {
 protected:
  MessagesTest()
      : redis_("inbox"),
        service_(h_.schema().Pool(), h_.identity().shared_clock()),
        inbox_(h_.schema().Pool(), redis_.get(), h_.identity().shared_clock(),
               "test-replica"),
        admin_(h_.Admin()),
        rep_(h_.User("rep_e1", "e1", "sales_rep")),
        rep2_(h_.User("rep_e2", "e2", "sales_rep")),
        mgr_(h_.User("mgr_east", "east", "sales_manager")) {
    auto codec = auth::TokenCodec::Create(testing::kTestTokenKey,
                                          h_.identity().shared_clock());
    server::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.shutdown_grace = absl::Seconds(1);
    host_ = std::make_unique<server::ServiceHost>(
        o, std::make_shared<const auth::TokenCodec>(*codec));
    host_->AddService(&service_);
    EXPECT_TRUE(host_->Start().ok());
    stub_ =
        mpb::MessagesService::NewStub(client::MakeChannel(host_->address()));
  }
  ~MessagesTest() override { host_->Shutdown(); }

  // Publishes an event on "events:<svc>" as the relay would; returns its id.
  std::string Publish(const std::string& svc, const std::string& type,
                      const nlohmann::json& payload,
                      std::string event_id = "") {
    events::Event e;
    e.event_id = event_id.empty() ? events::NewEventId() : event_id;
    e.type = type;
    e.aggregate_id = "1";
    e.payload = payload;
    e.occurred_at = h_.clock().Now();
    redis::Streams streams(redis_.get());
    EXPECT_TRUE(
        streams.XAdd(events::StreamFor(svc), events::EncodeEvent(e)).ok());
    return e.event_id;
  }
  void Drain() {
    absl::StatusOr<int> n = inbox_.PollOnce();
    ASSERT_TRUE(n.ok()) << n.status();
  }

  std::vector<mpb::Message> List(const std::string& token,
                                 bool unread_only = false,
                                 const std::string& kind = "") {
    std::vector<mpb::Message> out;
    mpb::ListMessagesRequest req;
    req.set_unread_only(unread_only);
    req.set_kind(kind);
    req.set_page_size(2);
    while (true) {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, token);
      mpb::ListMessagesResponse resp;
      grpc::Status s = stub_->ListMessages(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& m : resp.messages()) out.push_back(m);
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  }
  static std::vector<std::string> Kinds(const std::vector<mpb::Message>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(m.kind());
    return out;
  }
  mpb::UnreadCount Unread(const std::string& token) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    mpb::UnreadCount out;
    EXPECT_TRUE(stub_->GetUnreadCount(&ctx, {}, &out).ok());
    return out;
  }
  grpc::Status MarkRead(const std::string& token, int64_t id,
                        mpb::Message* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    mpb::MarkReadRequest req;
    req.set_id(id);
    mpb::Message ignored;
    return stub_->MarkRead(&ctx, req, out ? out : &ignored);
  }
  int64_t MarkAll(const std::string& token) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    mpb::MarkAllReadResponse out;
    EXPECT_TRUE(stub_->MarkAllRead(&ctx, {}, &out).ok());
    return out.marked();
  }

  AccountsHarness h_;
  testing::TestRedisPool redis_;
  accounts::MessagesServiceImpl service_;
  accounts::InboxConsumers inbox_;
  std::unique_ptr<server::ServiceHost> host_;
  std::unique_ptr<mpb::MessagesService::Stub> stub_;
  std::string admin_;
  AccountsHarness::Login rep_, rep2_, mgr_;
};

TEST_F(MessagesTest, EveryMappedEventKindReachesItsInbox) {
  Publish("leads", "LeadAssigned",
          {{"lead_id", 31},
           {"owner_id", rep_.user_id},
           {"assigned_by", mgr_.user_id}});
  Publish("orders", "InstallmentOverdue",
          {{"contract_id", "41"},
           {"installment_id", 1},
           {"owner_id", rep_.user_id},
           {"amount_due_minor", 50000},
           {"due_date", "2026-11-01"},
           {"days_overdue", 5}});
  Publish("tickets", "TicketAssigned",
          {{"ticket_id", 51},
           {"assignee_id", rep_.user_id},
           {"actor_id", mgr_.user_id},
           {"mode", "manual"}});
  Publish("tickets", "TicketSlaEscalated",
          {{"ticket_id", 51},
           {"kind", "breach"},
           {"target", "resolution"},
           {"assignee_id", rep_.user_id},
           {"due_at", "2026-11-25T10:00:00Z"}});
  Publish("opportunities", "OpportunityStale",
          {{"opportunity_id", 61},
           {"owner_id", rep_.user_id},
           {"opportunity_name", "停滞商机"},
           {"idle_days", 21}});
  // Events that concern no inbox.
  Publish("leads", "LeadCreated", {{"lead_id", 32}});
  Publish("tickets", "TicketAssigned",
          {{"ticket_id", 52},
           {"assignee_id", rep2_.user_id},
           {"actor_id", rep2_.user_id},
           {"mode", "grab"}});
  Drain();

  auto mine = List(rep_.token);
  EXPECT_THAT(Kinds(mine),
              ElementsAre("opportunity_stale", "ticket_sla_breached",
                          "ticket_assigned", "payment_overdue",
                          "lead_assigned"));  // newest first
  EXPECT_EQ(mine.back().entity_type(), "lead");
  EXPECT_EQ(mine.back().entity_id(), "31");
  EXPECT_FALSE(mine.back().read());
  EXPECT_FALSE(mine.back().source_event_id().empty());
  EXPECT_TRUE(List(rep2_.token).empty());  // a grab notifies no one
  mpb::UnreadCount n = Unread(rep_.token);
  EXPECT_EQ(n.total(), 5);
  EXPECT_EQ(n.by_kind().at("payment_overdue"), 1);
}

TEST_F(MessagesTest, ReplaysAndDuplicatesPostOnce) {
  const std::string id = Publish(
      "leads", "LeadAssigned",
      {{"lead_id", 33}, {"owner_id", rep_.user_id}, {"assigned_by", 0}});
  Drain();
  // The relay sends the same event again (same id): processed_events and
  // the dedupe key keep one message.
  Publish("leads", "LeadAssigned",
          {{"lead_id", 33}, {"owner_id", rep_.user_id}, {"assigned_by", 0}},
          id);
  Drain();
  EXPECT_EQ(List(rep_.token).size(), 1u);
  // Applying it directly again (a lost processed_events row) is a no-op too.
  auto conn = h_.schema().Pool()->Borrow();
  ASSERT_TRUE(conn.ok());
  events::Event e;
  e.event_id = id;
  e.type = "LeadAssigned";
  e.payload = {{"lead_id", 33}, {"owner_id", rep_.user_id}, {"assigned_by", 0}};
  e.occurred_at = h_.clock().Now();
  ASSERT_TRUE(
      accounts::InboxConsumers::Apply(e, **conn, h_.clock().Now()).ok());
  EXPECT_EQ(List(rep_.token).size(), 1u);
}

TEST_F(MessagesTest, PoisonPayloadsAreSkippedNotBlocking) {
  Publish("orders", "InstallmentOverdue", {{"contract_id", "1"}});  // no owner
  Publish("leads", "LeadAssigned", {{"lead_id", "x"}, {"owner_id", "y"}});
  Publish("leads", "LeadAssigned",
          {{"lead_id", 34}, {"owner_id", rep_.user_id}, {"assigned_by", 0}});
  Drain();
  EXPECT_THAT(Kinds(List(rep_.token)), ElementsAre("lead_assigned"));
}

TEST_F(MessagesTest, AccountAssignmentPostsToTheNewOwner) {
  const int64_t id = h_.CreateAccountOk(
      rep_.token, testing::CompanyDraft("分配客户", testing::CreditCode(21)));
  grpc::ClientContext ctx;
  client::Prepare(&ctx, mgr_.token);
  acc::AssignAccountRequest req;
  req.set_account_id(id);
  req.set_owner_id(rep2_.user_id);
  req.set_reason("调整");
  acc::Account out;
  grpc::Status s = h_.stub().AssignAccount(&ctx, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto msgs = List(rep2_.token);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].kind(), "account_assigned");
  EXPECT_EQ(msgs[0].entity_id(), absl::StrCat(id));
  EXPECT_THAT(msgs[0].title(), HasSubstr("分配客户"));
  EXPECT_TRUE(List(rep_.token).empty());
  EXPECT_TRUE(List(mgr_.token).empty());
}

TEST_F(MessagesTest, RecycleWarningPostsOnceToTheOwner) {
  // The default region pool's rules warn 2 days before day 10 without a
  // follow-up (as in accounts_recycle_test).
  const int64_t id = h_.CreateAccountOk(
      rep_.token,
      testing::CompanyDraft("回收预警客户", testing::CreditCode(22)));
  h_.clock().Advance(absl::Hours(24 * 8.5));
  rep_ = h_.User("rep_e1", "e1", "sales_rep");  // tokens expire with the clock
  auto run = [&] {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    acc::RunRecycleRequest req;
    acc::RunRecycleResponse out;
    grpc::Status s = h_.stub().RunRecycle(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.warned();
  };
  EXPECT_EQ(run(), 1);
  EXPECT_EQ(run(), 0);  // a rerun warns nobody twice
  auto msgs = List(rep_.token);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].kind(), "pool_recycle_warning");
  EXPECT_EQ(msgs[0].entity_id(), absl::StrCat(id));
  EXPECT_THAT(msgs[0].title(), HasSubstr("回收预警客户"));
  // Day 10.5: recycled; the audit log has it as a system action.
  h_.clock().Advance(absl::Hours(24 * 2));
  run();
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM audit_log WHERE"
                        " entity_type = 'account' AND entity_id = ? AND"
                        " action = 'recycle' AND actor_id = 0",
                        "n", {absl::StrCat(id)}),
            1);
}

TEST_F(MessagesTest, UnreadCountsAndMarkRead) {
  for (int i = 0; i < 3; ++i) {
    Publish(
        "leads", "LeadAssigned",
        {{"lead_id", 100 + i}, {"owner_id", rep_.user_id}, {"assigned_by", 0}});
  }
  Drain();
  auto msgs = List(rep_.token);
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(Unread(rep_.token).total(), 3);
  mpb::Message read;
  ASSERT_TRUE(MarkRead(rep_.token, msgs[0].id(), &read).ok());
  EXPECT_TRUE(read.read());
  EXPECT_EQ(read.read_at().seconds(), absl::ToUnixSeconds(h_.clock().Now()));
  // Idempotent: the first read time stays.
  h_.clock().Advance(absl::Minutes(1));
  mpb::Message again;
  ASSERT_TRUE(MarkRead(rep_.token, msgs[0].id(), &again).ok());
  EXPECT_EQ(again.read_at().seconds(), read.read_at().seconds());
  EXPECT_EQ(Unread(rep_.token).total(), 2);
  EXPECT_EQ(List(rep_.token, /*unread_only=*/true).size(), 2u);
  EXPECT_EQ(List(rep_.token, false, "lead_assigned").size(), 3u);
  EXPECT_TRUE(List(rep_.token, false, "payment_overdue").empty());
  EXPECT_EQ(MarkAll(rep_.token), 2);
  EXPECT_EQ(MarkAll(rep_.token), 0);
  EXPECT_EQ(Unread(rep_.token).total(), 0);
  EXPECT_TRUE(Unread(rep_.token).by_kind().empty());
}

TEST_F(MessagesTest, UsersSeeOnlyTheirOwnInbox) {
  Publish("leads", "LeadAssigned",
          {{"lead_id", 35}, {"owner_id", rep_.user_id}, {"assigned_by", 0}});
  Publish("leads", "LeadAssigned",
          {{"lead_id", 36}, {"owner_id", rep2_.user_id}, {"assigned_by", 0}});
  Drain();
  auto mine = List(rep_.token);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].entity_id(), "35");
  // Not even a manager or the admin reads another user's messages.
  EXPECT_TRUE(List(mgr_.token).empty());
  EXPECT_TRUE(List(admin_).empty());
  // Marking someone else's message: NOT_FOUND, and it stays unread.
  grpc::Status s = MarkRead(rep2_.token, mine[0].id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(MarkAll(rep2_.token), 1);  // only rep2's own
  EXPECT_EQ(Unread(rep_.token).total(), 1);
}

TEST_F(MessagesTest, BadInput) {
  EXPECT_EQ(MarkRead(rep_.token, 0).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(MarkRead(rep_.token, 999999).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(MarkRead("", 1).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto list = [&](const mpb::ListMessagesRequest& req) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_.token);
    mpb::ListMessagesResponse resp;
    return stub_->ListMessages(&ctx, req, &resp);
  };
  mpb::ListMessagesRequest bad_token;
  bad_token.set_page_token("nope");
  grpc::Status s = list(bad_token);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
  mpb::ListMessagesRequest bad_size;
  bad_size.set_page_size(-3);
  s = list(bad_size);
  EXPECT_THAT(s.error_message(), HasSubstr("page_size"));
  mpb::ListMessagesRequest bad_kind;
  bad_kind.set_kind(std::string(40, 'k'));
  s = list(bad_kind);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("kind"));
}

}  // namespace
}  // namespace crm
