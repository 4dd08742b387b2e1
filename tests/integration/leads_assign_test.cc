// Lead pool and assignment: concurrent claims (one winner), manual
// assignment within a manager's subtree, each assignment rule through
// AutoAssign (round robin with its cursor in MySQL, least-loaded with a
// cap, region/city, score band), rule CRUD errors, and recycling.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/redis/lock.h"
#include "google/protobuf/util/time_util.h"
#include "services/leads/leads_service_recycle_job.h"
#include "tests/testing/leads_harness.h"

namespace crm {
namespace {

namespace pb = crm::leads::v1;
using testing::CompanyLead;
using ::testing::HasSubstr;
using testing::LeadsHarness;

class LeadsAssignTest : public ::testing::TestWithParam<bool> {
 protected:
  LeadsHarness h{{}, GetParam()};
  std::string admin = h.Admin();
  std::string mgr = h.User("mgr_east", "east", "sales_manager").token;
  std::string mgr_north = h.User("mgr_north", "north", "sales_manager").token;
  testing::AccountsHarness::Login a = h.User("rep_a", "e1", "sales_rep");
  testing::AccountsHarness::Login b = h.User("rep_b", "e1", "sales_rep");
  testing::AccountsHarness::Login c = h.User("rep_c", "e2", "sales_rep");
  testing::AccountsHarness::Login n = h.User("rep_n", "n1", "sales_rep");
  int phone_ = 0;

  pb::Lead Pooled(const std::string& region = "east",
                  const std::string& city = "上海") {
    pb::Lead l = CompanyLead(absl::StrCat("池公司", phone_),
                             absl::StrCat("1371234", 1000 + phone_), region);
    ++phone_;
    l.set_city(city);
    return h.CreateOk(region == "east" ? mgr : admin, l);
  }

  grpc::Status Assign(const std::string& token, int64_t lead, int64_t owner,
                      pb::Lead* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::AssignLeadRequest req;
    req.set_lead_id(lead);
    req.set_owner_id(owner);
    req.set_reason("区域对口");
    pb::Lead ignored;
    return h.stub().AssignLead(&ctx, req, out ? out : &ignored);
  }

  grpc::Status CreateRule(const std::string& token, pb::AssignmentRule rule,
                          pb::AssignmentRule* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateAssignmentRuleRequest req;
    *req.mutable_rule() = rule;
    pb::AssignmentRule ignored;
    return h.stub().CreateAssignmentRule(&ctx, req, out ? out : &ignored);
  }

  pb::AssignmentRule Rule(const std::string& unit, pb::AssignStrategy s,
                          std::vector<int64_t> members, int position = 0) {
    pb::AssignmentRule r;
    r.set_org_unit_id(h.Unit(unit));
    r.set_name(absl::StrCat("rule ", position));
    r.set_position(position);
    r.set_enabled(true);
    r.set_strategy(s);
    for (int64_t m : members) r.add_member_user_ids(m);
    return r;
  }

  pb::AutoAssignResponse Auto(const std::string& unit,
                              std::vector<int64_t> ids = {}) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr);
    pb::AutoAssignRequest req;
    req.set_org_unit_id(h.Unit(unit));
    for (int64_t id : ids) req.add_lead_ids(id);
    pb::AutoAssignResponse out;
    grpc::Status s = h.stub().AutoAssign(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Recycle(const std::string& token, absl::Time as_of,
                       pb::RunLeadRecycleResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::RunLeadRecycleRequest req;
    *req.mutable_as_of() = google::protobuf::util::TimeUtil::SecondsToTimestamp(
        absl::ToUnixSeconds(as_of));
    return h.stub().RunLeadRecycle(&ctx, req, out);
  }
};

TEST_P(LeadsAssignTest, ConcurrentClaimsHaveExactlyOneWinner) {
  std::vector<std::string> tokens;
  for (int r = 0; r < 8; ++r)
    tokens.push_back(
        h.User(absl::StrCat("racer", r), r % 2 ? "e1" : "e2", "sales_rep")
            .token);
  for (int round = 0; round < 15; ++round) {
    const pb::Lead lead = Pooled();
    std::atomic<int> winners{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int r = 0; r < 8; ++r) {
      threads.emplace_back([&, r] {
        while (!go.load()) std::this_thread::yield();
        grpc::Status s = h.Claim(tokens[r], lead.id());
        if (s.ok()) {
          ++winners;
        } else if (s.error_code() != grpc::StatusCode::ABORTED &&
                   s.error_code() != grpc::StatusCode::FAILED_PRECONDITION &&
                   // the winner's lead is no longer visible to the others
                   s.error_code() != grpc::StatusCode::NOT_FOUND) {
          ++other;
        }
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM lead_history WHERE "
                         "lead_id = ? AND kind = 3",
                         "n", {lead.id()}),
              1);
  }
}

TEST_P(LeadsAssignTest, ClaimErrors) {
  const pb::Lead lead = Pooled();
  pb::Lead got;
  ASSERT_TRUE(h.Claim(a.token, lead.id(), &got).ok());
  EXPECT_EQ(got.owner_id(), a.user_id);
  EXPECT_EQ(got.status(), pb::LEAD_STATUS_ASSIGNED);
  EXPECT_EQ(got.pool_id(), 0);
  // Owned now: invisible to b (NOT_FOUND), visible to the manager but not
  // in the pool any more.
  EXPECT_EQ(h.Claim(b.token, lead.id()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(h.Claim(mgr, lead.id()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  const pb::Lead north_lead = Pooled("north");
  grpc::Status s = h.Claim(a.token, north_lead.id());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("cross-region"));
  EXPECT_TRUE(h.Claim(n.token, north_lead.id()).ok());
  EXPECT_EQ(h.Claim(a.token, 0).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(h.Claim(a.token, 987654).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_P(LeadsAssignTest, ManagersAssignWithinTheirSubtree) {
  const pb::Lead lead = Pooled();
  pb::Lead out;
  EXPECT_EQ(Assign(a.token, lead.id(), b.user_id).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Assign(mgr, lead.id(), n.user_id).error_code(),
            grpc::StatusCode::NOT_FOUND);  // not in the manager's subtree
  EXPECT_EQ(Assign(mgr_north, lead.id(), n.user_id).error_code(),
            grpc::StatusCode::NOT_FOUND);  // east pool, north manager
  EXPECT_EQ(Assign(mgr, lead.id(), 0).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Assign(mgr, lead.id(), c.user_id, &out).ok());
  EXPECT_EQ(out.owner_id(), c.user_id);
  EXPECT_EQ(out.status(), pb::LEAD_STATUS_ASSIGNED);
  // Reassign to another rep of the subtree; the same owner again is refused.
  ASSERT_TRUE(Assign(mgr, lead.id(), a.user_id, &out).ok());
  EXPECT_EQ(Assign(mgr, lead.id(), a.user_id).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // The event carries the owner's org path and the rule.
  auto conn = h.schema().Pool()->Borrow();
  auto row = (*conn)->QueryOne(
      "SELECT payload FROM outbox WHERE event_type = 'LeadAssigned' ORDER BY "
      "id DESC LIMIT 1",
      {}, "event");
  ASSERT_TRUE(row.ok());
  auto j = nlohmann::json::parse(row->String("payload"));
  EXPECT_EQ(j["lead_id"], lead.id());
  EXPECT_EQ(j["owner_id"], a.user_id);
  EXPECT_EQ(j["from_owner_id"], c.user_id);
  EXPECT_EQ(j["rule"], "manual");
  EXPECT_FALSE(j["owner_org_path"].get<std::string>().empty());
}

TEST_P(LeadsAssignTest, RoundRobinTakesTurnsAndKeepsItsCursor) {
  pb::AssignmentRule made;
  ASSERT_TRUE(CreateRule(mgr,
                         Rule("e1", pb::ASSIGN_STRATEGY_ROUND_ROBIN,
                              {a.user_id, b.user_id}),
                         &made)
                  .ok());
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(Pooled().id());
  pb::AutoAssignResponse r = Auto("e1");
  ASSERT_EQ(r.assigned(), 3);
  EXPECT_EQ(r.assignments(0).owner_id(), a.user_id);
  EXPECT_EQ(r.assignments(1).owner_id(), b.user_id);
  EXPECT_EQ(r.assignments(2).owner_id(), a.user_id);
  EXPECT_EQ(r.assignments(0).rule_id(), made.id());
  EXPECT_EQ(h.QueryInt("SELECT rr_cursor AS n FROM assignment_rules", "n"), 1);
  // The next run continues from the stored cursor.
  const int64_t next = Pooled().id();
  r = Auto("e1", {next});
  EXPECT_EQ(r.assignments(0).owner_id(), b.user_id);
  pb::Lead got;
  ASSERT_TRUE(h.Get(b.token, next, &got).ok());
  EXPECT_EQ(got.status(), pb::LEAD_STATUS_ASSIGNED);
}

TEST_P(LeadsAssignTest, LeastLoadedWithACapacityCap) {
  pb::AssignmentRule rule = Rule("east", pb::ASSIGN_STRATEGY_LEAST_LOADED,
                                 {a.user_id, b.user_id, c.user_id});
  rule.set_capacity(2);
  ASSERT_TRUE(CreateRule(mgr, rule).ok());
  // a already has two open leads, b one.
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(h.Claim(a.token, Pooled().id()).ok());
  ASSERT_TRUE(h.Claim(b.token, Pooled().id()).ok());
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Pooled().id());
  pb::AutoAssignResponse r = Auto("east", ids);
  ASSERT_EQ(r.assignments_size(), 4);
  EXPECT_EQ(r.assignments(0).owner_id(), c.user_id);  // 0 leads
  EXPECT_EQ(r.assignments(1).owner_id(), b.user_id);  // b 1, c 1 -> order
  EXPECT_EQ(r.assignments(2).owner_id(), c.user_id);  // b full, c 1
  EXPECT_EQ(r.assignments(3).owner_id(), 0);          // everyone at 2
  EXPECT_EQ(r.assigned(), 3);
  EXPECT_EQ(r.unmatched(), 1);
}

TEST_P(LeadsAssignTest, RegionCityAndScoreBandRules) {
  pb::AssignmentRule hot =
      Rule("east", pb::ASSIGN_STRATEGY_ROUND_ROBIN, {c.user_id}, 0);
  hot.set_min_score(60);
  pb::AssignmentRule hangzhou =
      Rule("east", pb::ASSIGN_STRATEGY_ROUND_ROBIN, {b.user_id}, 1);
  hangzhou.add_cities("杭州");
  pb::AssignmentRule rest =
      Rule("east", pb::ASSIGN_STRATEGY_ROUND_ROBIN, {a.user_id}, 2);
  rest.add_region_codes("east");
  for (auto& r : {hot, hangzhou, rest}) ASSERT_TRUE(CreateRule(mgr, r).ok());

  const int64_t sh = Pooled("east", "上海").id();
  const int64_t hz = Pooled("east", "杭州").id();
  // A rich profile scores above 60.
  pb::Lead rich = CompanyLead("优质公司", "13712349999");
  rich.set_email("ceo@rich.cn");
  rich.set_industry("制造");
  rich.set_company_size(5000);
  const pb::Lead hi = h.CreateOk(mgr, rich);
  ASSERT_GE(hi.score(), 60);
  ASSERT_LT(h.CreateOk(mgr, CompanyLead("探针", "13712348888")).score(), 60);
  pb::AutoAssignResponse r = Auto("east", {sh, hz, hi.id()});
  EXPECT_EQ(r.assignments(0).owner_id(), a.user_id);
  EXPECT_EQ(r.assignments(1).owner_id(), b.user_id);
  EXPECT_EQ(r.assignments(2).owner_id(), c.user_id);
}

TEST_P(LeadsAssignTest, RuleCrudAndErrors) {
  pb::AssignmentRule r =
      Rule("e1", pb::ASSIGN_STRATEGY_ROUND_ROBIN, {a.user_id});
  EXPECT_EQ(CreateRule(a.token, r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::AssignmentRule outside = r;
  outside.add_member_user_ids(c.user_id);  // e2, not in e1
  grpc::Status s = CreateRule(mgr, outside);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("rule.member_user_ids"));
  pb::AssignmentRule bad = r;
  bad.set_strategy(pb::ASSIGN_STRATEGY_UNSPECIFIED);
  EXPECT_EQ(CreateRule(mgr, bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  bad = r;
  bad.set_min_score(90);
  bad.set_max_score(10);
  EXPECT_EQ(CreateRule(mgr, bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(CreateRule(mgr_north, r).error_code(), grpc::StatusCode::OK);

  pb::AssignmentRule made;
  ASSERT_TRUE(CreateRule(mgr, r, &made).ok());
  grpc::ClientContext uctx;
  client::Prepare(&uctx, mgr);
  pb::UpdateAssignmentRuleRequest up;
  up.mutable_rule()->set_id(made.id());
  up.mutable_rule()->set_capacity(5);
  up.mutable_rule()->add_member_user_ids(b.user_id);
  up.mutable_update_mask()->add_paths("capacity");
  up.mutable_update_mask()->add_paths("member_user_ids");
  pb::AssignmentRule updated;
  ASSERT_TRUE(h.stub().UpdateAssignmentRule(&uctx, up, &updated).ok());
  EXPECT_EQ(updated.capacity(), 5);
  ASSERT_EQ(updated.member_user_ids_size(), 1);
  EXPECT_EQ(updated.member_user_ids(0), b.user_id);

  grpc::ClientContext lctx;
  client::Prepare(&lctx, mgr);
  pb::ListAssignmentRulesRequest list;
  list.set_org_unit_id(h.Unit("e1"));
  pb::ListAssignmentRulesResponse rules;
  ASSERT_TRUE(h.stub().ListAssignmentRules(&lctx, list, &rules).ok());
  EXPECT_EQ(rules.rules_size(), 1);

  grpc::ClientContext dctx;
  client::Prepare(&dctx, mgr);
  pb::DeleteAssignmentRuleRequest del;
  del.set_id(made.id());
  pb::DeleteAssignmentRuleResponse done;
  ASSERT_TRUE(h.stub().DeleteAssignmentRule(&dctx, del, &done).ok());
  grpc::ClientContext d2;
  client::Prepare(&d2, mgr);
  EXPECT_EQ(h.stub().DeleteAssignmentRule(&d2, del, &done).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_P(LeadsAssignTest, UnfollowedLeadsAreRecycledWithHistory) {
  const pb::Lead idle = Pooled();
  const pb::Lead busy = Pooled();
  ASSERT_TRUE(h.Claim(a.token, idle.id()).ok());
  ASSERT_TRUE(h.Claim(a.token, busy.id()).ok());
  const absl::Time t0 = h.clock().Now();
  h.clock().Advance(absl::Hours(30));
  // Tokens expire with the clock: log in again.
  admin = h.Admin();
  mgr = h.User("mgr_east", "east", "sales_manager").token;
  b = h.User("rep_b", "e1", "sales_rep");
  ASSERT_TRUE(
      h.FollowUp(h.User("rep_a", "e1", "sales_rep").token, busy.id()).ok());
  pb::RunLeadRecycleResponse out;
  EXPECT_EQ(Recycle(mgr, t0 + absl::Hours(49), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Recycle(admin, t0 + absl::Hours(47), &out).ok());
  EXPECT_EQ(out.recycled(), 0);
  ASSERT_TRUE(Recycle(admin, t0 + absl::Hours(49), &out).ok());
  ASSERT_EQ(out.recycled(), 1);
  EXPECT_EQ(out.lead_ids(0), idle.id());
  pb::Lead got;
  ASSERT_TRUE(h.Get(mgr, idle.id(), &got).ok());
  EXPECT_EQ(got.status(), pb::LEAD_STATUS_NEW);
  EXPECT_EQ(got.owner_id(), 0);
  EXPECT_GT(got.pool_id(), 0);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS n FROM lead_history WHERE "
                       "lead_id = ? AND kind = 6 AND from_owner_id = ?",
                       "n", {idle.id(), a.user_id}),
            1);
  // Idempotent; the followed-up lead goes 48h after its follow-up.
  ASSERT_TRUE(Recycle(admin, t0 + absl::Hours(49), &out).ok());
  EXPECT_EQ(out.recycled(), 0);
  ASSERT_TRUE(Recycle(admin, t0 + absl::Hours(79), &out).ok());
  EXPECT_EQ(out.recycled(), 1);
  // Back in the pool, claimable again.
  EXPECT_TRUE(h.Claim(b.token, idle.id()).ok());
}

TEST_P(LeadsAssignTest, ScheduledRecycleRunsUnderTheLeaderLock) {
  const pb::Lead idle = Pooled();
  ASSERT_TRUE(h.Claim(a.token, idle.id()).ok());
  h.clock().Advance(absl::Hours(49));
  admin = h.Admin();
  leads::RecycleJobOptions options;
  leads::RecycleJob job(h.schema().Pool(), h.redis(),
                        h.accounts().identity().shared_clock(), options);
  {
    // Another replica holds the lock: this one skips the round, and the
    // admin trigger says so.
    redis::DistributedLock locks(h.redis());
    auto held = locks.TryAcquire(leads::kRecycleLockKey, absl::Seconds(30));
    ASSERT_TRUE(held.ok() && held->has_value());
    auto ran = job.RunOnce();
    ASSERT_TRUE(ran.ok());
    EXPECT_FALSE(*ran);
    if (!GetParam()) {  // the service's Redis is the test's
      pb::RunLeadRecycleResponse out;
      EXPECT_EQ(Recycle(admin, h.clock().Now(), &out).error_code(),
                grpc::StatusCode::ABORTED);
    }
  }
  auto ran = job.RunOnce();
  ASSERT_TRUE(ran.ok());
  EXPECT_TRUE(*ran);
  pb::Lead got;
  ASSERT_TRUE(h.Get(admin, idle.id(), &got).ok());
  EXPECT_EQ(got.status(), pb::LEAD_STATUS_NEW);
}

// Every test with Redis up, and with Redis refusing connections (claims
// and the recycle rely on the database alone then).
INSTANTIATE_TEST_SUITE_P(Redis, LeadsAssignTest, ::testing::Values(false, true),
                         [](const auto& info) {
                           return info.param ? "RedisDown" : "RedisUp";
                         });

}  // namespace
}  // namespace crm
