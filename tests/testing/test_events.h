// A gtest fixture for tests of common/events against the servers `crmctl
// test` started: a fresh schema holding the event tables (outbox,
// processed_events) with a pool on it, and a Redis pool with a key prefix
// of its own. Both are dropped when the test ends.
//
// Header-only: the events tests are its only users. Also PublishEvent, for
// tests of services' event consumers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/redis/redis_options.h"
#include "common/redis/redis_pool.h"
#include "common/redis/streams.h"
#include "gtest/gtest.h"
#include "tests/testing/test_db.h"
#include "tests/testing/test_redis.h"

namespace crm::testing {

// Puts one event of `producer` ("identity") straight on its stream, as the
// producer's outbox relay would; the test fails if Redis does.
inline void PublishEvent(redis::RedisPool* redis, const std::string& producer,
                         const std::string& event_id, const std::string& type,
                         const nlohmann::json& payload, absl::Time at) {
  events::Event e;
  e.event_id = event_id;
  e.type = type;
  e.aggregate_id = "1";
  e.payload = payload;
  e.occurred_at = at;
  redis::Streams streams(redis);
  auto id = streams.XAdd(events::StreamFor(producer), events::EncodeEvent(e));
  ASSERT_TRUE(id.ok()) << id.status();
}

class EventsFixture : public ::testing::Test {
 protected:
  // `name` prefixes the schema and the Redis key prefix.
  explicit EventsFixture(const std::string& name)
      : name_(name), schema_(name), redis_(name) {}

  void SetUp() override {
    pool_ = schema_.Pool();
    ASSERT_TRUE(events::EnsureEventTables(*pool_).ok());
  }

  // Runs `sql` on pool_; the test fails if it does.
  void Sql(const std::string& sql) {
    auto conn = pool_->Borrow();
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecRaw(sql).ok()) << sql;
  }

  // Column `c` of the one row `sql` returns, e.g. "SELECT COUNT(*) AS c
  // ..."; -1 (and a failure) on error.
  int64_t Count(const std::string& sql) {
    auto conn = pool_->Borrow();
    EXPECT_TRUE(conn.ok());
    auto row = (*conn)->QueryOne(sql, {}, "count");
    EXPECT_TRUE(row.ok()) << row.status();
    return row.ok() ? row->Int("c") : -1;
  }

  // A pool for a Redis that is down (a closed port), for outage tests;
  // nullptr (and a failure) if it cannot even be created.
  std::unique_ptr<redis::RedisPool> DownRedis() {
    redis::RedisOptions o = TestRedisOptions(name_);
    o.port = 1;
    absl::StatusOr<std::unique_ptr<redis::RedisPool>> pool =
        redis::RedisPool::Create(o);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  const std::string name_;
  TestSchema schema_;
  std::shared_ptr<db::ConnectionPool> pool_;  // on schema_
  TestRedisPool redis_;
};

}  // namespace crm::testing
