// The definition cache (common/customfields/definition_cache.h, ADR 0026):
// hits within the TTL, reloads after a local change, never keeps a failed
// load or one that raced with a change.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "common/customfields/definition_cache.h"
#include "common/customfields/entity_fields.h"

namespace crm::customfields {
namespace {

db::DbOptions Db(const std::string& schema) {
  db::DbOptions o;
  o.host = "cache-test";
  o.port = 1;
  o.schema = schema;
  return o;
}

EntityContext Context(const std::string& type, const std::string& key) {
  Definition d;
  d.entity_type = type;
  d.key = key;
  return EntityContext(type, {d}, FieldPolicy(type, {}, {}));
}

TEST(DefinitionCache, SecondReadWithinTtlDoesNotLoad) {
  const db::DbOptions db = Db("hit");
  int loads = 0;
  auto load = [&]() -> absl::StatusOr<EntityContext> {
    ++loads;
    return Context("lead", "budget");
  };
  ASSERT_TRUE(CachedContext(db, "lead", load).ok());
  absl::StatusOr<EntityContext> again = CachedContext(db, "lead", load);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->defs().front().key, "budget");
  EXPECT_EQ(loads, 1);
}

TEST(DefinitionCache, KeyedByDatabaseAndEntityType) {
  int loads = 0;
  auto load = [&]() -> absl::StatusOr<EntityContext> {
    ++loads;
    return Context("lead", "k");
  };
  ASSERT_TRUE(CachedContext(Db("a"), "lead", load).ok());
  ASSERT_TRUE(CachedContext(Db("b"), "lead", load).ok());
  ASSERT_TRUE(CachedContext(Db("a"), "account", load).ok());
  EXPECT_EQ(loads, 3);
}

TEST(DefinitionCache, InvalidateReloads) {
  const db::DbOptions db = Db("invalidate");
  std::string key = "v1";
  auto load = [&]() -> absl::StatusOr<EntityContext> {
    return Context("lead", key);
  };
  ASSERT_EQ(CachedContext(db, "lead", load)->defs().front().key, "v1");
  key = "v2";
  EXPECT_EQ(CachedContext(db, "lead", load)->defs().front().key, "v1");
  InvalidateContext(db, "lead");
  EXPECT_EQ(CachedContext(db, "lead", load)->defs().front().key, "v2");
}

TEST(DefinitionCache, FailedLoadIsNotKept) {
  const db::DbOptions db = Db("failed");
  int loads = 0;
  auto fail = [&]() -> absl::StatusOr<EntityContext> {
    ++loads;
    return absl::UnavailableError("db down");
  };
  EXPECT_EQ(CachedContext(db, "lead", fail).status().code(),
            absl::StatusCode::kUnavailable);
  auto ok = [&]() -> absl::StatusOr<EntityContext> {
    ++loads;
    return Context("lead", "k");
  };
  EXPECT_TRUE(CachedContext(db, "lead", ok).ok());
  EXPECT_EQ(loads, 2);
}

TEST(DefinitionCache, LoadRacingAChangeIsNotKept) {
  const db::DbOptions db = Db("race");
  // The change commits while the load is reading: the loaded (maybe old)
  // context is returned to this caller but not cached.
  auto racing = [&]() -> absl::StatusOr<EntityContext> {
    InvalidateContext(db, "lead");
    return Context("lead", "old");
  };
  EXPECT_EQ(CachedContext(db, "lead", racing)->defs().front().key, "old");
  int loads = 0;
  auto fresh = [&]() -> absl::StatusOr<EntityContext> {
    ++loads;
    return Context("lead", "new");
  };
  EXPECT_EQ(CachedContext(db, "lead", fresh)->defs().front().key, "new");
  EXPECT_EQ(loads, 1);
}

}  // namespace
}  // namespace crm::customfields
