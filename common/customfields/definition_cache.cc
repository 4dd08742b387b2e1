#include "common/customfields/definition_cache.h"

#include <map>
#include <mutex>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/customfields/entity_fields.h"

namespace crm::customfields {
namespace {

struct Entry {
  std::optional<EntityContext> context;
  absl::Time loaded_at;
  uint64_t generation = 0;  // bumped by every invalidation of this key
};

struct Cache {
  std::mutex mu;
  std::map<std::string, Entry> entries;
};

Cache& TheCache() {
  static Cache cache;
  return cache;
}

std::string KeyOf(const db::DbOptions& db, const std::string& entity_type) {
  return absl::StrCat(db.host, ":", db.port, "/", db.schema, "/", entity_type);
}

}  // namespace

absl::StatusOr<EntityContext> CachedContext(
    const db::DbOptions& db, const std::string& entity_type,
    const std::function<absl::StatusOr<EntityContext>()>& load) {
  const std::string key = KeyOf(db, entity_type);
  Cache& cache = TheCache();
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(cache.mu);
    Entry& e = cache.entries[key];
    // Wall time, not the service clock: tests freeze that one.
    if (e.context.has_value() &&
        absl::Now() - e.loaded_at < kDefinitionCacheTtl) {
      return *e.context;
    }
    generation = e.generation;
  }
  const absl::Time started = absl::Now();
  absl::StatusOr<EntityContext> loaded = load();
  if (!loaded.ok()) return loaded;
  std::lock_guard<std::mutex> lock(cache.mu);
  Entry& e = cache.entries[key];
  if (e.generation == generation) {
    e.context = *loaded;
    e.loaded_at = started;
  }
  return loaded;
}

void InvalidateContext(const db::DbOptions& db,
                       const std::string& entity_type) {
  Cache& cache = TheCache();
  std::lock_guard<std::mutex> lock(cache.mu);
  Entry& e = cache.entries[KeyOf(db, entity_type)];
  e.context.reset();
  ++e.generation;
}

}  // namespace crm::customfields
