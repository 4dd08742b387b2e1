// The outbox relay against the real MariaDB and Redis: what it publishes,
// in which order, how it marks rows, the lock between replicas, batching,
// trimming, Redis outages and the background loop.
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/redis/lock.h"
#include "common/redis/redis_pool.h"
#include "common/redis/streams.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_events.h"

namespace crm::events {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::SizeIs;

class EventsRelayTest : public crm::testing::EventsFixture {
 protected:
  EventsRelayTest() : EventsFixture("events_relay") {}

  RelayOptions Options() {
    RelayOptions o;
    o.name = "leads";
    return o;
  }

  // Appends one event in its own committed transaction; returns its id.
  std::string Append(int n, const std::string& stream = kStream) {
    absl::StatusOr<std::string> id =
        db::RunInTransactionFor<std::string>(*pool_, [&](db::Connection& tx) {
          return AppendToOutbox(
              tx, stream, "LeadCreated", absl::StrCat("lead-", n), {{"n", n}},
              absl::FromUnixMicros(1'700'000'000'000'000 + n));
        });
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or("");
  }

  // Appends an event in a transaction that then rolls back.
  void AppendRolledBack(int n) {
    absl::Status s = db::RunInTransaction(*pool_, [&](db::Connection& tx) {
      absl::StatusOr<std::string> id = AppendToOutbox(
          tx, kStream, "LeadCreated", "rolled-back", {{"n", n}}, absl::Now());
      if (!id.ok()) return id.status();
      return absl::FailedPreconditionError("business rule failed");
    });
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  }

  int64_t Unpublished() {
    return Count("SELECT COUNT(*) AS c FROM outbox WHERE published_at IS NULL");
  }

  // All entries of `stream`, oldest first.
  std::vector<redis::StreamEntry> Range(const std::string& stream) {
    absl::StatusOr<redis::Reply> reply =
        redis_->Command({"XRANGE", redis_->Key(stream), "-", "+"});
    EXPECT_TRUE(reply.ok()) << reply.status();
    std::vector<redis::StreamEntry> entries;
    if (!reply.ok()) return entries;
    for (const redis::Reply& item : reply->elements) {
      redis::StreamEntry entry;
      entry.id = item.elements[0].str;
      const auto& kv = item.elements[1].elements;
      for (size_t i = 0; i + 1 < kv.size(); i += 2) {
        entry.fields.emplace_back(kv[i].str, kv[i + 1].str);
      }
      entries.push_back(std::move(entry));
    }
    return entries;
  }

  std::vector<std::string> EventIds(const std::string& stream) {
    std::vector<std::string> ids;
    for (const redis::StreamEntry& e : Range(stream)) {
      absl::StatusOr<Event> event = DecodeEvent(e.fields);
      EXPECT_TRUE(event.ok()) << event.status();
      ids.push_back(event.ok() ? event->event_id : "");
    }
    return ids;
  }

  static constexpr char kStream[] = "events:leads";
};

TEST_F(EventsRelayTest, PublishesCommittedRowsInOrderAndMarksThem) {
  const std::string a = Append(1);
  AppendRolledBack(2);
  const std::string b = Append(3);
  AppendRolledBack(4);
  const std::string c = Append(5);

  auto clock =
      std::make_shared<ManualClock>(absl::FromUnixSeconds(1'800'000'000));
  OutboxRelay relay(pool_, redis_.get(), Options(), clock);
  absl::StatusOr<int> published = relay.RunOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, 3);

  const std::vector<redis::StreamEntry> entries = Range(kStream);
  ASSERT_THAT(entries, SizeIs(3));
  EXPECT_THAT(EventIds(kStream), ElementsAre(a, b, c));
  // The entry carries exactly the envelope the outbox row describes.
  EXPECT_THAT(
      entries[1].fields,
      ElementsAreArray(EncodeEvent(OutboxEvent{
          .event_id = b,
          .stream = kStream,
          .type = "LeadCreated",
          .aggregate_id = "lead-3",
          .payload_json = R"({"n":3})",
          .occurred_at = absl::FromUnixMicros(1'700'000'000'000'000 + 3)})));

  EXPECT_EQ(Unpublished(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM outbox WHERE published_at = "
                  "'2027-01-15 08:00:00'"),
            3);

  // Nothing left: a second pass publishes nothing more.
  published = relay.RunOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, 0);
  EXPECT_THAT(Range(kStream), SizeIs(3));
  // The lock was released at the end of the pass.
  EXPECT_EQ(*redis_->Command({"EXISTS", redis_->Key("lock:outbox-relay:leads")})
                 ->AsInteger(),
            0);
}

TEST_F(EventsRelayTest, EmptyOutboxPublishesNothing) {
  OutboxRelay relay(pool_, redis_.get(), Options());
  absl::StatusOr<int> published = relay.RunOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, 0);
  EXPECT_EQ(*redis_->Command({"EXISTS", redis_->Key(kStream)})->AsInteger(), 0);
}

TEST_F(EventsRelayTest, EachRowGoesToItsOwnStream) {
  const std::string lead = Append(1, "events:leads");
  const std::string order = Append(2, "events:orders");
  const std::string lead2 = Append(3, "events:leads");
  OutboxRelay relay(pool_, redis_.get(), Options());
  ASSERT_EQ(*relay.RunOnce(), 3);
  EXPECT_THAT(EventIds("events:leads"), ElementsAre(lead, lead2));
  EXPECT_THAT(EventIds("events:orders"), ElementsAre(order));
}

TEST_F(EventsRelayTest, BatchesAndPassLimit) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(Append(i));
  RelayOptions o = Options();
  o.batch_size = 3;
  o.max_batches_per_run = 2;
  OutboxRelay relay(pool_, redis_.get(), o);
  EXPECT_EQ(*relay.RunOnce(), 6);  // two full batches, then it yields
  EXPECT_EQ(Unpublished(), 4);
  EXPECT_EQ(*relay.RunOnce(), 4);  // 3 + 1: a short batch ends the pass
  EXPECT_EQ(*relay.RunOnce(), 0);
  EXPECT_THAT(EventIds(kStream), ElementsAreArray(ids));
}

TEST_F(EventsRelayTest, RowCommittedLateWithLowerIdIsPublishedLater) {
  // Transaction A takes the lower id but commits after B.
  auto conn_a = pool_->Borrow();
  ASSERT_TRUE(conn_a.ok());
  ASSERT_TRUE((*conn_a)->Begin().ok());
  absl::StatusOr<std::string> a = AppendToOutbox(
      **conn_a, kStream, "LeadCreated", "lead-a", {{"n", 1}}, absl::Now());
  ASSERT_TRUE(a.ok()) << a.status();
  const std::string b = Append(2);

  OutboxRelay relay(pool_, redis_.get(), Options());
  EXPECT_EQ(*relay.RunOnce(), 1);  // A is invisible until it commits
  EXPECT_THAT(EventIds(kStream), ElementsAre(b));

  ASSERT_TRUE((*conn_a)->Commit().ok());
  EXPECT_EQ(*relay.RunOnce(), 1);  // ...and is not lost after it does
  EXPECT_THAT(EventIds(kStream), ElementsAre(b, *a));
  EXPECT_EQ(Unpublished(), 0);
}

TEST_F(EventsRelayTest, CrashBeforeMarkingPublishesAgain) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Append(i));
  OutboxRelay relay(pool_, redis_.get(), Options());
  ASSERT_EQ(*relay.RunOnce(), 5);
  // The relay died after XADD, before its UPDATE committed.
  Sql("UPDATE outbox SET published_at = NULL");
  ASSERT_EQ(*relay.RunOnce(), 5);
  // At least once: every event is in the stream twice, same event ids.
  std::vector<std::string> twice = ids;
  twice.insert(twice.end(), ids.begin(), ids.end());
  EXPECT_THAT(EventIds(kStream), ElementsAreArray(twice));
  EXPECT_EQ(Unpublished(), 0);
}

TEST_F(EventsRelayTest, PassDoesNothingWhileAnotherRelayHoldsTheLock) {
  Append(1);
  Append(2);
  redis::DistributedLock lock(redis_.get());
  absl::StatusOr<std::optional<redis::LockHandle>> held =
      lock.TryAcquire("lock:outbox-relay:leads", absl::Seconds(30));
  ASSERT_TRUE(held.ok() && held->has_value());

  OutboxRelay relay(pool_, redis_.get(), Options());
  absl::StatusOr<int> published = relay.RunOnce();
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, 0);
  EXPECT_EQ(Unpublished(), 2);
  EXPECT_EQ(*redis_->Command({"EXISTS", redis_->Key(kStream)})->AsInteger(), 0);

  // Another service's relay has its own lock.
  RelayOptions other = Options();
  other.name = "orders";
  OutboxRelay orders_relay(pool_, redis_.get(), other);
  // (It reads the same test schema here, so it publishes these rows.)
  EXPECT_EQ(*orders_relay.RunOnce(), 2);

  ASSERT_TRUE((*held)->Release().ok());
  EXPECT_EQ(*relay.RunOnce(), 0);
}

TEST_F(EventsRelayTest, RacingRelaysPublishEachRowOnce) {
  constexpr int kRows = 300;
  // Two replicas, each with its own Redis pool, race over passes while a
  // writer keeps committing rows.
  // (Same server and key prefix as redis_.)
  absl::StatusOr<std::unique_ptr<redis::RedisPool>> redis2 =
      redis::RedisPool::Create(redis_.options());
  ASSERT_TRUE(redis2.ok()) << redis2.status();
  RelayOptions o = Options();
  o.batch_size = 7;
  o.max_batches_per_run = 3;
  OutboxRelay r1(pool_, redis_.get(), o);
  OutboxRelay r2(pool_, redis2->get(), o);

  std::atomic<bool> writing{true};
  std::atomic<int> published{0};
  std::atomic<int> errors{0};
  std::set<std::string> appended;
  std::thread writer([&] {
    for (int i = 0; i < kRows; ++i) appended.insert(Append(i));
    writing = false;
  });
  auto race = [&](OutboxRelay& relay) {
    while (true) {
      const bool last_round = !writing;
      absl::StatusOr<int> n = relay.RunOnce();
      if (!n.ok()) {
        ++errors;
        ADD_FAILURE() << n.status();
        return;
      }
      published += *n;
      if (last_round && Unpublished() == 0) return;
      if (*n == 0) absl::SleepFor(absl::Milliseconds(1));
    }
  };
  std::thread t1([&] { race(r1); });
  std::thread t2([&] { race(r2); });
  writer.join();
  t1.join();
  t2.join();

  EXPECT_EQ(errors, 0);
  EXPECT_EQ(published, kRows);
  const std::vector<std::string> ids = EventIds(kStream);
  EXPECT_THAT(ids, SizeIs(kRows));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), appended);
  EXPECT_EQ(Unpublished(), 0);
}

TEST_F(EventsRelayTest, RedisDownKeepsRowsUnpublished) {
  for (int i = 0; i < 4; ++i) Append(i);
  std::unique_ptr<redis::RedisPool> down = DownRedis();
  ASSERT_NE(down, nullptr);
  OutboxRelay broken(pool_, down.get(), Options());
  absl::StatusOr<int> published = broken.RunOnce();
  EXPECT_EQ(published.status().code(), absl::StatusCode::kUnavailable)
      << published.status();
  EXPECT_EQ(Unpublished(), 4);

  // Redis is back: nothing was lost.
  OutboxRelay relay(pool_, redis_.get(), Options());
  EXPECT_EQ(*relay.RunOnce(), 4);
  EXPECT_THAT(EventIds(kStream), SizeIs(4));
  EXPECT_EQ(Unpublished(), 0);
}

TEST_F(EventsRelayTest, BackgroundLoopWithRedisDownKeepsRetryingAndStops) {
  Append(1);
  std::unique_ptr<redis::RedisPool> down = DownRedis();
  RelayOptions o = Options();
  o.error_backoff = absl::Milliseconds(20);
  OutboxRelay broken(pool_, down.get(), o);
  broken.Start();
  absl::SleepFor(absl::Milliseconds(100));
  broken.Stop();
  EXPECT_EQ(Unpublished(), 1);
}

TEST_F(EventsRelayTest, TrimsStreamsApproximately) {
  constexpr int kRows = 250;
  {
    // Insert the rows in one statement; publishing them is what's tested.
    auto conn = pool_->Borrow();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(
        (*conn)
            ->ExecRaw(absl::StrCat(
                "INSERT INTO outbox (event_id, stream, event_type, "
                "aggregate_id, payload, occurred_at) "
                "SELECT LPAD(HEX(seq), 32, '0'), 'events:leads', 'Tick', "
                "seq, '{}', NOW(6) FROM seq_1_to_",
                kRows))
            .ok());
  }
  RelayOptions o = Options();
  o.max_stream_length = 10;
  o.batch_size = 100;
  OutboxRelay relay(pool_, redis_.get(), o);
  int total = 0;
  for (int i = 0; i < 5 && total < kRows; ++i) total += *relay.RunOnce();
  EXPECT_EQ(total, kRows);
  const int64_t len =
      *redis_->Command({"XLEN", redis_->Key(kStream)})->AsInteger();
  // MAXLEN ~ keeps at least 10 and trims whole nodes (100 entries each by
  // default), so far fewer than 250 remain.
  EXPECT_GE(len, 10);
  EXPECT_LT(len, kRows);
}

TEST_F(EventsRelayTest, BackgroundLoopPublishesOnNotifyAndStopsPromptly) {
  RelayOptions o = Options();
  o.poll_interval = absl::Seconds(60);  // only Notify() can wake it in time
  {
    OutboxRelay relay(pool_, redis_.get(), o);
    relay.Start();
    relay.Start();  // idempotent
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(Append(i));
    relay.Notify();
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (Unpublished() > 0 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(Unpublished(), 0);
    EXPECT_THAT(EventIds(kStream), ElementsAreArray(ids));

    const absl::Time stop_start = absl::Now();
    relay.Stop();
    relay.Stop();  // idempotent
    // Not a speed check: a loop that ignored Stop() would sleep 60s.
    EXPECT_LT(absl::Now() - stop_start, absl::Seconds(10));

    // It can be started again; the destructor stops it (RAII).
    relay.Start();
    Append(99);
    relay.Notify();
    const absl::Time deadline2 = absl::Now() + absl::Seconds(20);
    while (Unpublished() > 0 && absl::Now() < deadline2) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(Unpublished(), 0);
  }
  EXPECT_THAT(EventIds(kStream), SizeIs(4));
}

TEST_F(EventsRelayTest, InvalidOptionsAreReported) {
  RelayOptions o = Options();
  o.name = "";
  OutboxRelay relay(pool_, redis_.get(), o);
  EXPECT_EQ(relay.RunOnce().status().code(),
            absl::StatusCode::kInvalidArgument);
  relay.Start();  // logs and exits; Stop() still works
  relay.Stop();
}

}  // namespace
}  // namespace crm::events
