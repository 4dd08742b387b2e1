// The leads consumer of identity's events (ADR 0099): UserDeactivated hands
// a departed rep's open leads to the nearest sales manager, status kept, or
// back to the pool when no manager is above them; closed leads and other
// reps' leads stay; redelivery and bad payloads are harmless.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "services/leads/leads_service_events.h"
#include "tests/testing/leads_harness.h"
#include "tests/testing/test_events.h"

namespace crm::leads {
namespace {

namespace pb = crm::leads::v1;
using testing::CompanyLead;
using testing::LeadsHarness;

class LeadsEventsTest : public ::testing::Test {
 protected:
  LeadsEventsTest()
      : lookup_(h_.accounts().identity().ManagerLookupFor("leads")),
        consumers_(NewLeadsEventConsumer(
            h_.schema().Pool(), h_.redis(),
            h_.accounts().identity().shared_clock(), lookup_.get(), "test-1")) {
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
  std::string UnitPath(std::initializer_list<const char*> keys) {
    std::string p = "/";
    for (const char* k : keys) absl::StrAppend(&p, h_.Unit(k), "/");
    return p;
  }
  // A lead `token`'s user keeps (ASSIGNED).
  int64_t Kept(const std::string& token, const std::string& company,
               const std::string& phone) {
    return h_.CreateOk(token, CompanyLead(company, phone), /*keep=*/true).id();
  }
  void SetStatus(const std::string& token, int64_t id, pb::LeadStatus status,
                 const std::string& reason = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ChangeLeadStatusRequest req;
    req.set_lead_id(id);
    req.set_status(status);
    req.set_reason(reason);
    pb::Lead out;
    grpc::Status s = h_.stub().ChangeLeadStatus(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  int64_t Int(const std::string& sql, int64_t id) {
    return h_.QueryInt(sql, "v", {id});
  }
  int64_t Owner(int64_t id) {
    return Int("SELECT COALESCE(owner_id, 0) AS v FROM leads WHERE id = ?", id);
  }
  int64_t Status(int64_t id) {
    return Int("SELECT status AS v FROM leads WHERE id = ?", id);
  }
  int64_t Handovers(int64_t user) {
    return h_.QueryInt(
        "SELECT COUNT(*) AS v FROM lead_history WHERE detail LIKE ?", "v",
        {absl::StrCat("owner ", user, " was deactivated%")});
  }

  LeadsHarness h_;
  std::unique_ptr<client::ManagerLookup> lookup_;
  std::unique_ptr<events::StreamConsumer> consumers_;
};

TEST_F(LeadsEventsTest, OpenLeadsGoToTheNearestManagerWithTheirStatus) {
  auto rep = h_.User("leaver", "e1", "sales_rep");
  auto peer = h_.User("stayer", "e1", "sales_rep");
  // No manager in team e1: the region's is the nearest.
  auto mgr = h_.User("east_mgr", "east", "sales_manager");
  const int64_t assigned = Kept(rep.token, "离任甲公司", "13512345001");
  const int64_t qualified = Kept(rep.token, "离任乙公司", "13512345002");
  ASSERT_TRUE(h_.FollowUp(rep.token, qualified).ok());  // CONTACTING
  SetStatus(rep.token, qualified, pb::LEAD_STATUS_QUALIFIED);
  const int64_t invalid = Kept(rep.token, "离任丙公司", "13512345003");
  SetStatus(rep.token, invalid, pb::LEAD_STATUS_INVALID, "空号");
  const int64_t theirs = Kept(peer.token, "留任丁公司", "13512345004");

  const std::string event_id = events::NewEventId();
  const nlohmann::json left = {{"user_id", rep.user_id},
                               {"org_path", UnitPath({"root", "east", "e1"})}};
  Deactivated(event_id, left);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(consumers_->stats().failed, 0);
  EXPECT_EQ(Owner(assigned), mgr.user_id);
  EXPECT_EQ(Status(assigned), pb::LEAD_STATUS_ASSIGNED);
  EXPECT_EQ(Owner(qualified), mgr.user_id);
  EXPECT_EQ(Status(qualified), pb::LEAD_STATUS_QUALIFIED);  // kept
  EXPECT_EQ(Owner(invalid), rep.user_id);  // closed: stays on record
  EXPECT_EQ(Owner(theirs), peer.user_id);
  EXPECT_EQ(Handovers(rep.user_id), 2);
  // The manager works them like any lead of their own.
  pb::Lead got;
  ASSERT_TRUE(h_.Get(mgr.token, qualified, &got).ok());
  EXPECT_EQ(got.owner_id(), mgr.user_id);

  // Redelivered: nothing left to move, no second history row.
  Deactivated(event_id, left);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Handovers(rep.user_id), 2);
}

TEST_F(LeadsEventsTest, WithoutAManagerOpenLeadsGoBackToThePool) {
  auto rep = h_.User("alone", "e1", "sales_rep");
  const int64_t lead = Kept(rep.token, "无人接手公司", "13512345011");
  ASSERT_TRUE(h_.FollowUp(rep.token, lead).ok());  // CONTACTING
  Deactivated(events::NewEventId(),
              {{"user_id", rep.user_id},
               {"org_path", UnitPath({"root", "east", "e1"})}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Owner(lead), 0);
  EXPECT_EQ(Status(lead), pb::LEAD_STATUS_NEW);
  EXPECT_GT(
      Int("SELECT COALESCE(pool_id, 0) AS v FROM leads WHERE id = ?", lead), 0);
  EXPECT_EQ(
      h_.QueryInt("SELECT COUNT(*) AS v FROM lead_history WHERE "
                  "lead_id = ? AND kind = 6 AND detail LIKE ?",
                  "v",
                  {lead, absl::StrCat("owner ", rep.user_id,
                                      " was deactivated; back to pool%")}),
      1);
}

TEST_F(LeadsEventsTest, IdentityDownRetriesOnlyWhenThereIsALeadToMove) {
  // Identity unreachable: the manager cannot be found.
  auto down = h_.accounts().identity().ManagerLookupFor(
      "leads", std::string(auth::kRoleSalesManager), "127.0.0.1:1");
  std::unique_ptr<events::StreamConsumer> consumers = NewLeadsEventConsumer(
      h_.schema().Pool(), h_.redis(), h_.accounts().identity().shared_clock(),
      down.get(), "test-down");
  auto idle = h_.User("no_leads", "e1", "sales_rep");
  auto busy = h_.User("has_leads", "e1", "sales_rep");
  h_.User("e1_mgr", "e1", "sales_manager");
  const int64_t lead = Kept(busy.token, "等待重试公司", "13512345031");
  const std::string e1 = UnitPath({"root", "east", "e1"});
  // Nothing to move: identity is not asked, the event is done.
  Deactivated(events::NewEventId(),
              {{"user_id", idle.user_id}, {"org_path", e1}});
  absl::StatusOr<int> n = consumers->PollOnce();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(consumers->stats().failed, 0);
  // A lead to move: the event fails and stays pending for redelivery; the
  // lead is neither pooled nor half-moved.
  Deactivated(events::NewEventId(),
              {{"user_id", busy.user_id}, {"org_path", e1}});
  n = consumers->PollOnce();
  EXPECT_GE(consumers->stats().failed, 1);
  EXPECT_EQ(Owner(lead), busy.user_id);
  EXPECT_EQ(Status(lead), pb::LEAD_STATUS_ASSIGNED);
}

TEST_F(LeadsEventsTest, BadPayloadsAreAcknowledgedAndChangeNothing) {
  auto rep = h_.User("kept", "e1", "sales_rep");
  const int64_t lead = Kept(rep.token, "坏消息公司", "13512345021");
  Deactivated(events::NewEventId(), {{"user_id", "x"}});
  Deactivated(events::NewEventId(),
              {{"user_id", rep.user_id}, {"org_path", "nope"}});
  Deactivated(events::NewEventId(), {{"org_path", "/1/"}});
  EXPECT_EQ(Poll(), 3);
  EXPECT_EQ(consumers_->stats().failed, 0);
  EXPECT_EQ(Owner(lead), rep.user_id);
}

}  // namespace
}  // namespace crm::leads
