// The accounts service's event consumers against real MariaDB and Redis:
// UserDeactivated (from identity's real outbox, and redelivered) returns a
// rep's accounts to the public pools exactly once; ContractSigned sets
// SIGNED / first_signed_at / signed amount / tier and is replay-safe.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/auth/service_credentials.h"
#include "common/client/client.h"
#include "common/events/event.h"
#include "common/events/relay.h"
#include "common/redis/streams.h"
#include "common/validate/credit_code.h"
#include "services/accounts/accounts_service_events.h"
#include "services/identity/proto_convert.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
using testing::AccountsHarness;

std::string CreditCode(int n) { return testing::CreditCode(n, "91110000MA0"); }

class AccountsEventsTest : public ::testing::Test {
 protected:
  AccountsEventsTest()
      : redis_("accounts_events"),
        streams_(redis_.get()),
        consumers_(h_.schema().Pool(), redis_.get(),
                   h_.identity().shared_clock(), ClaimRules{}, "test-1") {}

  // An account owned by `token`'s user (CreateAccount without a pool).
  int64_t Owned(const std::string& token, const std::string& name, int code) {
    return h_.CreateAccountOk(
        token, testing::CompanyDraft(name, CreditCode(code), /*region=*/""));
  }

  int64_t Count(const std::string& sql) { return h_.QueryInt(sql, "c"); }

  // accounts.first_signed_at in Unix seconds (not in the API), -1 if NULL.
  int64_t FirstSigned(int64_t id) {
    return Count(
        absl::StrCat("SELECT COALESCE(CAST(UNIX_TIMESTAMP(first_signed_at) AS "
                     "SIGNED), -1) AS c FROM "
                     "accounts WHERE id = ",
                     id));
  }

  // `days` before the harness clock (whole seconds), in Unix seconds and
  // as the RFC 3339 text of a payload.
  int64_t Secs(int days) {
    return absl::ToUnixSeconds(h_.clock().Now()) - int64_t{days} * 86400;
  }
  std::string At(int days) {
    return events::FormatOccurredAt(absl::FromUnixSeconds(Secs(days)));
  }

  // XADDs an event (with this id) to `stream`.
  void Publish(const std::string& stream, const std::string& event_id,
               const std::string& type, const nlohmann::json& payload) {
    events::Event e;
    e.event_id = event_id;
    e.type = type;
    e.aggregate_id = "1";
    e.payload = payload;
    e.occurred_at = absl::FromUnixSeconds(1'700'000'000);
    absl::StatusOr<std::string> id =
        streams_.XAdd(events::StreamFor(stream), events::EncodeEvent(e));
    ASSERT_TRUE(id.ok()) << id.status();
  }

  int Poll() {
    absl::StatusOr<int> n = consumers_.PollOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  AccountsHarness h_;
  crm::testing::TestRedisPool redis_;
  redis::Streams streams_;
  AccountsEventConsumers consumers_;
};

TEST_F(AccountsEventsTest, UserDeactivatedReturnsAccountsToThePoolOnce) {
  const auto rep = h_.User("leaving_rep", "e1", "sales_rep");
  const auto stay = h_.User("staying_rep", "e1", "sales_rep");
  const int64_t a1 = Owned(rep.token, "离职甲公司", 1);
  const int64_t a2 = Owned(rep.token, "离职乙公司", 2);
  const int64_t kept = Owned(stay.token, "在职丙公司", 3);

  // Identity deactivates the rep: its outbox row goes through the relay to
  // the stream, as in production.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  crm::identity::v1::DeactivateUserRequest req;
  req.set_id(rep.user_id);
  crm::identity::v1::User user;
  ASSERT_TRUE(h_.identity().stub().DeactivateUser(&ctx, req, &user).ok());
  events::OutboxRelay relay(h_.identity().schema().Pool(), redis_.get(),
                            events::RelayOptions{.name = "identity"});
  absl::StatusOr<int> published = relay.RunOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  ASSERT_GE(*published, 1);
  EXPECT_GE(Poll(), 1);

  const pb::Account moved = h_.GetAccountOk(a1);
  EXPECT_EQ(moved.owner_id(), 0);
  EXPECT_GT(moved.pool_id(), 0);
  EXPECT_EQ(h_.GetAccountOk(a2).pool_id(), moved.pool_id());
  EXPECT_EQ(h_.GetAccountOk(kept).owner_id(), stay.user_id);
  EXPECT_EQ(Count(absl::StrCat(
                "SELECT COUNT(*) AS c FROM pools WHERE id = ", moved.pool_id(),
                " AND is_region_default = 1 AND region_code = "
                "'east'")),
            1);
  const std::string moves = absl::StrCat(
      "SELECT COUNT(*) AS c FROM pool_moves WHERE kind = 5 AND actor_id = 0 "
      "AND reason = 'owner deactivated' AND from_owner_id = ",
      rep.user_id);
  EXPECT_EQ(Count(moves), 2);

  // The same event delivered again (a relay crash before its bookkeeping):
  // skipped by the processed-events record, nothing moves twice.
  auto conn = h_.identity().schema().Pool()->Borrow();
  ASSERT_TRUE(conn.ok());
  auto row = (*conn)->QueryOne(
      "SELECT event_id FROM outbox WHERE event_type = 'UserDeactivated'", {},
      "ev");
  ASSERT_TRUE(row.ok()) << row.status();
  Publish("identity", row->String("event_id"), "UserDeactivated",
          {{"user_id", rep.user_id}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(consumers_.identity().stats().duplicates, 1);
  EXPECT_EQ(Count(moves), 2);

  // A different event for the same user (say, a replay from another
  // source) finds nothing left to move: idempotent by construction.
  Publish("identity", events::NewEventId(), "UserDeactivated",
          {{"user_id", rep.user_id}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Count(moves), 2);
  EXPECT_EQ(h_.GetAccountOk(a1).pool_id(), moved.pool_id());

  // Other identity events and unusable payloads are acknowledged, not
  // retried forever.
  Publish("identity", events::NewEventId(), "UserCreated", {{"user_id", 1}});
  Publish("identity", events::NewEventId(), "UserDeactivated", {{"user", "x"}});
  EXPECT_EQ(Poll(), 2);
  EXPECT_EQ(consumers_.identity().stats().failed, 0);
}

TEST_F(AccountsEventsTest, ConfiguredHandOverGivesAccountsToTheNearestManager) {
  // deactivated_accounts_to = manager: the lookup asks identity with the
  // accounts service's own token (ADR 0007).
  auto lookup = h_.identity().ManagerLookupFor("accounts");
  consumers_.HandOverToManager(lookup.get());

  const auto rep = h_.User("handover_rep", "e1", "sales_rep");
  const auto peer = h_.User("handover_peer", "e1", "sales_rep");
  // No manager in team e1; the region manager of "east" is the nearest.
  const auto boss_e = h_.User("handover_mgr", "east", "sales_manager");
  const auto other = h_.User("handover_mgr_n", "north", "sales_manager");
  const int64_t a1 = Owned(rep.token, "交接甲公司", 40);
  const int64_t a2 = Owned(rep.token, "交接乙公司", 41);
  const std::string path = h_.GetAccountOk(a1).owner_org_path();
  Publish("identity", events::NewEventId(), "UserDeactivated",
          {{"user_id", rep.user_id}, {"org_path", path}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(consumers_.identity().stats().failed, 0);
  for (int64_t id : {a1, a2}) {
    const pb::Account got = h_.GetAccountOk(id);
    EXPECT_EQ(got.owner_id(), boss_e.user_id);
    EXPECT_EQ(got.pool_id(), 0);
  }
  EXPECT_EQ(
      Count(absl::StrCat("SELECT COUNT(*) AS c FROM pool_moves WHERE "
                         "kind = 5 AND to_owner_id = ",
                         boss_e.user_id, " AND from_owner_id = ", rep.user_id)),
      2);

  // A team with its own manager: that one, not the region's.
  const auto lead = h_.User("handover_lead", "e2", "sales_manager");
  const auto rep2 = h_.User("handover_rep2", "e2", "sales_rep");
  const int64_t a3 = Owned(rep2.token, "交接丙公司", 42);
  Publish("identity", events::NewEventId(), "UserDeactivated",
          {{"user_id", rep2.user_id},
           {"org_path", h_.GetAccountOk(a3).owner_org_path()}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(h_.GetAccountOk(a3).owner_id(), lead.user_id);
  (void)peer;
  (void)other;
}

TEST_F(AccountsEventsTest, ContractSignedSetsStatusFirstSignedAndTier) {
  const auto rep = h_.User("signing_rep", "e1", "sales_rep");
  const int64_t a = Owned(rep.token, "签约甲公司", 10);
  const int64_t other = Owned(rep.token, "签约乙公司", 11);
  ASSERT_EQ(h_.GetAccountOk(a).tier(), pb::TIER_C);
  EXPECT_EQ(FirstSigned(a), -1);
  const std::string c1 = events::NewEventId();
  Publish("orders", c1, "ContractSigned",
          {{"contract_id", 501},
           {"account_id", a},
           {"amount_minor", 6'000'000},  // 60,000.00
           {"currency", "CNY"},
           {"signed_at", At(13)}});
  EXPECT_EQ(Poll(), 1);
  pb::Account got = h_.GetAccountOk(a);
  EXPECT_EQ(got.status(), pb::ACCOUNT_STATUS_SIGNED);
  EXPECT_EQ(got.tier(), pb::TIER_C);
  EXPECT_EQ(FirstSigned(a), Secs(13));

  // A second contract brings the window sum to 110,000.00: tier B.
  Publish("orders", events::NewEventId(), "ContractSigned",
          {{"contract_id", "502"},
           {"account_id", a},
           {"amount_minor", 5'000'000},
           {"currency", "CNY"},
           {"signed_at", At(4)}});
  EXPECT_EQ(Poll(), 1);
  got = h_.GetAccountOk(a);
  EXPECT_EQ(got.tier(), pb::TIER_B);
  EXPECT_EQ(got.signed_amount().amount_minor(), 11'000'000);
  // first_signed_at stays the first purchase.
  EXPECT_EQ(FirstSigned(a), Secs(13));

  // Replays: the same event id, and the same contract under a new event id
  // (the orders service re-emitting), change nothing.
  Publish("orders", c1, "ContractSigned",
          {{"contract_id", 501},
           {"account_id", a},
           {"amount_minor", 6'000'000},
           {"currency", "CNY"},
           {"signed_at", At(13)}});
  Publish("orders", events::NewEventId(), "ContractSigned",
          {{"contract_id", "501"},
           {"account_id", a},
           {"amount_minor", 6'000'000},
           {"currency", "CNY"},
           {"signed_at", At(13)}});
  EXPECT_EQ(Poll(), 2);
  got = h_.GetAccountOk(a);
  EXPECT_EQ(got.signed_amount().amount_minor(), 11'000'000);
  EXPECT_EQ(got.tier(), pb::TIER_B);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM signed_contracts"), 2);

  // A contract older than the 365-day window counts for first_signed_at
  // but not for the tier; a big one inside it makes tier A.
  Publish("orders", events::NewEventId(), "ContractSigned",
          {{"contract_id", 400},
           {"account_id", a},
           {"amount_minor", 500'000'000},
           {"currency", "CNY"},
           {"signed_at", At(900)}});
  EXPECT_EQ(Poll(), 1);
  got = h_.GetAccountOk(a);
  EXPECT_EQ(got.tier(), pb::TIER_B);
  EXPECT_EQ(got.signed_amount().amount_minor(), 11'000'000);
  EXPECT_EQ(FirstSigned(a), Secs(900));
  Publish("orders", events::NewEventId(), "ContractSigned",
          {{"contract_id", 503},
           {"account_id", a},
           {"amount_minor", 89'000'000},
           {"currency", "CNY"},
           {"signed_at", At(2)}});
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(h_.GetAccountOk(a).tier(), pb::TIER_A);
  EXPECT_EQ(h_.GetAccountOk(a).signed_amount().amount_minor(), 100'000'000);

  // Unknown accounts and broken payloads are acknowledged and skipped; the
  // other account is untouched.
  Publish(
      "orders", events::NewEventId(), "ContractSigned",
      {{"contract_id", 600}, {"account_id", 99999999}, {"amount_minor", 1}});
  Publish("orders", events::NewEventId(), "ContractSigned",
          {{"contract_id", 601}, {"account_id", other}});
  Publish("orders", events::NewEventId(), "ContractCreated",
          {{"contract_id", 602}, {"account_id", other}});
  EXPECT_EQ(Poll(), 3);
  EXPECT_EQ(consumers_.orders().stats().failed, 0);
  EXPECT_EQ(h_.GetAccountOk(other).status(), pb::ACCOUNT_STATUS_NEW);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM signed_contracts"), 4);
}

TEST_F(AccountsEventsTest, BackgroundConsumersStartAndStop) {
  const auto rep = h_.User("bg_rep", "e2", "sales_rep");
  const int64_t a = Owned(rep.token, "后台甲公司", 20);
  consumers_.Start();
  Publish("orders", events::NewEventId(), "ContractSigned",
          {{"contract_id", 700},
           {"account_id", a},
           {"amount_minor", 100},
           {"currency", "CNY"},
           {"signed_at", At(13)}});
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (h_.GetAccountOk(a).status() != pb::ACCOUNT_STATUS_SIGNED &&
         absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(50));
  consumers_.Stop();
  EXPECT_EQ(h_.GetAccountOk(a).status(), pb::ACCOUNT_STATUS_SIGNED);
}

}  // namespace
}  // namespace crm::accounts

namespace crm::accounts {
namespace {

TEST_F(AccountsEventsTest, TiersFollowTheSlidingWindowAndNewThresholds) {
  const auto rep = h_.User("tier_rep", "e1", "sales_rep");
  const int64_t a = Owned(rep.token, "窗口甲公司", 60);
  Publish("orders", events::NewEventId(), "ContractSigned",
          {{"contract_id", "w-1"},
           {"account_id", a},
           {"amount_minor", 6'000'000},
           {"signed_at", At(300)}});
  Publish("orders", events::NewEventId(), "ContractSigned",
          {{"contract_id", "w-2"},
           {"account_id", a},
           {"amount_minor", 6'000'000},
           {"signed_at", At(10)}});
  EXPECT_EQ(Poll(), 2);
  ASSERT_EQ(h_.GetAccountOk(a).tier(), pb::TIER_B);  // 120,000.00 in window

  auto recompute = [&](absl::Time as_of, pb::RecomputeTiersResponse* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::RecomputeTiersRequest req;
    identity::ToTimestamp(as_of, req.mutable_as_of());
    return h_.stub().RecomputeTiers(&ctx, req, out);
  };
  pb::RecomputeTiersResponse r;
  ASSERT_TRUE(recompute(h_.clock().Now(), &r).ok());
  EXPECT_EQ(r.scanned(), 1);
  EXPECT_EQ(r.changed(), 0);
  // 70 days on, the older contract has left the 365-day window.
  ASSERT_TRUE(recompute(h_.clock().Now() + absl::Hours(24 * 70), &r).ok());
  EXPECT_EQ(r.changed(), 1);
  pb::Account got = h_.GetAccountOk(a);
  EXPECT_EQ(got.tier(), pb::TIER_C);
  EXPECT_EQ(got.signed_amount().amount_minor(), 6'000'000);

  auto update = [&](const std::string& token, int64_t a_min, int64_t b_min,
                    const std::string& b_currency, pb::TierSettings* out) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateTierSettingsRequest req;
    req.mutable_settings()->set_window_days(365);
    req.mutable_settings()->mutable_tier_a_min()->set_currency_code("CNY");
    req.mutable_settings()->mutable_tier_a_min()->set_amount_minor(a_min);
    req.mutable_settings()->mutable_tier_b_min()->set_currency_code(b_currency);
    req.mutable_settings()->mutable_tier_b_min()->set_amount_minor(b_min);
    return h_.stub().UpdateTierSettings(&ctx, req, out);
  };
  pb::TierSettings settings;
  const auto mgr = h_.User("tier_mgr", "east", "sales_manager");
  EXPECT_EQ(update(mgr.token, 100, 50, "CNY", &settings).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status bad = update(h_.Admin(), 50, 50, "CNY", &settings);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(),
              ::testing::HasSubstr("settings.tier_a_min.amount_minor"));
  bad = update(h_.Admin(), 100, 50, "USD", &settings);
  EXPECT_THAT(bad.error_message(),
              ::testing::HasSubstr("settings.tier_b_min.currency_code"));
  ASSERT_TRUE(update(h_.Admin(), 50'000'000, 5'000'000, "CNY", &settings).ok());
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr.token);
    pb::TierSettings read;
    ASSERT_TRUE(h_.stub()
                    .GetTierSettings(&ctx, pb::GetTierSettingsRequest(), &read)
                    .ok());
    EXPECT_EQ(read.tier_b_min().amount_minor(), 5'000'000);
  }
  ASSERT_TRUE(recompute(h_.clock().Now() + absl::Hours(24 * 70), &r).ok());
  EXPECT_EQ(h_.GetAccountOk(a).tier(), pb::TIER_B);  // 60,000 >= 50,000
}

}  // namespace
}  // namespace crm::accounts

// Org moves (identity's OrgUnitMoved / UserOrgChanged): the stored org path
// copies follow, so data scope follows the org tree.
namespace crm::accounts {
namespace {

class AccountsOrgMoveTest : public AccountsEventsTest {
 protected:
  // Relays identity's outbox to the stream; returns the entries published.
  int Relay() {
    events::OutboxRelay relay(h_.identity().schema().Pool(), redis_.get(),
                              events::RelayOptions{.name = "identity"});
    absl::StatusOr<int> published = relay.RunOnce();
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? *published : -1;
  }

  void Exec(const std::string& sql, const std::vector<db::Param>& params) {
    auto conn = h_.schema().Pool()->Borrow();
    ASSERT_TRUE(conn.ok()) << conn.status();
    absl::StatusOr<int64_t> n = (*conn)->Exec(sql, params);
    ASSERT_TRUE(n.ok()) << n.status();
  }

  // An open (status 1) or done (2) task and a visit of `user` at `path`.
  void TaskAndVisit(int64_t user, const std::string& path, int64_t account,
                    int status = 1) {
    Exec(
        "INSERT INTO tasks (assignee_id, assignee_org_path, title, "
        "account_id, due_at, status, kind, created_by, created_at, "
        "updated_at) VALUES (?, ?, 't', ?, NOW(6), ?, 'manual', 0, NOW(6), "
        "NOW(6))",
        {user, path, account, status});
    Exec(
        "INSERT INTO visits (account_id, user_id, lat, lng, accuracy_m, "
        "distance_m, at, user_org_path) VALUES (?, ?, 31.2, 121.4, 10, 5, "
        "NOW(6), ?)",
        {account, user, path});
  }

  int64_t Paths(const std::string& table, const std::string& column,
                const std::string& path) {
    return Count(absl::StrCat("SELECT COUNT(*) AS c FROM ", table, " WHERE ",
                              column, " = '", path, "'"));
  }

  // The one event of `type` in identity's outbox.
  std::string OutboxEventId(const std::string& type) {
    auto conn = h_.identity().schema().Pool()->Borrow();
    EXPECT_TRUE(conn.ok());
    auto row = (*conn)->QueryOne(
        "SELECT event_id FROM outbox WHERE event_type = ?", {type}, "ev");
    EXPECT_TRUE(row.ok()) << row.status();
    return row.ok() ? row->String("event_id") : "";
  }

  grpc::StatusCode Sees(const std::string& token, int64_t id) {
    pb::Account a;
    return h_.GetAccount(token, id, &a).error_code();
  }
};

TEST_F(AccountsOrgMoveTest, OrgUnitMovedRepathsTheSubtree) {
  const auto rep = h_.User("move_rep", "e1", "sales_rep");
  const auto east_mgr = h_.User("move_east_mgr", "east", "sales_manager");
  const auto north_mgr = h_.User("move_north_mgr", "north", "sales_manager");
  const auto e2_rep = h_.User("move_e2_rep", "e2", "sales_rep");
  const int64_t a1 = Owned(rep.token, "迁移甲公司", 60);
  const int64_t a2 = Owned(rep.token, "迁移乙公司", 61);
  const int64_t stays = Owned(e2_rep.token, "留守丙公司", 62);
  const std::string old_path = h_.GetAccountOk(a1).owner_org_path();
  const std::string e2_path = h_.GetAccountOk(stays).owner_org_path();
  TaskAndVisit(rep.user_id, old_path, a1);
  EXPECT_EQ(Sees(east_mgr.token, a1), grpc::StatusCode::OK);
  EXPECT_EQ(Sees(north_mgr.token, a1), grpc::StatusCode::NOT_FOUND);

  // Identity moves team e1 from region east to region north.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  crm::identity::v1::MoveOrgUnitRequest req;
  req.set_id(h_.Unit("e1"));
  req.set_new_parent_id(h_.Unit("north"));
  crm::identity::v1::OrgUnit unit;
  grpc::Status st = h_.identity().stub().MoveOrgUnit(&ctx, req, &unit);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const std::string new_path = unit.path();
  ASSERT_NE(new_path, old_path);
  ASSERT_GE(Relay(), 1);
  EXPECT_GE(Poll(), 1);
  EXPECT_EQ(consumers_.identity().stats().failed, 0);

  for (int64_t id : {a1, a2})
    EXPECT_EQ(h_.GetAccountOk(id).owner_org_path(), new_path);
  EXPECT_EQ(h_.GetAccountOk(stays).owner_org_path(), e2_path);
  EXPECT_EQ(Paths("tasks", "assignee_org_path", new_path), 1);
  EXPECT_EQ(Paths("visits", "user_org_path", new_path), 1);
  EXPECT_EQ(Paths("tasks", "assignee_org_path", old_path), 0);
  EXPECT_EQ(Paths("visits", "user_org_path", old_path), 0);
  // The new region's manager sees them; the old one no longer does.
  EXPECT_EQ(Sees(north_mgr.token, a1), grpc::StatusCode::OK);
  EXPECT_EQ(Sees(east_mgr.token, a1), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Sees(east_mgr.token, stays), grpc::StatusCode::OK);

  // Redelivered (same event id): deduplicated; under a new id: nothing left
  // under the old prefix, nothing changes.
  const std::string event_id = OutboxEventId("OrgUnitMoved");
  const nlohmann::json payload = {{"org_unit_id", h_.Unit("e1")},
                                  {"old_path", old_path},
                                  {"new_path", new_path}};
  Publish("identity", event_id, "OrgUnitMoved", payload);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(consumers_.identity().stats().duplicates, 1);
  Publish("identity", events::NewEventId(), "OrgUnitMoved", payload);
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM accounts WHERE "
                               "owner_org_path = '",
                               new_path, "'")),
            2);
  EXPECT_EQ(Paths("tasks", "assignee_org_path", new_path), 1);
  EXPECT_EQ(Paths("visits", "user_org_path", new_path), 1);
  EXPECT_EQ(h_.GetAccountOk(stays).owner_org_path(), e2_path);
}

TEST_F(AccountsOrgMoveTest, NewPrefixUnderTheOldOneIsAppliedOnce) {
  // Not something identity allows, but a consumer must not prefix twice.
  const auto rep = h_.User("nest_rep", "e2", "sales_rep");
  const int64_t a = Owned(rep.token, "嵌套甲公司", 63);
  const std::string old_path = h_.GetAccountOk(a).owner_org_path();
  const std::string new_path = old_path + "999/";
  TaskAndVisit(rep.user_id, old_path, a);
  const nlohmann::json payload = {{"old_path", old_path},
                                  {"new_path", new_path}};
  Publish("identity", events::NewEventId(), "OrgUnitMoved", payload);
  Publish("identity", events::NewEventId(), "OrgUnitMoved", payload);
  EXPECT_EQ(Poll(), 2);
  EXPECT_EQ(h_.GetAccountOk(a).owner_org_path(), new_path);
  EXPECT_EQ(Paths("tasks", "assignee_org_path", new_path), 1);
  EXPECT_EQ(Paths("visits", "user_org_path", new_path), 1);
}

TEST_F(AccountsOrgMoveTest, UserOrgChangedMovesOneUsersRecords) {
  const auto rep = h_.User("switch_rep", "e1", "sales_rep");
  const auto peer = h_.User("switch_peer", "e1", "sales_rep");
  const auto e1_mgr = h_.User("switch_e1_mgr", "e1", "sales_manager");
  const auto n1_mgr = h_.User("switch_n1_mgr", "n1", "sales_manager");
  const int64_t a1 = Owned(rep.token, "调岗甲公司", 64);
  const int64_t a2 = Owned(rep.token, "调岗乙公司", 65);
  const int64_t kept = Owned(peer.token, "调岗丙公司", 66);
  const std::string old_path = h_.GetAccountOk(a1).owner_org_path();
  TaskAndVisit(rep.user_id, old_path, a1);
  TaskAndVisit(rep.user_id, old_path, a2, /*status=*/2);  // a done task
  EXPECT_EQ(Sees(n1_mgr.token, a1), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  crm::identity::v1::UpdateUserRequest req;
  req.mutable_user()->set_id(rep.user_id);
  req.mutable_user()->set_org_unit_id(h_.Unit("n1"));
  req.mutable_update_mask()->add_paths("org_unit_id");
  crm::identity::v1::User user;
  grpc::Status st = h_.identity().stub().UpdateUser(&ctx, req, &user);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const std::string new_path = user.org_path();
  ASSERT_NE(new_path, old_path);
  ASSERT_GE(Relay(), 1);
  EXPECT_GE(Poll(), 1);
  EXPECT_EQ(consumers_.identity().stats().failed, 0);

  for (int64_t id : {a1, a2}) {
    EXPECT_EQ(h_.GetAccountOk(id).owner_org_path(), new_path);
    EXPECT_EQ(Sees(n1_mgr.token, id), grpc::StatusCode::OK);
    EXPECT_EQ(Sees(e1_mgr.token, id), grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(h_.GetAccountOk(kept).owner_org_path(), old_path);
  EXPECT_EQ(Sees(e1_mgr.token, kept), grpc::StatusCode::OK);
  // The open task and both visits move; the done task stays with e1.
  EXPECT_EQ(Paths("tasks", "assignee_org_path", new_path), 1);
  EXPECT_EQ(Paths("tasks", "assignee_org_path", old_path), 1);
  EXPECT_EQ(Paths("visits", "user_org_path", new_path), 2);

  // Replays change nothing; bad payloads are skipped, not retried forever.
  Publish("identity", events::NewEventId(), "UserOrgChanged",
          {{"user_id", rep.user_id}, {"new_org_path", new_path}});
  Publish("identity", events::NewEventId(), "UserOrgChanged",
          {{"user_id", "x"}, {"new_org_path", new_path}});
  Publish("identity", events::NewEventId(), "UserOrgChanged",
          {{"user_id", rep.user_id}, {"new_org_path", "nope"}});
  Publish("identity", events::NewEventId(), "OrgUnitMoved",
          {{"old_path", old_path}});
  EXPECT_EQ(Poll(), 4);
  EXPECT_EQ(consumers_.identity().stats().failed, 0);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) AS c FROM accounts WHERE "
                               "owner_org_path = '",
                               new_path, "'")),
            2);
  EXPECT_EQ(h_.GetAccountOk(kept).owner_org_path(), old_path);
  EXPECT_EQ(Paths("tasks", "assignee_org_path", old_path), 1);
}

}  // namespace
}  // namespace crm::accounts
