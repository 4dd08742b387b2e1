// The opportunities consumer of identity's events: OrgUnitMoved moves
// opportunities, their history and the funnel rollups under the unit's new
// path (data scope follows the org tree); UserOrgChanged moves one owner's
// opportunities; UserDeactivated hands a departed rep's open opportunities
// to the nearest sales manager (ADR 0099); redelivery and bad payloads are
// harmless.
#include "services/opportunities/opportunities_events.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/events/event.h"
#include "common/redis/streams.h"
#include "services/opportunities/store/pipeline_store.h"
#include "services/opportunities/store/report_store.h"
#include "tests/testing/opportunities_harness.h"
#include "tests/testing/test_events.h"

namespace crm::opportunities {
namespace {

using testing::OpportunitiesHarness;

class OpportunitiesEventsTest : public ::testing::Test {
 protected:
  OpportunitiesEventsTest()
      : consumers_(h_.schema().Pool(), h_.redis(), h_.shared_clock(),
                   "test-1") {}

  std::string Path(std::initializer_list<const char*> keys) {
    std::string p = "/";
    for (const char* k : keys) absl::StrAppend(&p, h_.Unit(k), "/");
    return p;
  }
  void Publish(const std::string& event_id, const std::string& type,
               const nlohmann::json& payload,
               const std::string& service = "identity") {
    testing::PublishEvent(h_.redis(), service, event_id, type, payload,
                          h_.clock().Now());
  }
  void AccountActivity(int64_t account_id, absl::Time at) {
    Publish(events::NewEventId(), "AccountActivity",
            {{"account_id", account_id},
             {"at_unix_ms", absl::ToUnixMillis(at)},
             {"kind", 1},
             {"actor_id", 1}},
            "accounts");
  }
  int64_t LastActivity(int64_t opportunity_id) {
    return Count(absl::StrCat(
        "SELECT UNIX_TIMESTAMP(last_activity_at) AS c FROM opportunities "
        "WHERE id = ",
        opportunity_id));
  }
  int Poll() {
    auto n = consumers_.PollOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }
  int64_t Count(const std::string& sql) { return h_.QueryInt(sql); }
  // The funnel of a subtree from rollups equals the one from live rows.
  void ExpectRollupsMatch(const std::string& subtree) {
    PipelineStore pipelines(h_.schema().Pool(), h_.shared_clock());
    auto pipeline = pipelines.Get(1);
    ASSERT_TRUE(pipeline.ok());
    ReportStore store(h_.schema().Pool());
    ReportScope live;
    live.visibility = {"TRUE", {}};
    live.subtree_path = subtree;
    ReportScope rolled = live;
    rolled.rollup_visibility = auth::SqlPredicate{"TRUE", {}};
    const absl::Time from = h_.clock().Now() - absl::Hours(24 * 40);
    const absl::Time to = h_.clock().Now() + absl::Hours(24 * 40);
    auto a = store.FunnelCells(1, live, from, to);
    auto b = store.FunnelCells(1, rolled, from, to);
    auto sa = store.StayBuckets(1, live, from, to);
    auto sb = store.StayBuckets(1, rolled, from, to);
    ASSERT_TRUE(a.ok() && b.ok() && sa.ok() && sb.ok());
    FunnelResult x = ComputeFunnel(*pipeline, *a, *sa);
    FunnelResult y = ComputeFunnel(*pipeline, *b, *sb);
    EXPECT_EQ(x.total_count, y.total_count);
    for (size_t i = 0; i < x.stages.size(); ++i) {
      EXPECT_EQ(x.stages[i].reached_count, y.stages[i].reached_count);
      EXPECT_EQ(x.stages[i].current_amount_minor,
                y.stages[i].current_amount_minor);
      EXPECT_EQ(x.stages[i].completed_stays, y.stages[i].completed_stays);
    }
  }

  OpportunitiesHarness h_;
  OpportunitiesEventConsumers consumers_;
};

TEST_F(OpportunitiesEventsTest, OrgUnitMovedRepathsEverything) {
  auto rep = h_.User("rep", "e1", "sales_rep");
  const int64_t acc = h_.Account(rep.token, "迁移测试有限公司");
  const int64_t a = h_.CreateOk(rep.token, acc, "一", 1000);
  const int64_t b = h_.CreateOk(rep.token, acc, "二", 2000);
  h_.clock().Advance(absl::Hours(30));
  rep = h_.User("rep", "e1", "sales_rep");
  ASSERT_TRUE(h_.Move(rep.token, b, "needs").ok());
  const std::string old_path = Path({"root", "east", "e1"});
  const std::string new_path =
      absl::StrCat(Path({"root", "north"}), h_.Unit("e1"), "/");
  const nlohmann::json moved = {{"org_unit_id", h_.Unit("e1")},
                                {"old_path", old_path},
                                {"new_path", new_path}};
  const std::string event_id = events::NewEventId();
  Publish(event_id, "OrgUnitMoved", moved);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM opportunities "
                               "WHERE owner_org_path = '",
                               new_path, "'")),
            2);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM stage_history "
                               "WHERE owner_org_path LIKE '",
                               old_path, "%'")),
            0);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM funnel_daily "
                               "WHERE owner_org_path LIKE '",
                               old_path, "%'")),
            0);
  EXPECT_EQ(Count(absl::StrCat("SELECT CAST(SUM(n) AS SIGNED) AS c FROM "
                               "stay_monthly WHERE owner_org_path = '",
                               new_path, "'")),
            1);
  ExpectRollupsMatch(new_path);
  ExpectRollupsMatch(Path({"root", "north"}));
  // The north manager now sees them; the east manager no longer does.
  auto north = h_.User("mgr_north", "north", "sales_manager");
  auto east = h_.User("mgr_east", "east", "sales_manager");
  EXPECT_TRUE(h_.Get(north.token, a).ok());
  EXPECT_EQ(h_.Get(east.token, a).error_code(), grpc::StatusCode::NOT_FOUND);
  // The same event again (a redelivery): acknowledged, nothing changes.
  Publish(event_id, "OrgUnitMoved", moved);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM opportunities "
                               "WHERE owner_org_path = '",
                               new_path, "'")),
            2);
  ExpectRollupsMatch(new_path);
}

TEST_F(OpportunitiesEventsTest, UserOrgChangedMovesOneOwner) {
  auto rep = h_.User("rep", "e1", "sales_rep");
  auto peer = h_.User("peer", "e1", "sales_rep");
  const int64_t acc = h_.Account(rep.token, "换组测试有限公司");
  const int64_t acc2 = h_.Account(peer.token, "同事客户有限公司");
  h_.CreateOk(rep.token, acc, "甲", 500);
  h_.CreateOk(rep.token, acc, "乙", 700);
  h_.CreateOk(peer.token, acc2, "丙", 900);
  const std::string e1 = Path({"root", "east", "e1"});
  const std::string e2 = Path({"root", "east", "e2"});
  Publish(events::NewEventId(), "UserOrgChanged",
          {{"user_id", rep.user_id},
           {"old_org_unit_id", h_.Unit("e1")},
           {"old_org_path", e1},
           {"new_org_unit_id", h_.Unit("e2")},
           {"new_org_path", e2}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM opportunities "
                               "WHERE owner_org_path = '",
                               e2, "'")),
            2);
  EXPECT_EQ(Count(absl::StrCat("SELECT CAST(SUM(n) AS SIGNED) AS c FROM "
                               "funnel_daily WHERE owner_org_path = '",
                               e1, "'")),
            1);  // only the peer's
  EXPECT_EQ(Count(absl::StrCat("SELECT CAST(SUM(amount_minor) AS SIGNED) AS "
                               "c FROM funnel_daily WHERE owner_org_path = '",
                               e2, "'")),
            1200);
  ExpectRollupsMatch(e1);
  ExpectRollupsMatch(e2);
}

TEST_F(OpportunitiesEventsTest, UserDeactivatedHandsOpenOnesToTheManager) {
  // The lookup asks identity with the service's own token (ADR 0007).
  auto lookup = h_.accounts().identity().ManagerLookupFor("opportunities");
  consumers_.HandOverTo(lookup.get());

  auto rep = h_.User("leaver", "e1", "sales_rep");
  auto peer = h_.User("stayer", "e1", "sales_rep");
  // No manager in team e1: the region's is the nearest.
  auto mgr = h_.User("east_mgr", "east", "sales_manager");
  const int64_t acc = h_.Account(rep.token, "离任交接有限公司");
  const int64_t acc2 = h_.Account(peer.token, "留任客户有限公司");
  const int64_t a = h_.CreateOk(rep.token, acc, "甲", 500);
  const int64_t b = h_.CreateOk(rep.token, acc, "乙", 700);
  const int64_t lost = h_.CreateOk(rep.token, acc, "丙", 300);
  ASSERT_TRUE(h_.Lost(rep.token, lost, "price").ok());
  const int64_t theirs = h_.CreateOk(peer.token, acc2, "丁", 900);
  const std::string e1 = Path({"root", "east", "e1"});
  const std::string east = Path({"root", "east"});
  const std::string event_id = events::NewEventId();
  const nlohmann::json left = {{"user_id", rep.user_id}, {"org_path", e1}};
  Publish(event_id, "UserDeactivated", left);
  EXPECT_EQ(Poll(), 1);
  auto owner = [&](int64_t id) {
    return Count(
        absl::StrCat("SELECT owner_id AS c FROM opportunities WHERE "
                     "id = ",
                     id));
  };
  EXPECT_EQ(owner(a), mgr.user_id);
  EXPECT_EQ(owner(b), mgr.user_id);
  EXPECT_EQ(owner(lost), rep.user_id);  // who lost it stays on record
  EXPECT_EQ(owner(theirs), peer.user_id);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM opportunities "
                               "WHERE owner_org_path = '",
                               east, "'")),
            2);
  crm::opportunities::v1::Opportunity got;
  ASSERT_TRUE(h_.Get(mgr.token, a, &got).ok());
  EXPECT_EQ(got.owner_id(), mgr.user_id);
  EXPECT_EQ(got.amount().amount_minor(), 500);
  // The funnel rollups moved with them.
  ExpectRollupsMatch(e1);
  ExpectRollupsMatch(east);
  // Each move says why in the audit log.
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM audit_log WHERE "
                               "entity_type = 'opportunity' AND note = "
                               "'owner ",
                               rep.user_id, " was deactivated'")),
            2);

  // Redelivered: nothing left to move, nothing written twice.
  Publish(event_id, "UserDeactivated", left);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM audit_log WHERE "
                               "note = 'owner ",
                               rep.user_id, " was deactivated'")),
            2);

  // Bad payloads are acknowledged and change nothing.
  Publish(events::NewEventId(), "UserDeactivated", {{"user_id", "x"}});
  Publish(events::NewEventId(), "UserDeactivated",
          {{"user_id", peer.user_id}, {"org_path", "nope"}});
  EXPECT_EQ(Poll(), 2);
  EXPECT_EQ(owner(theirs), peer.user_id);
}

TEST_F(OpportunitiesEventsTest, AccountActivityRestartsOpenStaleClocks) {
  auto rep = h_.User("rep", "e1", "sales_rep");
  const int64_t acc = h_.Account(rep.token, "跟进客户有限公司");
  const int64_t other = h_.Account(rep.token, "未跟进客户有限公司");
  const int64_t open = h_.CreateOk(rep.token, acc, "在谈", 1000);
  const int64_t lost = h_.CreateOk(rep.token, acc, "已输", 1000);
  const int64_t elsewhere = h_.CreateOk(rep.token, other, "别家", 1000);
  ASSERT_TRUE(h_.Lost(rep.token, lost, "price").ok());
  const int64_t created = LastActivity(elsewhere);
  const int64_t lost_at = LastActivity(lost);

  h_.clock().Advance(absl::Hours(24 * 10));
  const absl::Time call = h_.clock().Now() - absl::Hours(1);
  AccountActivity(acc, call);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(LastActivity(open), absl::ToUnixSeconds(call));
  EXPECT_EQ(LastActivity(lost), lost_at);       // closed: no clock
  EXPECT_EQ(LastActivity(elsewhere), created);  // another account

  // An older contact recorded late never moves the clock back.
  AccountActivity(acc, call - absl::Hours(48));
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(LastActivity(open), absl::ToUnixSeconds(call));
  // A contact dated in the future counts as of its recording.
  AccountActivity(acc, h_.clock().Now() + absl::Hours(24 * 5));
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(LastActivity(open), absl::ToUnixSeconds(h_.clock().Now()));
  // Bad payloads are acknowledged and change nothing.
  Publish(events::NewEventId(), "AccountActivity", {{"account_id", "x"}},
          "accounts");
  Publish(events::NewEventId(), "AccountActivity", {{"account_id", acc}},
          "accounts");
  EXPECT_EQ(Poll(), 2);
  EXPECT_EQ(LastActivity(open), absl::ToUnixSeconds(h_.clock().Now()));
}

TEST_F(OpportunitiesEventsTest, BadPayloadsAreAcknowledged) {
  Publish(events::NewEventId(), "OrgUnitMoved", {{"old_path", "nope"}});
  Publish(events::NewEventId(), "UserOrgChanged", {{"user_id", "x"}});
  Publish(events::NewEventId(), "UserOrgChanged",
          {{"user_id", 5}, {"new_org_path", "//"}});
  EXPECT_EQ(Poll(), 3);
  EXPECT_EQ(Poll(), 0);
}

}  // namespace
}  // namespace crm::opportunities
