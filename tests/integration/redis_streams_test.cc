// Streams helpers against the real test Redis: append, group reads, acks,
// and recovery of entries a consumer took but never acknowledged.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/redis/redis_pool.h"
#include "common/redis/streams.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"
#include "tests/testing/test_redis.h"

namespace crm::redis {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class RedisStreamsTest : public ::testing::Test {
 protected:
  void SetUp() override { streams_ = std::make_unique<Streams>(pool_.get()); }

  std::string MustAdd(const std::string& stream, const StreamFields& fields) {
    absl::StatusOr<std::string> id = streams_->XAdd(stream, fields);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or("");
  }

  std::vector<StreamEntry> MustRead(const std::string& group,
                                    const std::string& consumer,
                                    const std::string& stream, int64_t count) {
    absl::StatusOr<std::vector<StreamEntry>> entries =
        streams_->XReadGroup(group, consumer, stream, count);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.value_or(std::vector<StreamEntry>{});
  }

  crm::testing::TestRedisPool pool_{"redis_streams"};
  std::unique_ptr<Streams> streams_;
};

TEST_F(RedisStreamsTest, AddReadAck) {
  const std::string stream = "events:leads";
  ASSERT_TRUE(streams_->EnsureGroup(stream, "accounts").ok());
  // A second replica starting up finds the group there: still OK.
  ASSERT_TRUE(streams_->EnsureGroup(stream, "accounts").ok());

  const std::string binary("a\0b", 3);
  const std::string id1 =
      MustAdd(stream, {{"type", "lead.created"}, {"payload", binary}});
  const std::string id2 = MustAdd(stream, {{"type", "lead.converted"}});
  EXPECT_LT(id1, id2);

  std::vector<StreamEntry> got = MustRead("accounts", "c1", stream, 10);
  EXPECT_THAT(
      got,
      ElementsAre(
          StreamEntry{id1, {{"type", "lead.created"}, {"payload", binary}}},
          StreamEntry{id2, {{"type", "lead.converted"}}}));
  // Delivered entries are not delivered again to the group...
  EXPECT_THAT(MustRead("accounts", "c2", stream, 10), IsEmpty());
  // ...but stay pending for their consumer until acknowledged.
  absl::StatusOr<std::vector<StreamEntry>> pending =
      streams_->ReadPending("accounts", "c1", stream, 10);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_THAT(*pending, SizeIs(2));

  EXPECT_EQ(*streams_->XAck(stream, "accounts", {id1, id2}), 2);
  EXPECT_EQ(*streams_->XAck(stream, "accounts", {id1}), 0);
  EXPECT_EQ(*streams_->XAck(stream, "accounts", {}), 0);
  pending = streams_->ReadPending("accounts", "c1", stream, 10);
  ASSERT_TRUE(pending.ok());
  EXPECT_THAT(*pending, IsEmpty());
  EXPECT_EQ(*streams_->XLen(stream), 2);
}

TEST_F(RedisStreamsTest, GroupsSeeEverythingIndependently) {
  const std::string stream = "events:orders";
  ASSERT_TRUE(streams_->EnsureGroup(stream, "g1").ok());
  ASSERT_TRUE(streams_->EnsureGroup(stream, "g2").ok());
  MustAdd(stream, {{"n", "1"}});
  EXPECT_THAT(MustRead("g1", "c", stream, 10), SizeIs(1));
  EXPECT_THAT(MustRead("g2", "c", stream, 10), SizeIs(1));
}

TEST_F(RedisStreamsTest, GroupStartingAtZeroReadsExistingEntries) {
  const std::string stream = "events:old";
  MustAdd(stream, {{"n", "1"}});
  MustAdd(stream, {{"n", "2"}});
  ASSERT_TRUE(streams_->EnsureGroup(stream, "late-new", "$").ok());
  ASSERT_TRUE(streams_->EnsureGroup(stream, "late-all", "0").ok());
  EXPECT_THAT(MustRead("late-new", "c", stream, 10), IsEmpty());
  EXPECT_THAT(MustRead("late-all", "c", stream, 10), SizeIs(2));
}

TEST_F(RedisStreamsTest, CountLimitsTheBatch) {
  const std::string stream = "events:batch";
  ASSERT_TRUE(streams_->EnsureGroup(stream, "g").ok());
  for (int i = 0; i < 5; ++i) MustAdd(stream, {{"i", absl::StrCat(i)}});
  EXPECT_THAT(MustRead("g", "c", stream, 2), SizeIs(2));
  EXPECT_THAT(MustRead("g", "c", stream, 10), SizeIs(3));
}

TEST_F(RedisStreamsTest, DeadConsumersEntriesAreRedeliveredByAutoClaim) {
  const std::string stream = "events:tickets";
  ASSERT_TRUE(streams_->EnsureGroup(stream, "sla").ok());
  const std::string id1 = MustAdd(stream, {{"n", "1"}});
  const std::string id2 = MustAdd(stream, {{"n", "2"}});

  // "dying" reads both and crashes before acknowledging.
  ASSERT_THAT(MustRead("sla", "dying", stream, 10), SizeIs(2));

  // Too fresh to claim: the owner may still be working on them.
  absl::StatusOr<AutoClaimResult> early = streams_->XAutoClaim(
      stream, "sla", "rescuer", absl::Seconds(60), "0-0", 10);
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_THAT(early->entries, IsEmpty());

  absl::SleepFor(absl::Milliseconds(150));
  absl::StatusOr<AutoClaimResult> claimed = streams_->XAutoClaim(
      stream, "sla", "rescuer", absl::Milliseconds(100), "0-0", 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_EQ(claimed->next_start, "0-0");  // scan complete
  EXPECT_THAT(claimed->entries, ElementsAre(StreamEntry{id1, {{"n", "1"}}},
                                            StreamEntry{id2, {{"n", "2"}}}));
  EXPECT_THAT(claimed->deleted_ids, IsEmpty());

  // They now belong to the rescuer (its pending list), not to "dying".
  absl::StatusOr<std::vector<StreamEntry>> rescuer_pending =
      streams_->ReadPending("sla", "rescuer", stream, 10);
  ASSERT_TRUE(rescuer_pending.ok());
  EXPECT_THAT(*rescuer_pending, SizeIs(2));
  absl::StatusOr<std::vector<StreamEntry>> dying_pending =
      streams_->ReadPending("sla", "dying", stream, 10);
  ASSERT_TRUE(dying_pending.ok());
  EXPECT_THAT(*dying_pending, IsEmpty());

  EXPECT_EQ(*streams_->XAck(stream, "sla", {id1, id2}), 2);
  absl::StatusOr<AutoClaimResult> none = streams_->XAutoClaim(
      stream, "sla", "rescuer", absl::ZeroDuration(), "0-0", 10);
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(none->entries, IsEmpty());
}

TEST_F(RedisStreamsTest, RestartedConsumerRecoversItsPendingEntries) {
  const std::string stream = "events:restart";
  ASSERT_TRUE(streams_->EnsureGroup(stream, "g").ok());
  const std::string id = MustAdd(stream, {{"n", "1"}});
  ASSERT_THAT(MustRead("g", "worker-1", stream, 10), SizeIs(1));
  // Same consumer name after a restart: reads its own backlog with id "0".
  absl::StatusOr<std::vector<StreamEntry>> pending =
      streams_->ReadPending("g", "worker-1", stream, 10);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_THAT(*pending, ElementsAre(StreamEntry{id, {{"n", "1"}}}));
}

TEST_F(RedisStreamsTest, PendingEntryDeletedFromTheStreamIsMarked) {
  const std::string stream = "events:trimmed";
  ASSERT_TRUE(streams_->EnsureGroup(stream, "g").ok());
  const std::string id = MustAdd(stream, {{"n", "1"}});
  ASSERT_THAT(MustRead("g", "c", stream, 10), SizeIs(1));
  ASSERT_TRUE(pool_->Command({"XDEL", pool_->Key(stream), id}).ok());

  absl::StatusOr<std::vector<StreamEntry>> pending =
      streams_->ReadPending("g", "c", stream, 10);
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_THAT(*pending, SizeIs(1));
  EXPECT_EQ((*pending)[0].id, id);
  EXPECT_TRUE((*pending)[0].deleted);
  EXPECT_THAT((*pending)[0].fields, IsEmpty());

  // XAUTOCLAIM (Redis 7) reports it as deleted and drops it from the PEL.
  absl::SleepFor(absl::Milliseconds(20));
  absl::StatusOr<AutoClaimResult> claimed = streams_->XAutoClaim(
      stream, "g", "other", absl::Milliseconds(1), "0-0", 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_THAT(claimed->entries, IsEmpty());
  EXPECT_THAT(claimed->deleted_ids, ElementsAre(id));
}

TEST_F(RedisStreamsTest, BlockingReadWaitsThenReturnsEmpty) {
  const std::string stream = "events:quiet";
  ASSERT_TRUE(streams_->EnsureGroup(stream, "g").ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<StreamEntry>> got =
      streams_->XReadGroup("g", "c", stream, 10, absl::Milliseconds(200));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, IsEmpty());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(190));
}

TEST_F(RedisStreamsTest, BlockingReadLongerThanCommandTimeoutWakesOnAdd) {
  // A pool whose default command timeout is shorter than the block: the
  // read must still wait for the server instead of timing out its socket.
  RedisOptions o = pool_->options();
  o.command_timeout = absl::Milliseconds(100);
  absl::StatusOr<std::unique_ptr<RedisPool>> short_pool = RedisPool::Create(o);
  ASSERT_TRUE(short_pool.ok());
  Streams reader(short_pool->get());

  const std::string stream = "events:wake";
  ASSERT_TRUE(streams_->EnsureGroup(stream, "g").ok());
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(300));
    MustAdd(stream, {{"n", "late"}});
  });
  absl::StatusOr<std::vector<StreamEntry>> got =
      reader.XReadGroup("g", "c", stream, 10, absl::Seconds(5));
  writer.join();
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].fields, (StreamFields{{"n", "late"}}));
  EXPECT_EQ((*short_pool)->stats().open, 1);  // connection kept
}

TEST_F(RedisStreamsTest, ApproximateTrimKeepsTheStreamBounded) {
  const std::string stream = "events:trim";
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(
        streams_->XAdd(stream, {{"i", absl::StrCat(i)}}, int64_t{10}).ok());
  }
  const int64_t len = *streams_->XLen(stream);
  EXPECT_GE(len, 10);
  EXPECT_LT(len, 1000);
}

TEST_F(RedisStreamsTest, Errors) {
  EXPECT_EQ(streams_->XAdd("events:e", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::vector<StreamEntry>> missing =
      streams_->XReadGroup("nogroup", "c", "events:none", 1);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(IsRedisError(missing.status(), "NOGROUP")) << missing.status();
  EXPECT_EQ(streams_->XReadGroup("g", "c", "events:e", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      streams_->XReadGroup("g", "c", "events:e", 1, absl::Milliseconds(-1))
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  // A key of another type cannot become a stream.
  ASSERT_TRUE(pool_->Command({"SET", pool_->Key("events:str"), "x"}).ok());
  absl::Status group = streams_->EnsureGroup("events:str", "g");
  EXPECT_TRUE(IsRedisError(group, "WRONGTYPE")) << group;
}

}  // namespace
}  // namespace crm::redis
