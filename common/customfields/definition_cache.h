// A process-wide cache of each entity type's custom field definitions and
// permission rules (ADR 0026). Every Get/List/Create/Update of an entity
// with custom fields needs them, and they change only when an admin edits
// them: reading them from the database on every call was two extra round
// trips per request (CreateLead spent a quarter of its time there).
//
// Entries are keyed by database (host, port, schema) and entity type. A
// write through CustomFieldStore in this process invalidates the entry at
// once; a write made by another replica is seen within kDefinitionCacheTtl.
// A load that raced with an invalidation is not kept (a generation check),
// so a stale read cannot outlive the TTL.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/db_options.h"

namespace crm::customfields {

class EntityContext;

// How long another replica's definition change may go unseen here.
inline constexpr absl::Duration kDefinitionCacheTtl = absl::Seconds(1);

// The cached context of (`db`, `entity_type`), or `load()`'s result (kept
// when it succeeded and no invalidation happened meanwhile).
absl::StatusOr<EntityContext> CachedContext(
    const db::DbOptions& db, const std::string& entity_type,
    const std::function<absl::StatusOr<EntityContext>()>& load);

// Drops the cached context of (`db`, `entity_type`): called after every
// committed definition or rule change.
void InvalidateContext(const db::DbOptions& db, const std::string& entity_type);

}  // namespace crm::customfields
