// The stale check: RunStaleCheck(as_of) and the scheduled job under the
// Redis leader lock emit OpportunityStale once per opportunity per stale
// period, with the payload accounts consumes to create a task.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "common/client/client.h"
#include "common/redis/lock.h"
#include "services/opportunities/domain/event_payloads.h"
#include "services/opportunities/opportunities_stale_job.h"
#include "services/opportunities/opportunities_util.h"
#include "tests/testing/opportunities_harness.h"

namespace crm::opportunities {
namespace {

namespace pb = crm::opportunities::v1;
using testing::OpportunitiesHarness;

constexpr absl::Duration kDay = absl::Hours(24);

class OpportunitiesStaleTest : public ::testing::Test {
 protected:
  OpportunitiesStaleTest() : t0_(h_.clock().Now()) {}

  std::string Rep() { return h_.User("rep", "e1", "sales_rep").token; }

  grpc::Status Run(const std::string& token, absl::Time as_of,
                   pb::RunStaleCheckResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::RunStaleCheckRequest req;
    ToTimestamp(as_of, req.mutable_as_of());
    return h_.stub().RunStaleCheck(&ctx, req, out);
  }
  int Alerted(absl::Time as_of) {
    pb::RunStaleCheckResponse out;
    grpc::Status s = Run(h_.Admin(), as_of, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.alerted();
  }

  OpportunitiesHarness h_;
  absl::Time t0_;
};

TEST_F(OpportunitiesStaleTest, OncePerStalePeriod) {
  const int64_t account = h_.Account(Rep(), "久未跟进有限公司");
  // SMB standard: stale after 14 days.
  const int64_t id = h_.CreateOk(Rep(), account, "沉睡的机会", 12345);
  const int64_t rep_id = h_.User("rep", "e1", "sales_rep").user_id;
  EXPECT_EQ(Alerted(t0_ + 13 * kDay), 0);
  EXPECT_EQ(Alerted(t0_ + 14 * kDay), 1);
  EXPECT_EQ(Alerted(t0_ + 20 * kDay), 0);  // same period: no repeat
  auto events = h_.Events("OpportunityStale");
  ASSERT_EQ(events.size(), 1u);
  const nlohmann::json& e = events[0];
  EXPECT_EQ(e.size(), 7u);
  EXPECT_EQ(e["opportunity_id"], id);
  EXPECT_EQ(e["owner_id"], rep_id);
  EXPECT_TRUE(e["owner_org_path"].is_string());
  EXPECT_EQ(e["account_id"], account);
  EXPECT_EQ(e["opportunity_name"], "沉睡的机会");
  EXPECT_EQ(e["idle_days"], 14);
  EXPECT_EQ(e["stale_since"], Rfc3339(t0_ + 14 * kDay));
  // New activity on day 20 starts a new period: stale again on day 34.
  h_.clock().Set(t0_ + 20 * kDay);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, Rep());
  pb::RecordActivityRequest act;
  act.set_opportunity_id(id);
  pb::Opportunity o;
  ASSERT_TRUE(h_.stub().RecordActivity(&ctx, act, &o).ok());
  EXPECT_EQ(Alerted(t0_ + 33 * kDay), 0);
  EXPECT_EQ(Alerted(t0_ + 34 * kDay), 1);
  EXPECT_EQ(h_.Events("OpportunityStale").size(), 2u);
}

TEST_F(OpportunitiesStaleTest, ClosedAndMovedOpportunitiesAreNotStale) {
  const int64_t account = h_.Account(Rep(), "推进中有限公司");
  const int64_t lost = h_.CreateOk(Rep(), account, "已输", 100);
  const int64_t moving = h_.CreateOk(Rep(), account, "在推进", 100);
  ASSERT_TRUE(h_.Lost(Rep(), lost, "price").ok());
  h_.clock().Set(t0_ + 10 * kDay);
  ASSERT_TRUE(h_.Move(Rep(), moving, "needs").ok());
  // Day 15: `moving` changed stage on day 10, `lost` is closed.
  EXPECT_EQ(Alerted(t0_ + 15 * kDay), 0);
  EXPECT_EQ(Alerted(t0_ + 24 * kDay), 1);
  // KA pipeline: 30 days.
  const int64_t ka = h_.Account(Rep(), "大客户有限公司", true);
  h_.CreateOk(Rep(), ka, "大单");
  EXPECT_EQ(Alerted(t0_ + 10 * kDay + 29 * kDay), 0);
  EXPECT_EQ(Alerted(t0_ + 10 * kDay + 31 * kDay), 1);
}

TEST_F(OpportunitiesStaleTest, AdminOnlyAndBadInput) {
  pb::RunStaleCheckResponse out;
  EXPECT_EQ(Run(Rep(), t0_, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  pb::RunStaleCheckRequest req;
  req.mutable_as_of()->set_seconds(-5);
  EXPECT_EQ(h_.stub().RunStaleCheck(&ctx, req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OpportunitiesStaleTest, LeaderLockAndScheduledJob) {
  const int64_t account = h_.Account(Rep(), "定时任务有限公司");
  h_.CreateOk(Rep(), account, "定时");
  // Another replica holds the lock: the admin run is ABORTED.
  redis::DistributedLock locks(h_.redis());
  auto held = locks.TryAcquire(kStaleLockKey, absl::Seconds(30));
  ASSERT_TRUE(held.ok() && held->has_value());
  pb::RunStaleCheckResponse out;
  EXPECT_EQ(Run(h_.Admin(), t0_ + 30 * kDay, &out).error_code(),
            grpc::StatusCode::ABORTED);
  StaleJobOptions options;
  StaleJob job(h_.schema().Pool(), h_.redis(), h_.shared_clock(), options);
  auto ran = job.RunOnce();
  ASSERT_TRUE(ran.ok());
  EXPECT_FALSE(*ran);  // skipped the round
  ASSERT_TRUE((*held)->Release().ok());
  // The job runs as of its clock.
  h_.clock().Set(t0_ + 15 * kDay);
  ran = job.RunOnce();
  ASSERT_TRUE(ran.ok()) << ran.status();
  EXPECT_TRUE(*ran);
  EXPECT_EQ(h_.Events("OpportunityStale").size(), 1u);
  // Concurrent passes never alert twice.
  h_.clock().Set(t0_);
  const int64_t second = h_.CreateOk(Rep(), account, "并发");
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      (void)RunStalePass(h_.schema().Pool(), h_.shared_clock(), options,
                         t0_ + 40 * kDay, {});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                        "'OpportunityStale' AND aggregate_id = '" +
                        std::to_string(second) + "'"),
            1);
}

}  // namespace
}  // namespace crm::opportunities
