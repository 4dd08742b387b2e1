// The scheduled overdue job and its Redis leader lock, and the service
// without Redis (signing works, leaderboards are UNAVAILABLE).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/client/client.h"
#include "common/redis/lock.h"
#include "services/orders/domain/periods.h"
#include "services/orders/orders_overdue_job.h"
#include "tests/testing/orders_harness.h"

namespace crm::orders {
namespace {

namespace pb = crm::orders::v1;
using testing::OrdersHarness;

TEST(OrdersJobsTest, OverdueJobAndAdminRpcShareTheLeaderLock) {
  OrdersHarness h;
  auto rep = h.User("rep.e1", "e1", "sales_rep");
  const int64_t account = h.Account(rep.token, "苏州定时任务有限公司");
  // Due the day after tomorrow (the clock only moves forward).
  const absl::CivilDay due = h.calendar().DayOf(h.clock().Now()) + 2;
  pb::Contract c = h.SignedContract(
      rep.token, OrdersHarness::Draft(account, 500, 1, FormatDate(due),
                                      FormatDate(due + 30)));

  redis::DistributedLock locks(h.redis());
  auto held = locks.TryAcquire(kOverdueLockKey, absl::Minutes(1));
  ASSERT_TRUE(held.ok() && held->has_value());
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h.Admin());
    pb::RunOverdueCheckRequest req;
    pb::RunOverdueCheckResponse resp;
    EXPECT_EQ(h.stub().RunOverdueCheck(&ctx, req, &resp).error_code(),
              grpc::StatusCode::ABORTED);
  }
  OverdueJob job(h.schema().Pool(), h.redis(),
                 h.accounts().identity().shared_clock(), {});
  auto ran = job.RunOnce();
  ASSERT_TRUE(ran.ok()) << ran.status();
  EXPECT_FALSE(*ran);  // someone else leads
  ASSERT_TRUE((*held)->Release().ok());

  // On the due day nothing happens; the day after, the job flags it once.
  h.clock().Set(h.calendar().StartOf(due) + absl::Hours(23));
  ASSERT_TRUE(*job.RunOnce());
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS c FROM installments WHERE overdue "
                       "= 1"),
            0);
  h.clock().Set(h.calendar().StartOf(due + 1) + absl::Minutes(1));
  ASSERT_TRUE(*job.RunOnce());
  ASSERT_TRUE(*job.RunOnce());
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS c FROM installments WHERE overdue "
                       "= 1"),
            1);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS c FROM outbox WHERE event_type = "
                       "'InstallmentOverdue'"),
            1);
  (void)c;
}

TEST(OrdersJobsTest, WithoutRedisSigningWorksAndBoardsAreUnavailable) {
  OrdersHarness h(/*with_redis=*/false);
  auto rep = h.User("rep.e1", "e1", "sales_rep");
  const int64_t account = h.Account(rep.token, "无锡无缓存有限公司");
  pb::Contract c =
      h.SignedContract(rep.token, OrdersHarness::Draft(account, 900));
  EXPECT_EQ(c.status(), pb::CONTRACT_STATUS_SIGNED);
  ASSERT_TRUE(h.Pay(h.Finance(), c.id(), 900, "2026-01-02", "NR-1").ok());
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep.token);
  pb::GetLeaderboardRequest req;
  req.set_metric(pb::METRIC_SIGNED_AMOUNT);
  req.set_period_kind(pb::PERIOD_KIND_MONTH);
  pb::Leaderboard out;
  EXPECT_EQ(h.stub().GetLeaderboard(&ctx, req, &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The overdue check runs unguarded (idempotent in MySQL).
  grpc::ClientContext octx;
  client::Prepare(&octx, h.Admin());
  pb::RunOverdueCheckRequest oreq;
  pb::RunOverdueCheckResponse oresp;
  EXPECT_TRUE(h.stub().RunOverdueCheck(&octx, oreq, &oresp).ok());
}

}  // namespace
}  // namespace crm::orders
