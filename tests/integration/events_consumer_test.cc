// outbox -> relay -> Redis Stream -> consumer against the real MariaDB and
// Redis: each committed event's effect lands in MySQL exactly once despite
// duplicate publishing, dead consumers, handler failures and poison entries.
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/events/consumer.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/redis/redis_pool.h"
#include "common/redis/streams.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_events.h"

namespace crm::events {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;

constexpr char kStream[] = "events:leads";

class EventsConsumerTest : public crm::testing::EventsFixture {
 protected:
  EventsConsumerTest() : EventsFixture("events_consumer") {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(EventsFixture::SetUp());
    Sql("CREATE TABLE effects ("
        " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
        " tag VARCHAR(64) NOT NULL,"
        " event_id CHAR(32) NOT NULL,"
        " type VARCHAR(128) NOT NULL,"
        " aggregate_id VARCHAR(64) NOT NULL,"
        " n INT NOT NULL) ENGINE=InnoDB");
    streams_ = std::make_unique<redis::Streams>(redis_.get());
    RelayOptions o;
    o.name = "leads";
    relay_ = std::make_unique<OutboxRelay>(pool_, redis_.get(), o);
  }

  // Commits `count` events, `per_tx` per transaction; returns their ids.
  std::vector<std::string> AppendCommitted(int count, int per_tx = 1) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; i += per_tx) {
      absl::Status s = db::RunInTransaction(*pool_, [&](db::Connection& tx) {
        for (int j = i; j < std::min(count, i + per_tx); ++j) {
          const int n = next_n_++;
          absl::StatusOr<std::string> id =
              AppendToOutbox(tx, kStream, "LeadCreated",
                             absl::StrCat("lead-", n), {{"n", n}}, absl::Now());
          if (!id.ok()) return id.status();
          ids.push_back(*id);
        }
        return absl::OkStatus();
      });
      EXPECT_TRUE(s.ok()) << s;
    }
    return ids;
  }

  // Appends events in a transaction that rolls back; returns the ids they
  // would have had.
  std::vector<std::string> AppendRolledBack(int count) {
    std::vector<std::string> ids;
    absl::Status s = db::RunInTransaction(*pool_, [&](db::Connection& tx) {
      for (int i = 0; i < count; ++i) {
        absl::StatusOr<std::string> id = AppendToOutbox(
            tx, kStream, "LeadCreated", "doomed", {{"n", -1}}, absl::Now());
        if (!id.ok()) return id.status();
        ids.push_back(*id);
      }
      return absl::AbortedError("validation failed after writing");
    });
    EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
    return ids;
  }

  int Publish() {
    absl::StatusOr<int> n = relay_->RunOnce();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  ConsumerOptions Options(const std::string& consumer,
                          const std::string& group = "accounts") {
    ConsumerOptions o;
    o.stream = kStream;
    o.group = group;
    o.consumer = consumer;
    return o;
  }

  // A handler that records each application in `effects`.
  static EventHandler Recorder(const std::string& tag) {
    return [tag](const Event& e, db::Connection& tx) -> absl::Status {
      if (!tx.in_transaction()) {
        return absl::InternalError("handler called outside a transaction");
      }
      if (e.stream != kStream || e.entry_id.empty()) {
        return absl::InternalError("event lacks its stream position");
      }
      return tx
          .Exec(
              "INSERT INTO effects (tag, event_id, type, aggregate_id, n)"
              " VALUES (?, ?, ?, ?, ?)",
              {tag, e.event_id, e.type, e.aggregate_id,
               e.payload.value("n", -2)})
          .status();
    };
  }

  std::unique_ptr<StreamConsumer> MakeConsumer(
      ConsumerOptions o, EventHandler handler = Recorder("accounts")) {
    return std::make_unique<StreamConsumer>(pool_, redis_.get(), std::move(o),
                                            std::move(handler));
  }

  int Poll(StreamConsumer& c, int max = 1000) {
    absl::StatusOr<int> n = c.PollOnce(max);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  // event_id -> how many times its effect was applied (for `tag`).
  std::map<std::string, int> Effects(const std::string& tag = "accounts") {
    std::map<std::string, int> out;
    auto conn = pool_->Borrow();
    EXPECT_TRUE(conn.ok());
    auto rows = (*conn)->Query(
        "SELECT event_id, COUNT(*) AS c FROM effects WHERE tag = ?"
        " GROUP BY event_id",
        {tag});
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok()) return out;
    for (const auto& row : *rows) out[row.String("event_id")] = row.Int("c");
    return out;
  }

  static std::map<std::string, int> Once(const std::vector<std::string>& ids) {
    std::map<std::string, int> out;
    for (const auto& id : ids) out[id] = 1;
    return out;
  }

  // Entries delivered to `group` and not yet acknowledged.
  int64_t Pending(const std::string& group = "accounts",
                  const std::string& stream = kStream) {
    absl::StatusOr<redis::Reply> reply =
        redis_->Command({"XPENDING", redis_->Key(stream), group});
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? reply->elements[0].integer : -1;
  }

  // Pending count per consumer name.
  std::map<std::string, int64_t> PendingByConsumer(
      const std::string& group = "accounts") {
    std::map<std::string, int64_t> out;
    absl::StatusOr<redis::Reply> reply =
        redis_->Command({"XPENDING", redis_->Key(kStream), group});
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok() || !reply->elements[3].is_array()) return out;
    for (const redis::Reply& c : reply->elements[3].elements) {
      int64_t n = 0;
      EXPECT_TRUE(absl::SimpleAtoi(c.elements[1].str, &n));
      out[c.elements[0].str] = n;
    }
    return out;
  }

  std::unique_ptr<redis::Streams> streams_;
  std::unique_ptr<OutboxRelay> relay_;
  int next_n_ = 1;
};

TEST_F(EventsConsumerTest, DeliversEachCommittedEventExactlyOnce) {
  std::vector<std::string> committed = AppendCommitted(12);
  const std::vector<std::string> doomed = AppendRolledBack(3);
  const std::vector<std::string> batch = AppendCommitted(9, /*per_tx=*/3);
  committed.insert(committed.end(), batch.begin(), batch.end());
  const std::vector<std::string> doomed2 = AppendRolledBack(2);

  ASSERT_EQ(Publish(), 21);
  auto consumer = MakeConsumer(Options("exactly-once-1"));
  EXPECT_EQ(Poll(*consumer), 21);

  const std::map<std::string, int> effects = Effects();
  EXPECT_EQ(effects, Once(committed));
  for (const auto& id : doomed) EXPECT_EQ(effects.count(id), 0u);
  for (const auto& id : doomed2) EXPECT_EQ(effects.count(id), 0u);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(consumer->stats().applied, 21);
  EXPECT_EQ(consumer->stats().duplicates, 0);
  // Each event is remembered as processed by this group.
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM processed_events WHERE "
                  "consumer = 'accounts'"),
            21);

  // Nothing new: polling again applies nothing.
  EXPECT_EQ(Poll(*consumer), 0);
  EXPECT_EQ(Effects(), Once(committed));

  // Events committed later are delivered by the next poll.
  const std::vector<std::string> later = AppendCommitted(2);
  ASSERT_EQ(Publish(), 2);
  EXPECT_EQ(Poll(*consumer), 2);
  committed.insert(committed.end(), later.begin(), later.end());
  EXPECT_EQ(Effects(), Once(committed));
}

TEST_F(EventsConsumerTest, HandlerSeesTheEventAsPublished) {
  absl::Time occurred = absl::FromUnixMicros(1'700'000'000'654'321);
  std::string id;
  ASSERT_TRUE(db::RunInTransaction(*pool_, [&](db::Connection& tx) {
                absl::StatusOr<std::string> r = AppendToOutbox(
                    tx, kStream, "LeadConverted", "lead-9",
                    {{"account_id", 77}, {"name", "\xe5\xbc\xa0\xe4\xb8\x89"}},
                    occurred);
                if (r.ok()) id = *r;
                return r.status();
              }).ok());
  ASSERT_EQ(Publish(), 1);
  std::vector<Event> seen;
  auto consumer = MakeConsumer(
      Options("sees-1"), [&](const Event& e, db::Connection&) -> absl::Status {
        seen.push_back(e);
        return absl::OkStatus();
      });
  EXPECT_EQ(Poll(*consumer), 1);
  ASSERT_THAT(seen, SizeIs(1));
  EXPECT_EQ(seen[0].event_id, id);
  EXPECT_EQ(seen[0].type, "LeadConverted");
  EXPECT_EQ(seen[0].aggregate_id, "lead-9");
  EXPECT_EQ(seen[0].payload,
            nlohmann::json(
                {{"account_id", 77}, {"name", "\xe5\xbc\xa0\xe4\xb8\x89"}}));
  EXPECT_EQ(seen[0].occurred_at, occurred);
  EXPECT_EQ(seen[0].stream, kStream);
  EXPECT_FALSE(seen[0].entry_id.empty());
}

TEST_F(EventsConsumerTest, RelayCrashDuplicatesAreAppliedOnce) {
  const std::vector<std::string> ids = AppendCommitted(8);
  ASSERT_EQ(Publish(), 8);
  // The relay died between XADD and marking the rows: they go out again.
  Sql("UPDATE outbox SET published_at = NULL");
  ASSERT_EQ(Publish(), 8);
  ASSERT_EQ(*streams_->XLen(kStream), 16);

  auto consumer = MakeConsumer(Options("dupes-1"));
  EXPECT_EQ(Poll(*consumer), 16);   // every entry acknowledged...
  EXPECT_EQ(Effects(), Once(ids));  // ...each effect applied once
  EXPECT_EQ(consumer->stats().applied, 8);
  EXPECT_EQ(consumer->stats().duplicates, 8);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(EventsConsumerTest, DuplicatesArrivingLaterAreSkipped) {
  const std::vector<std::string> ids = AppendCommitted(3);
  ASSERT_EQ(Publish(), 3);
  auto consumer = MakeConsumer(Options("late-dupes-1"));
  EXPECT_EQ(Poll(*consumer), 3);
  Sql("UPDATE outbox SET published_at = NULL");
  ASSERT_EQ(Publish(), 3);
  EXPECT_EQ(Poll(*consumer), 3);
  EXPECT_EQ(Effects(), Once(ids));
  EXPECT_EQ(consumer->stats().duplicates, 3);
}

TEST_F(EventsConsumerTest, DeadConsumersEntriesAreClaimedByAnother) {
  const std::vector<std::string> ids = AppendCommitted(6);
  ASSERT_EQ(Publish(), 6);
  ASSERT_TRUE(streams_->EnsureGroup(kStream, "accounts", "0").ok());
  // Replica A takes everything and dies before processing any of it.
  absl::StatusOr<std::vector<redis::StreamEntry>> taken =
      streams_->XReadGroup("accounts", "dead-a", kStream, 100);
  ASSERT_TRUE(taken.ok()) << taken.status();
  ASSERT_THAT(*taken, SizeIs(6));

  // A replica with a long claim_idle leaves A's fresh entries alone.
  ConsumerOptions patient = Options("patient-c");
  patient.claim_idle = absl::Hours(1);
  auto c = MakeConsumer(patient);
  EXPECT_EQ(Poll(*c), 0);
  EXPECT_THAT(Effects(), IsEmpty());
  EXPECT_THAT(PendingByConsumer(), ElementsAre(Pair("dead-a", 6)));

  // Replica B claims what A left idle for 50ms and processes it.
  ConsumerOptions o = Options("rescuer-b");
  o.claim_idle = absl::Milliseconds(50);
  auto b = MakeConsumer(o);
  absl::SleepFor(absl::Milliseconds(120));
  EXPECT_EQ(Poll(*b), 6);
  EXPECT_EQ(b->stats().claimed, 6);
  EXPECT_EQ(Effects(), Once(ids));
  EXPECT_EQ(Pending(), 0);

  // A comes back to life and finds nothing of its own to redo.
  auto a = MakeConsumer(Options("dead-a"));
  EXPECT_EQ(Poll(*a), 0);
  EXPECT_EQ(Effects(), Once(ids));
}

TEST_F(EventsConsumerTest, ConsumerDyingMidBatchIsFinishedByAnother) {
  const std::vector<std::string> ids = AppendCommitted(10);
  ASSERT_EQ(Publish(), 10);
  // A processes the first half, then "crashes" on every later entry.
  std::atomic<int> handled{0};
  EventHandler dying = [&](const Event& e, db::Connection& tx) {
    if (handled++ >= 5) return absl::UnavailableError("process is dying");
    return Recorder("accounts")(e, tx);
  };
  {
    auto a = MakeConsumer(Options("mid-a"), dying);
    EXPECT_EQ(Poll(*a), 5);
    EXPECT_EQ(a->stats().failed, 5);
  }  // A is gone; its failed entries stay pending with it
  EXPECT_THAT(PendingByConsumer(), ElementsAre(Pair("mid-a", 5)));
  EXPECT_THAT(Effects(), SizeIs(5));

  ConsumerOptions o = Options("mid-b");
  o.claim_idle = absl::Milliseconds(50);
  auto b = MakeConsumer(o);
  absl::SleepFor(absl::Milliseconds(120));
  EXPECT_EQ(Poll(*b), 5);
  EXPECT_EQ(Effects(), Once(ids));
  EXPECT_EQ(Pending(), 0);
}

TEST_F(EventsConsumerTest, RestartedConsumerFinishesItsOwnPendingFirst) {
  const std::vector<std::string> ids = AppendCommitted(4);
  ASSERT_EQ(Publish(), 4);
  ASSERT_TRUE(streams_->EnsureGroup(kStream, "accounts", "0").ok());
  // The old process read two entries and crashed.
  ASSERT_THAT(*streams_->XReadGroup("accounts", "restart-a", kStream, 2),
              SizeIs(2));
  // The same replica restarts (long claim_idle: no claiming involved).
  ConsumerOptions o = Options("restart-a");
  o.claim_idle = absl::Hours(1);
  std::vector<std::string> order;
  auto a = MakeConsumer(o, [&](const Event& e, db::Connection& tx) {
    order.push_back(e.event_id);
    return Recorder("accounts")(e, tx);
  });
  EXPECT_EQ(Poll(*a), 4);
  EXPECT_EQ(order, ids);  // the two pending ones first, then the new ones
  EXPECT_EQ(Effects(), Once(ids));
  EXPECT_EQ(Pending(), 0);
}

TEST_F(EventsConsumerTest, HandlerFailureLeavesEntryPendingUntilRetried) {
  const std::vector<std::string> ids = AppendCommitted(5);
  ASSERT_EQ(Publish(), 5);
  const std::string flaky = ids[2];
  int failures_left = 2;
  auto consumer =
      MakeConsumer(Options("flaky-1"), [&](const Event& e, db::Connection& tx) {
        // The effect is written, then the handler fails: it must roll back.
        absl::Status s = Recorder("accounts")(e, tx);
        if (!s.ok()) return s;
        if (e.event_id == flaky && failures_left > 0) {
          --failures_left;
          return absl::UnavailableError("downstream not ready");
        }
        return absl::OkStatus();
      });
  EXPECT_EQ(Poll(*consumer), 4);
  std::map<std::string, int> expected = Once(ids);
  expected.erase(flaky);
  EXPECT_EQ(Effects(), expected);  // no trace of the failed attempt
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM processed_events"), 4);

  EXPECT_EQ(Poll(*consumer), 0);  // still failing
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(consumer->stats().failed, 2);

  EXPECT_EQ(Poll(*consumer), 1);  // the retry succeeds
  EXPECT_EQ(Effects(), Once(ids));
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Poll(*consumer), 0);
  EXPECT_EQ(Effects(), Once(ids));
}

TEST_F(EventsConsumerTest, FailingEntryDoesNotBlockOthers) {
  // An entry that always fails stays pending while new ones keep flowing.
  const std::vector<std::string> first = AppendCommitted(1);
  ASSERT_EQ(Publish(), 1);
  auto consumer =
      MakeConsumer(Options("stuck-1"), [&](const Event& e, db::Connection& tx) {
        if (e.event_id == first[0]) return absl::InternalError("bug");
        return Recorder("accounts")(e, tx);
      });
  EXPECT_EQ(Poll(*consumer), 0);
  const std::vector<std::string> more = AppendCommitted(3);
  ASSERT_EQ(Publish(), 3);
  EXPECT_EQ(Poll(*consumer), 3);
  EXPECT_EQ(Effects(), Once(more));
  EXPECT_EQ(Pending(), 1);
}

TEST_F(EventsConsumerTest, HandlerExceptionIsAFailureNotACrash) {
  const std::vector<std::string> ids = AppendCommitted(1);
  ASSERT_EQ(Publish(), 1);
  bool thrown = false;
  auto consumer = MakeConsumer(Options("throws-1"),
                               [&](const Event& e, db::Connection& tx) {
                                 if (!thrown) {
                                   thrown = true;
                                   throw std::runtime_error("boom");
                                 }
                                 return Recorder("accounts")(e, tx);
                               });
  EXPECT_EQ(Poll(*consumer), 0);
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(Poll(*consumer), 1);
  EXPECT_EQ(Effects(), Once(ids));
}

TEST_F(EventsConsumerTest, PoisonEntriesAreParkedAndAcknowledged) {
  const std::vector<std::string> before = AppendCommitted(2);
  ASSERT_EQ(Publish(), 2);
  // Entries nobody can ever process, written by a buggy producer.
  ASSERT_TRUE(
      streams_->XAdd(kStream, {{"type", "NoId"}, {"payload", "{}"}}).ok());
  redis::StreamFields bad_json =
      EncodeEvent(OutboxEvent{.event_id = NewEventId(),
                              .stream = kStream,
                              .type = "BadJson",
                              .aggregate_id = "x",
                              .payload_json = "{not json",
                              .occurred_at = absl::Now()});
  ASSERT_TRUE(streams_->XAdd(kStream, bad_json).ok());
  const std::vector<std::string> after = AppendCommitted(2);
  ASSERT_EQ(Publish(), 2);

  auto consumer = MakeConsumer(Options("poison-1"));
  EXPECT_EQ(Poll(*consumer), 6);
  std::vector<std::string> good = before;
  good.insert(good.end(), after.begin(), after.end());
  EXPECT_EQ(Effects(), Once(good));
  EXPECT_EQ(consumer->stats().poison, 2);
  EXPECT_EQ(Pending(), 0);

  // Both are kept for inspection with the reason and the original fields.
  absl::StatusOr<redis::Reply> dead = redis_->Command(
      {"XRANGE", redis_->Key(absl::StrCat(kStream, ":dead")), "-", "+"});
  ASSERT_TRUE(dead.ok()) << dead.status();
  ASSERT_THAT(dead->elements, SizeIs(2));
  std::vector<std::map<std::string, std::string>> parked;
  for (const redis::Reply& entry : dead->elements) {
    std::map<std::string, std::string> fields;
    const auto& kv = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < kv.size(); i += 2) {
      fields[kv[i].str] = kv[i + 1].str;
    }
    parked.push_back(fields);
  }
  EXPECT_EQ(parked[0]["dead_letter_reason"], "event_id: is missing");
  EXPECT_EQ(parked[0]["dead_letter_group"], "accounts");
  EXPECT_EQ(parked[0]["dead_letter_stream"], kStream);
  EXPECT_EQ(parked[0]["type"], "NoId");
  EXPECT_FALSE(parked[0]["dead_letter_entry_id"].empty());
  EXPECT_EQ(parked[1]["dead_letter_reason"],
            "payload: must be a JSON document");
  EXPECT_EQ(parked[1]["payload"], "{not json");

  EXPECT_EQ(Poll(*consumer), 0);  // parked once, not again
}

TEST_F(EventsConsumerTest, TrimmedPendingEntriesAreAcknowledged) {
  AppendCommitted(2);
  ASSERT_EQ(Publish(), 2);
  ASSERT_TRUE(streams_->EnsureGroup(kStream, "accounts", "0").ok());
  absl::StatusOr<std::vector<redis::StreamEntry>> taken =
      streams_->XReadGroup("accounts", "trim-a", kStream, 10);
  ASSERT_TRUE(taken.ok());
  ASSERT_THAT(*taken, SizeIs(2));
  // The stream was trimmed past them before they were processed.
  ASSERT_TRUE(redis_
                  ->Command({"XDEL", redis_->Key(kStream), (*taken)[0].id,
                             (*taken)[1].id})
                  .ok());
  auto a = MakeConsumer(Options("trim-a"));
  EXPECT_EQ(Poll(*a), 2);
  EXPECT_EQ(a->stats().trimmed, 2);
  EXPECT_THAT(Effects(), IsEmpty());
  EXPECT_EQ(Pending(), 0);
}

TEST_F(EventsConsumerTest, NewGroupStartsFromHistoryByDefault) {
  // Published before the subscriber ever ran.
  const std::vector<std::string> old = AppendCommitted(3);
  ASSERT_EQ(Publish(), 3);

  auto from_start = MakeConsumer(Options("hist-1", "accounts"));
  ConsumerOptions only_new = Options("new-1", "orders");
  only_new.start_id = "$";
  auto from_now = MakeConsumer(only_new, Recorder("orders"));
  ASSERT_TRUE(from_now->EnsureGroup().ok());

  const std::vector<std::string> fresh = AppendCommitted(1);
  ASSERT_EQ(Publish(), 1);
  EXPECT_EQ(Poll(*from_start), 4);
  EXPECT_EQ(Poll(*from_now), 1);
  std::vector<std::string> all = old;
  all.push_back(fresh[0]);
  EXPECT_EQ(Effects("accounts"), Once(all));
  EXPECT_EQ(Effects("orders"), Once(fresh));
}

TEST_F(EventsConsumerTest, GroupsAreDedupedIndependently) {
  const std::vector<std::string> ids = AppendCommitted(4);
  ASSERT_EQ(Publish(), 4);
  auto accounts =
      MakeConsumer(Options("g-accounts", "accounts"), Recorder("accounts"));
  auto tickets =
      MakeConsumer(Options("g-tickets", "tickets"), Recorder("tickets"));
  EXPECT_EQ(Poll(*accounts), 4);
  EXPECT_EQ(Poll(*tickets), 4);
  EXPECT_EQ(Effects("accounts"), Once(ids));
  EXPECT_EQ(Effects("tickets"), Once(ids));
  EXPECT_EQ(Count("SELECT COUNT(*) AS c FROM processed_events"), 8);
}

TEST_F(EventsConsumerTest, PollOnceRespectsMax) {
  const std::vector<std::string> ids = AppendCommitted(7);
  ASSERT_EQ(Publish(), 7);
  ConsumerOptions o = Options("max-1");
  o.batch_size = 2;
  auto consumer = MakeConsumer(o);
  EXPECT_EQ(Poll(*consumer, 3), 3);
  EXPECT_THAT(Effects(), SizeIs(3));
  EXPECT_EQ(Poll(*consumer, 3), 3);
  EXPECT_EQ(Poll(*consumer, 3), 1);
  EXPECT_EQ(Effects(), Once(ids));
  EXPECT_EQ(consumer->PollOnce(0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EventsConsumerTest, RacingReplicasWithDuplicatesApplyEachEventOnce) {
  const std::vector<std::string> ids = AppendCommitted(60, /*per_tx=*/4);
  ASSERT_EQ(Publish(), 60);
  Sql("UPDATE outbox SET published_at = NULL WHERE id % 2 = 0");
  ASSERT_EQ(Publish(), 30);  // half of them twice
  ConsumerOptions o1 = Options("race-1");
  ConsumerOptions o2 = Options("race-2");
  o1.batch_size = o2.batch_size = 3;
  auto c1 = MakeConsumer(o1);
  auto c2 = MakeConsumer(o2);
  ASSERT_TRUE(c1->EnsureGroup().ok());
  std::atomic<int> acked{0};
  auto run = [&](StreamConsumer& c) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (acked < 90 && absl::Now() < deadline) {
      absl::StatusOr<int> n = c.PollOnce(3);
      ASSERT_TRUE(n.ok()) << n.status();
      acked += *n;
    }
  };
  std::thread t1([&] { run(*c1); });
  std::thread t2([&] { run(*c2); });
  t1.join();
  t2.join();
  EXPECT_EQ(acked, 90);
  EXPECT_EQ(Effects(), Once(ids));
  EXPECT_EQ(c1->stats().applied + c2->stats().applied, 60);
  EXPECT_EQ(c1->stats().duplicates + c2->stats().duplicates, 30);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(EventsConsumerTest, BackgroundLoopsDeliverAndStopPromptly) {
  ConsumerOptions o = Options("loop-1");
  o.block = absl::Milliseconds(200);
  auto consumer = MakeConsumer(o);
  RelayOptions ro;
  ro.name = "leads";
  ro.poll_interval = absl::Milliseconds(20);
  OutboxRelay relay(pool_, redis_.get(), ro);
  consumer->Start();
  consumer->Start();  // idempotent
  relay.Start();

  std::vector<std::string> ids = AppendCommitted(10);
  AppendRolledBack(2);
  const std::vector<std::string> more = AppendCommitted(5, /*per_tx=*/5);
  ids.insert(ids.end(), more.begin(), more.end());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (Effects().size() < ids.size() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Effects(), Once(ids));

  const absl::Time stop_start = absl::Now();
  consumer->Stop();
  consumer->Stop();  // idempotent
  relay.Stop();
  // Not a speed check: a loop ignoring Stop() would never return.
  EXPECT_LT(absl::Now() - stop_start, absl::Seconds(10));
  EXPECT_EQ(Pending(), 0);

  // While stopped nothing is consumed; after a restart the backlog is.
  const std::vector<std::string> backlog = AppendCommitted(2);
  ASSERT_EQ(Publish(), 2);
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(Effects().size(), ids.size());
  consumer->Start();
  ids.insert(ids.end(), backlog.begin(), backlog.end());
  const absl::Time deadline2 = absl::Now() + absl::Seconds(30);
  while (Effects().size() < ids.size() && absl::Now() < deadline2) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Effects(), Once(ids));
  consumer.reset();  // the destructor stops the loop
}

TEST_F(EventsConsumerTest, BackgroundLoopRetriesFailedEntries) {
  const std::vector<std::string> ids = AppendCommitted(3);
  ASSERT_EQ(Publish(), 3);
  std::atomic<int> failures_left{2};
  ConsumerOptions o = Options("loop-retry-1");
  o.block = absl::Milliseconds(20);
  o.claim_interval = absl::Milliseconds(20);
  auto consumer = MakeConsumer(o, [&](const Event& e, db::Connection& tx) {
    if (e.event_id == ids[1] && failures_left-- > 0) {
      return absl::UnavailableError("not yet");
    }
    return Recorder("accounts")(e, tx);
  });
  consumer->Start();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (Effects().size() < ids.size() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  consumer->Stop();
  EXPECT_EQ(Effects(), Once(ids));
  EXPECT_EQ(consumer->stats().failed, 2);
}

TEST_F(EventsConsumerTest, RedisDownIsUnavailableAndNothingIsLost) {
  const std::vector<std::string> ids = AppendCommitted(2);
  std::unique_ptr<redis::RedisPool> down = DownRedis();
  ASSERT_NE(down, nullptr);
  OutboxRelay broken_relay(pool_, down.get(), RelayOptions{.name = "leads"});
  EXPECT_EQ(broken_relay.RunOnce().status().code(),
            absl::StatusCode::kUnavailable);
  StreamConsumer broken(pool_, down.get(), Options("down-1"),
                        Recorder("accounts"));
  EXPECT_EQ(broken.PollOnce().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(broken.EnsureGroup().code(), absl::StatusCode::kUnavailable);
  // The loop keeps retrying quietly and still stops.
  broken.Start();
  absl::SleepFor(absl::Milliseconds(50));
  broken.Stop();

  // Redis is back.
  ASSERT_EQ(Publish(), 2);
  auto consumer = MakeConsumer(Options("down-1"));
  EXPECT_EQ(Poll(*consumer), 2);
  EXPECT_EQ(Effects(), Once(ids));
}

TEST_F(EventsConsumerTest, GroupLostInRedisIsRecreated) {
  const std::vector<std::string> ids = AppendCommitted(2);
  ASSERT_EQ(Publish(), 2);
  auto consumer = MakeConsumer(Options("lost-1"));
  EXPECT_EQ(Poll(*consumer), 2);
  // Redis lost the stream (e.g. restarted without persistence).
  ASSERT_TRUE(redis_->Command({"DEL", redis_->Key(kStream)}).ok());
  EXPECT_FALSE(consumer->PollOnce().ok());  // NOGROUP once
  // The relay publishes again (its rows were reset by an operator replay).
  Sql("UPDATE outbox SET published_at = NULL");
  const std::vector<std::string> more = AppendCommitted(1);
  ASSERT_EQ(Publish(), 3);
  EXPECT_EQ(Poll(*consumer), 3);  // group recreated from "0"
  std::vector<std::string> all = ids;
  all.push_back(more[0]);
  EXPECT_EQ(Effects(), Once(all));  // the replayed two are duplicates
  EXPECT_EQ(consumer->stats().duplicates, 2);
}

}  // namespace
}  // namespace crm::events
