// Automatic recycling, warnings, churn-risk tasks, the anti-collusion
// report and the scheduled job's leader lock, against real MariaDB and
// Redis. Time moves with the harness clock and RunRecycle's as_of.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "common/redis/lock.h"
#include "common/validate/credit_code.h"
#include "services/accounts/accounts_service_recycle_job.h"
#include "services/accounts/domain/recycle_rules.h"
#include "services/accounts/store/pool_store.h"
#include "services/accounts/store/recycle_store.h"
#include "services/identity/proto_convert.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
using testing::AccountsHarness;
using ::testing::HasSubstr;

std::string CreditCode(int n) { return testing::CreditCode(n, "91330000MA1"); }

absl::Duration Days(double d) { return absl::Hours(24 * d); }

class RecycleTest : public ::testing::Test {
 protected:
  pb::Account Company(int n, const std::string& region = "east") {
    return testing::CompanyDraft(absl::StrCat("回收测试", n, "号有限公司"),
                                 CreditCode(n), region);
  }

  int64_t NewAccount(const std::string& token, int n, int64_t pool_id = 0) {
    return h_.CreateAccountOk(token, Company(n), pool_id);
  }

  int64_t NewPool(const std::string& name, int cooldown_days = 7) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::CreatePoolRequest req;
    req.mutable_pool()->set_name(name);
    req.mutable_pool()->set_region_code("east");
    req.mutable_pool()->mutable_claim_rules()->set_former_owner_cooldown_days(
        cooldown_days);
    pb::Pool pool;
    grpc::Status s = h_.stub().CreatePool(&ctx, req, &pool);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return pool.id();
  }

  void SetRecycleRules(int64_t pool_id, const std::string& json) {
    PoolStore pools(h_.schema().Pool(), h_.identity().shared_clock(), {});
    ASSERT_TRUE(ParseRecycleRules(json).ok());
    auto updated = pools.UpdateRules(pool_id, std::nullopt, std::nullopt, json);
    ASSERT_TRUE(updated.ok()) << updated.status();
  }

  void Sql(const std::string& sql, const std::vector<db::Param>& params) {
    auto conn = h_.schema().Pool()->Borrow();
    ASSERT_TRUE(conn.ok());
    auto r = (*conn)->Exec(sql, params);
    ASSERT_TRUE(r.ok()) << r.status();
  }
  int64_t Count(const std::string& sql, const std::vector<db::Param>& params) {
    return h_.QueryInt(sql, "n", params);
  }

  grpc::Status Recycle(const std::string& token, pb::RunRecycleResponse* out,
                       std::optional<absl::Time> as_of = std::nullopt) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::RunRecycleRequest req;
    if (as_of) identity::ToTimestamp(*as_of, req.mutable_as_of());
    return h_.stub().RunRecycle(&ctx, req, out);
  }

  pb::RunRecycleResponse RecycleOk(std::optional<absl::Time> as_of = {}) {
    pb::RunRecycleResponse out;
    grpc::Status s = Recycle(h_.Admin(), &out, as_of);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<pb::PoolMove> History(int64_t id) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::ListPoolHistoryRequest req;
    req.set_account_id(id);
    pb::ListPoolHistoryResponse out;
    grpc::Status s = h_.stub().ListPoolHistory(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.moves().begin(), out.moves().end()};
  }

  std::vector<pb::Task> Tasks(const std::string& token) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListMyTasksRequest req;
    req.set_page_size(500);
    pb::ListTasksResponse out;
    grpc::Status s = h_.stub().ListMyTasks(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.tasks().begin(), out.tasks().end()};
  }

  grpc::Status Claim(const std::string& token, int64_t id) {
    return h_.Claim(token, id);
  }
  grpc::Status Release(const std::string& token, int64_t id) {
    return h_.Release(token, id, "客户暂无需求");
  }
  grpc::Status Anomalies(const std::string& token, absl::Time since,
                         pb::ListPoolAnomaliesResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::ListPoolAnomaliesRequest req;
    identity::ToTimestamp(since, req.mutable_since());
    return h_.stub().ListPoolAnomalies(&ctx, req, out);
  }

  AccountsHarness h_;
};

TEST_F(RecycleTest, OnlyAdminsRunRecycleAndAsOfIsValidated) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto lead = h_.User("lead.east", "east", "sales_manager");
  pb::RunRecycleResponse out;
  EXPECT_EQ(Recycle(rep.token, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Recycle(lead.token, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  pb::RunRecycleRequest req;
  req.mutable_as_of()->set_seconds(-5);
  grpc::Status s = h_.stub().RunRecycle(&ctx, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("as_of"));
  // Nothing to do on an empty schema.
  pb::RunRecycleResponse empty = RecycleOk();
  EXPECT_EQ(empty.recycled(), 0);
  EXPECT_EQ(empty.warned(), 0);
}

TEST_F(RecycleTest, NoFollowUpWarnsOnceThenRecyclesWithHistory) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t id = NewAccount(rep.token, 1);
  const absl::Time t0 = h_.clock().Now();

  // Day 7: nothing yet (the warning comes 2 days before day 10).
  EXPECT_EQ(RecycleOk(t0 + Days(7)).warned(), 0);
  // Day 8.5: one warning task for the owner, created once.
  h_.clock().Advance(Days(8.5));
  rep = h_.User("rep.a", "e1", "sales_rep");
  pb::RunRecycleResponse r = RecycleOk();
  EXPECT_EQ(r.warned(), 1);
  EXPECT_EQ(r.recycled(), 0);
  EXPECT_EQ(RecycleOk().warned(), 0);
  EXPECT_EQ(RecycleOk(h_.clock().Now() + absl::Hours(1)).warned(), 0);
  std::vector<pb::Task> tasks = Tasks(rep.token);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].kind(), "recycle_warning");
  EXPECT_EQ(tasks[0].account_id(), id);
  EXPECT_EQ(tasks[0].assignee_id(), rep.user_id);
  EXPECT_EQ(absl::FromUnixSeconds(tasks[0].due_time().seconds()),
            absl::FromUnixSeconds(absl::ToUnixSeconds(t0 + Days(10))));
  EXPECT_EQ(h_.GetAccountOk(id).owner_id(), rep.user_id);

  // Day 10: back to the east region pool, with a RECYCLE history row.
  h_.clock().Advance(Days(1.5));
  r = RecycleOk();
  EXPECT_EQ(r.recycled(), 1);
  pb::Account a = h_.GetAccountOk(id);
  EXPECT_EQ(a.owner_id(), 0);
  EXPECT_GT(a.pool_id(), 0);
  std::vector<pb::PoolMove> moves = History(id);
  ASSERT_FALSE(moves.empty());
  const pb::PoolMove& last = moves.back();
  EXPECT_EQ(last.kind(), pb::POOL_MOVE_KIND_RECYCLE);
  EXPECT_EQ(last.from_owner_id(), rep.user_id);
  EXPECT_EQ(last.to_pool_id(), a.pool_id());
  EXPECT_EQ(last.actor_id(), 0);
  EXPECT_THAT(last.reason(), HasSubstr("no_follow_up_10d"));
  // The warning is cancelled with the recycle, and a rerun changes nothing.
  rep = h_.User("rep.a", "e1", "sales_rep");
  EXPECT_TRUE(Tasks(rep.token).empty());
  r = RecycleOk();
  EXPECT_EQ(r.recycled(), 0);
  EXPECT_EQ(r.warned(), 0);
  EXPECT_EQ(History(id).size(), moves.size());
  // The former owner is in the cooldown now.
  EXPECT_EQ(Claim(rep.token, id).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RecycleTest, FollowUpKeepsAccountAndNotWonRecyclesAfter90Days) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t id = NewAccount(rep.token, 2);
  const absl::Time t0 = h_.clock().Now();
  // Followed up on day 85: no-follow-up is fine, but no deal in 90 days.
  Sql("UPDATE accounts SET last_follow_up_at = ? WHERE id = ?",
      {t0 + Days(85), id});
  pb::RunRecycleResponse r = RecycleOk(t0 + Days(89));
  EXPECT_EQ(r.recycled(), 0);
  EXPECT_EQ(r.warned(), 1);
  r = RecycleOk(t0 + Days(90) + absl::Minutes(1));
  EXPECT_EQ(r.recycled(), 1);
  EXPECT_THAT(History(id).back().reason(), HasSubstr("not_won_90d"));
}

TEST_F(RecycleTest, SignedCustomersStayAndGetOneChurnRiskTask) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t signed_id = NewAccount(rep.token, 3);
  const int64_t plain_id = NewAccount(rep.token, 4);
  const absl::Time t0 = h_.clock().Now();
  Sql("UPDATE accounts SET status = 3, first_signed_at = ? WHERE id = ?",
      {t0 + Days(1), signed_id});
  h_.clock().Advance(Days(61));
  pb::RunRecycleResponse r = RecycleOk();
  EXPECT_EQ(r.recycled(), 1);  // only the unsigned one
  EXPECT_EQ(h_.GetAccountOk(signed_id).owner_id(), rep.user_id);
  EXPECT_EQ(h_.GetAccountOk(plain_id).owner_id(), 0);
  RecycleOk();
  RecycleOk(h_.clock().Now() + Days(5));
  rep = h_.User("rep.a", "e1", "sales_rep");
  std::vector<pb::Task> tasks = Tasks(rep.token);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].kind(), "churn_risk");
  EXPECT_EQ(tasks[0].account_id(), signed_id);
  // A signed customer recycled only by a rule that includes signed ones.
  const int64_t region_pool = h_.GetAccountOk(plain_id).pool_id();
  SetRecycleRules(region_pool,
                  R"([{"name":"signed_too","no_follow_up_days":30,
                       "include_signed":true}])");
  r = RecycleOk();
  EXPECT_EQ(r.recycled(), 1);
  EXPECT_THAT(History(signed_id).back().reason(), HasSubstr("signed_too"));
}

TEST_F(RecycleTest, RulesOfTheSourcePoolAndTheirTargetPool) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t fast = NewPool("快速回收池");
  const int64_t target = NewPool("回收目标池");
  SetRecycleRules(fast, absl::StrCat(R"([{"name":"fast3","no_follow_up_days":3,
                                          "warn_days_before":0,
                                          "target_pool_id":)",
                                     target, "}]"));
  const int64_t pooled = NewAccount(h_.Admin(), 5, fast);
  ASSERT_TRUE(Claim(rep.token, pooled).ok());
  const int64_t own = NewAccount(rep.token, 6);  // region defaults apply
  h_.clock().Advance(Days(3) + absl::Minutes(5));
  pb::RunRecycleResponse r = RecycleOk();
  EXPECT_EQ(r.recycled(), 1);
  EXPECT_EQ(r.warned(), 0);
  EXPECT_EQ(h_.GetAccountOk(pooled).pool_id(), target);
  EXPECT_THAT(History(pooled).back().reason(), HasSubstr("fast3"));
  EXPECT_EQ(h_.GetAccountOk(own).owner_id(), rep.user_id);
}

TEST_F(RecycleTest, BatchesResumeAfterAnInterruptedPass) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(NewAccount(rep.token, 10 + i));
  const absl::Time as_of = h_.clock().Now() + Days(11);
  RecycleOptions options;
  options.batch_size = 2;
  RecycleStore store(h_.schema().Pool(), h_.identity().shared_clock(), options);
  // A crash after the first committed batch.
  int batches = 0;
  auto crashed = store.Run(as_of, [&]() -> absl::Status {
    if (++batches == 1) return absl::AbortedError("simulated crash");
    return absl::OkStatus();
  });
  EXPECT_FALSE(crashed.ok());
  EXPECT_EQ(
      Count("SELECT COUNT(*) AS n FROM accounts WHERE owner_id IS NULL", {}),
      2);
  auto resumed = store.Run(as_of);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(resumed->recycled, 3);
  EXPECT_EQ(resumed->scanned, 3);
  // Once finished, the same as_of rescans from the start and changes nothing.
  auto again = store.Run(as_of);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->resumed);
  EXPECT_EQ(again->recycled, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) AS n FROM pool_moves WHERE kind = 6", {}),
            5);
}

TEST_F(RecycleTest, AnomaliesFlagRepeatedReleaseClaimPairs) {
  const int64_t pool = NewPool("华东公海", /*cooldown_days=*/0);
  auto a = h_.User("rep.a", "e1", "sales_rep");
  auto b = h_.User("rep.b", "e2", "sales_rep");
  auto c = h_.User("rep.c", "e1", "sales_rep");
  const absl::Time start = h_.clock().Now();
  std::vector<int64_t> passed;
  // rep.a hands three accounts to rep.b through the pool, minutes apart.
  for (int i = 0; i < 3; ++i) {
    const int64_t id = NewAccount(h_.Admin(), 20 + i, pool);
    a = h_.User("rep.a", "e1", "sales_rep");
    ASSERT_TRUE(Claim(a.token, id).ok());
    h_.clock().Advance(absl::Hours(3));
    a = h_.User("rep.a", "e1", "sales_rep");
    ASSERT_TRUE(Release(a.token, id).ok());
    h_.clock().Advance(absl::Minutes(4));
    b = h_.User("rep.b", "e2", "sales_rep");
    ASSERT_TRUE(Claim(b.token, id).ok());
    passed.push_back(id);
  }
  // Innocent: rep.a releases, rep.c claims two hours later (twice), and a
  // single quick pair a -> c.
  for (int i = 0; i < 2; ++i) {
    const int64_t id = NewAccount(h_.Admin(), 30 + i, pool);
    a = h_.User("rep.a", "e1", "sales_rep");
    ASSERT_TRUE(Claim(a.token, id).ok());
    ASSERT_TRUE(Release(a.token, id).ok());
    h_.clock().Advance(absl::Hours(2));
    c = h_.User("rep.c", "e1", "sales_rep");
    ASSERT_TRUE(Claim(c.token, id).ok());
  }
  {
    const int64_t id = NewAccount(h_.Admin(), 40, pool);
    a = h_.User("rep.a", "e1", "sales_rep");
    ASSERT_TRUE(Claim(a.token, id).ok());
    ASSERT_TRUE(Release(a.token, id).ok());
    c = h_.User("rep.c", "e1", "sales_rep");
    ASSERT_TRUE(Claim(c.token, id).ok());
  }

  auto lead = h_.User("lead.east", "east", "sales_manager");
  pb::ListPoolAnomaliesResponse out;
  grpc::Status s = Anomalies(lead.token, start, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.anomalies_size(), 1);
  const pb::PoolAnomaly& an = out.anomalies(0);
  EXPECT_EQ(an.releaser_id(), a.user_id);
  EXPECT_EQ(an.claimer_id(), b.user_id);
  EXPECT_EQ(an.count(), 3);
  EXPECT_EQ(
      std::vector<int64_t>(an.account_ids().begin(), an.account_ids().end()),
      passed);
  EXPECT_GT(an.last_time().seconds(), 0);

  // Admins see it too; a manager of another region does not; reps may not ask.
  out.Clear();
  ASSERT_TRUE(Anomalies(h_.Admin(), start, &out).ok());
  EXPECT_EQ(out.anomalies_size(), 1);
  auto north = h_.User("lead.north", "north", "sales_manager");
  out.Clear();
  ASSERT_TRUE(Anomalies(north.token, start, &out).ok());
  EXPECT_EQ(out.anomalies_size(), 0);
  a = h_.User("rep.a", "e1", "sales_rep");
  EXPECT_EQ(Anomalies(a.token, start, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Only pairs since `since` count.
  out.Clear();
  lead = h_.User("lead.east", "east", "sales_manager");
  ASSERT_TRUE(Anomalies(lead.token, h_.clock().Now(), &out).ok());
  EXPECT_EQ(out.anomalies_size(), 0);
}

TEST_F(RecycleTest, LeaderLockLetsOneJobRunAPass) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t id = NewAccount(rep.token, 50);
  testing::TestRedisPool redis("recycle_job");
  std::atomic<int> passes{0};
  RecycleJobOptions options;
  options.on_pass_start = [&] {
    passes.fetch_add(1);
    absl::SleepFor(absl::Milliseconds(300));
  };
  RecycleJob one(h_.schema().Pool(), redis.get(), h_.identity().shared_clock(),
                 options);
  RecycleJob two(h_.schema().Pool(), redis.get(), h_.identity().shared_clock(),
                 options);

  // Someone else holds the lock: neither job runs.
  {
    redis::DistributedLock locks(redis.get());
    auto held = locks.TryAcquire(kRecycleLockKey, absl::Seconds(30));
    ASSERT_TRUE(held.ok() && held->has_value());
    auto r1 = one.RunOnce();
    auto r2 = two.RunOnce();
    ASSERT_TRUE(r1.ok() && r2.ok());
    EXPECT_FALSE(*r1);
    EXPECT_FALSE(*r2);
    EXPECT_EQ(passes.load(), 0);
  }
  // Both try at once: exactly one runs the pass.
  h_.clock().Advance(Days(11));
  absl::StatusOr<bool> ran1, ran2;
  std::thread t1([&] { ran1 = one.RunOnce(); });
  std::thread t2([&] { ran2 = two.RunOnce(); });
  t1.join();
  t2.join();
  ASSERT_TRUE(ran1.ok()) << ran1.status();
  ASSERT_TRUE(ran2.ok()) << ran2.status();
  EXPECT_NE(*ran1, *ran2);
  EXPECT_EQ(passes.load(), 1);
  EXPECT_EQ(h_.GetAccountOk(id).owner_id(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) AS n FROM pool_moves WHERE kind = 6", {}),
            1);
  // The lock is free again afterwards, and the loop runs a round on Start.
  const int64_t before = one.passes();
  one.Start();
  for (int i = 0; i < 100 && one.passes() == before; ++i)
    absl::SleepFor(absl::Milliseconds(20));
  one.Stop();
  EXPECT_EQ(one.passes(), before + 1);
}

}  // namespace
}  // namespace crm::accounts
