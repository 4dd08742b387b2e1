// Protection from recycling and the tasks other services ask for, against
// real MariaDB and Redis: locked customers (capped per rep), open
// opportunities and active contracts (from events), the
// no_opportunity_days rule, and the stale-opportunity / overdue-collection
// tasks made from opportunities and orders events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/events/event.h"
#include "common/redis/streams.h"
#include "services/accounts/accounts_service_events.h"
#include "services/accounts/store/pool_store.h"
#include "services/identity/proto_convert.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
using ::testing::HasSubstr;

absl::Duration Days(double d) { return absl::Hours(24 * d); }

class ProtectionTest : public ::testing::Test {
 protected:
  ProtectionTest()
      : redis_("accounts_protection"),
        streams_(redis_.get()),
        consumers_(h_.schema().Pool(), redis_.get(),
                   h_.identity().shared_clock(), ClaimRules{}, "test-1") {}

  int64_t Owned(const std::string& token, int n) {
    return h_.CreateAccountOk(
        token, testing::CompanyDraft(absl::StrCat("保护测试", n, "号有限公司"),
                                     testing::CreditCode(n, "91320000MA1")));
  }

  int64_t EastPool() {
    PoolStore pools(h_.schema().Pool(), h_.identity().shared_clock(), {});
    absl::StatusOr<PoolRecord> p = pools.RegionDefault("east");
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? p->id : 0;
  }

  void SetEastRules(std::optional<ClaimRules> rules,
                    std::optional<std::string> recycle_json) {
    PoolStore pools(h_.schema().Pool(), h_.identity().shared_clock(), {});
    auto updated =
        pools.UpdateRules(EastPool(), std::nullopt, rules, recycle_json);
    ASSERT_TRUE(updated.ok()) << updated.status();
  }

  grpc::Status Lock(const std::string& token, int64_t id,
                    pb::Account* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::LockAccountRequest req;
    req.set_account_id(id);
    pb::Account ignored;
    return h_.stub().LockAccount(&ctx, req, out ? out : &ignored);
  }
  grpc::Status Unlock(const std::string& token, int64_t id,
                      pb::Account* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UnlockAccountRequest req;
    req.set_account_id(id);
    pb::Account ignored;
    return h_.stub().UnlockAccount(&ctx, req, out ? out : &ignored);
  }

  void Publish(const std::string& stream, const std::string& type,
               const nlohmann::json& payload, absl::Time at) {
    events::Event e;
    e.event_id = events::NewEventId();
    e.type = type;
    e.payload = payload;
    e.occurred_at = at;
    absl::StatusOr<std::string> id =
        streams_.XAdd(events::StreamFor(stream), events::EncodeEvent(e));
    ASSERT_TRUE(id.ok()) << id.status();
  }
  void Poll() {
    absl::StatusOr<int> n = consumers_.PollOnce();
    ASSERT_TRUE(n.ok()) << n.status();
  }

  pb::RunRecycleResponse RecycleAt(absl::Time as_of) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::RunRecycleRequest req;
    identity::ToTimestamp(as_of, req.mutable_as_of());
    pb::RunRecycleResponse out;
    grpc::Status s = h_.stub().RunRecycle(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  bool InPool(int64_t id) { return h_.GetAccountOk(id).pool_id() != 0; }

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

  testing::AccountsHarness h_;
  crm::testing::TestRedisPool redis_;
  redis::Streams streams_;
  AccountsEventConsumers consumers_;
};

TEST_F(ProtectionTest, OwnersLockUpToTheCapAndManagersMayUnlock) {
  ClaimRules rules;
  rules.locked_capacity = 2;
  SetEastRules(rules, std::nullopt);
  const auto rep = h_.User("lock_rep", "e1", "sales_rep");
  const auto peer = h_.User("lock_peer", "e1", "sales_rep");
  const auto mgr = h_.User("lock_mgr", "east", "sales_manager");
  const int64_t a1 = Owned(rep.token, 1), a2 = Owned(rep.token, 2),
                a3 = Owned(rep.token, 3);

  EXPECT_EQ(Lock(peer.token, a1).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Lock(mgr.token, a1).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // not the owner
  EXPECT_EQ(Lock(rep.token, 0).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  pb::Account locked;
  ASSERT_TRUE(Lock(rep.token, a1, &locked).ok());
  EXPECT_TRUE(locked.locked());
  EXPECT_TRUE(locked.has_lock_time());
  ASSERT_TRUE(Lock(rep.token, a1).ok());  // twice: still one lock
  ASSERT_TRUE(Lock(rep.token, a2).ok());
  grpc::Status full = Lock(rep.token, a3);
  EXPECT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(full.error_message(), HasSubstr("locked_capacity"));

  EXPECT_EQ(Unlock(peer.token, a2).error_code(), grpc::StatusCode::NOT_FOUND);
  pb::Account unlocked;
  ASSERT_TRUE(Unlock(mgr.token, a2, &unlocked).ok());
  EXPECT_FALSE(unlocked.locked());
  ASSERT_TRUE(Lock(rep.token, a3).ok());
  EXPECT_TRUE(h_.GetAccountOk(a3).locked());

  // Released to the pool, the lock is gone with the ownership.
  ASSERT_TRUE(h_.Release(rep.token, a1, "客户无意向").ok());
  EXPECT_FALSE(h_.GetAccountOk(a1).locked());
}

TEST_F(ProtectionTest, LockedOpenOpportunityAndActiveContractAreNotRecycled) {
  // Signed customers are included so that the contract is what protects.
  SetEastRules(std::nullopt, R"([{"name":"quiet","no_follow_up_days":10,)"
                             R"("include_signed":true,"warn_days_before":0}])");
  const auto rep = h_.User("prot_rep", "e1", "sales_rep");
  const int64_t plain = Owned(rep.token, 11), locked = Owned(rep.token, 12),
                open_opp = Owned(rep.token, 13),
                closed_opp = Owned(rep.token, 14),
                active = Owned(rep.token, 15), expired = Owned(rep.token, 16);
  ASSERT_TRUE(Lock(rep.token, locked).ok());
  const absl::Time now = h_.clock().Now();
  Publish("opportunities", "OpportunityCreated",
          {{"opportunity_id", 901}, {"account_id", open_opp}}, now);
  Publish("opportunities", "OpportunityCreated",
          {{"opportunity_id", 902}, {"account_id", closed_opp}}, now);
  Publish("opportunities", "OpportunityLost",
          {{"opportunity_id", 902}, {"account_id", closed_opp}}, now);
  const std::string future =
      absl::FormatTime("%Y-%m-%d", now + Days(365), absl::UTCTimeZone());
  const std::string past =
      absl::FormatTime("%Y-%m-%d", now + Days(5), absl::UTCTimeZone());
  Publish("orders", "ContractSigned",
          {{"contract_id", "c-active"},
           {"account_id", active},
           {"amount_minor", 100},
           {"end_date", future}},
          now);
  Publish("orders", "ContractSigned",
          {{"contract_id", "c-expired"},
           {"account_id", expired},
           {"amount_minor", 100},
           {"end_date", past}},
          now);
  Poll();

  pb::RunRecycleResponse r = RecycleAt(now + Days(11));
  EXPECT_EQ(r.recycled(), 3);
  EXPECT_TRUE(InPool(plain));
  EXPECT_FALSE(InPool(locked));
  EXPECT_FALSE(InPool(open_opp));
  EXPECT_TRUE(InPool(closed_opp));
  EXPECT_FALSE(InPool(active));
  EXPECT_TRUE(InPool(expired));

  // Winning the open opportunity ends its protection.
  Publish("opportunities", "OpportunityWon",
          {{"opportunity_id", 901}, {"account_id", open_opp}}, now);
  Poll();
  RecycleAt(now + Days(12));
  EXPECT_TRUE(InPool(open_opp));
}

TEST_F(ProtectionTest, NoOpportunityDaysCountsFromTheLatestOpportunity) {
  SetEastRules(std::nullopt, R"([{"name":"no-opp","no_opportunity_days":30,)"
                             R"("warn_days_before":0}])");
  const auto rep = h_.User("noopp_rep", "e1", "sales_rep");
  const int64_t never = Owned(rep.token, 21), recent = Owned(rep.token, 22);
  const absl::Time now = h_.clock().Now();
  Publish("opportunities", "OpportunityCreated",
          {{"opportunity_id", 931}, {"account_id", recent}}, now + Days(20));
  Publish("opportunities", "OpportunityLost",
          {{"opportunity_id", 931}, {"account_id", recent}}, now + Days(21));
  Poll();
  RecycleAt(now + Days(35));
  EXPECT_TRUE(InPool(never));
  EXPECT_FALSE(InPool(recent));  // due at day 20 + 30
  RecycleAt(now + Days(51));
  EXPECT_TRUE(InPool(recent));
}

TEST_F(ProtectionTest, AReopenedOpportunityProtectsAgain) {
  SetEastRules(std::nullopt, R"([{"name":"quiet","no_follow_up_days":10,)"
                             R"("warn_days_before":0}])");
  const auto rep = h_.User("reopen_rep", "e1", "sales_rep");
  const int64_t a = Owned(rep.token, 41);
  const absl::Time now = h_.clock().Now();
  Publish("opportunities", "OpportunityCreated",
          {{"opportunity_id", 941}, {"account_id", a}}, now);
  Publish("opportunities", "OpportunityLost",
          {{"opportunity_id", 941}, {"account_id", a}}, now);
  // Other stage changes say nothing about openness.
  Publish("opportunities", "OpportunityStageChanged",
          {{"opportunity_id", 941}, {"account_id", a}, {"kind", "lost"}}, now);
  Publish("opportunities", "OpportunityStageChanged",
          {{"opportunity_id", 941}, {"account_id", a}, {"kind", "reopen"}},
          now);
  Poll();
  RecycleAt(now + Days(11));
  EXPECT_FALSE(InPool(a));
}

TEST_F(ProtectionTest, StaleOpportunityAndOverdueInstallmentBecomeTasksOnce) {
  const auto rep = h_.User("task_rep", "e1", "sales_rep");
  const int64_t account = Owned(rep.token, 31);
  const std::string path = h_.GetAccountOk(account).owner_org_path();
  const absl::Time now = h_.clock().Now();
  const nlohmann::json stale = {{"opportunity_id", 77},
                                {"owner_id", rep.user_id},
                                {"owner_org_path", path},
                                {"account_id", account},
                                {"opportunity_name", "年度采购"},
                                {"idle_days", 14},
                                {"stale_since", "2026-11-01T00:00:00Z"}};
  // Published twice (a producer retry with a new event id): one task.
  Publish("opportunities", "OpportunityStale", stale, now);
  Publish("opportunities", "OpportunityStale", stale, now);
  const nlohmann::json overdue = {
      {"contract_id", "5"},       {"installment_id", "12"},
      {"account_id", account},    {"owner_id", rep.user_id},
      {"owner_org_path", path},   {"amount_due_minor", 1234505},
      {"due_date", "2026-11-01"}, {"days_overdue", 3}};
  Publish("orders", "InstallmentOverdue", overdue, now);
  Publish("orders", "InstallmentOverdue", overdue, now);
  // Unusable payloads are skipped without blocking what follows.
  Publish("orders", "InstallmentOverdue", {{"installment_id", "13"}}, now);
  Publish("opportunities", "OpportunityStale", {{"opportunity_id", 78}}, now);
  Poll();

  std::vector<pb::Task> tasks = Tasks(rep.token);
  ASSERT_EQ(tasks.size(), 2u);
  int stale_tasks = 0, collection_tasks = 0;
  for (const pb::Task& t : tasks) {
    EXPECT_EQ(t.account_id(), account);
    if (t.kind() == "stale_opportunity") {
      ++stale_tasks;
      EXPECT_THAT(t.title(), HasSubstr("年度采购"));
      EXPECT_THAT(t.title(), HasSubstr("14 days"));
    }
    if (t.kind() == "collection") {
      ++collection_tasks;
      EXPECT_THAT(t.title(), HasSubstr("12345.05"));
    }
  }
  EXPECT_EQ(stale_tasks, 1);
  EXPECT_EQ(collection_tasks, 1);
}

}  // namespace
}  // namespace crm::accounts
