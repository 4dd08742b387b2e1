// SQL for custom field definitions, values, the select-option index and
// field permission rules. The tables live in the schema of the service that
// owns the entities (each service embeds migrations/NNNN_custom_fields.sql
// with the DDL in schema.sql here); this is the one copy of the SQL.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/clock/clock.h"
#include "common/customfields/definition.h"
#include "common/customfields/field_access.h"
#include "common/db/connection.h"
#include "common/db/pool.h"

namespace crm::customfields {

class CustomFieldStore {
 public:
  CustomFieldStore(std::shared_ptr<db::ConnectionPool> pool,
                   std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // The database these definitions live in (the definition cache's key).
  const db::DbOptions& db() const { return pool_->options(); }

  // ALREADY_EXISTS (with the existing id) for a taken entity_type + key;
  // RESOURCE_EXHAUSTED past kMaxFieldsPerEntity.
  absl::StatusOr<Definition> Create(const Definition& d);
  absl::StatusOr<std::vector<Definition>> List(const std::string& entity_type,
                                               bool include_inactive);
  // The ...On variants read on `c`, a connection the caller already holds
  // (so a handler never borrows a second one while holding the first).
  absl::StatusOr<std::vector<Definition>> ListOn(db::Connection& c,
                                                 const std::string& entity_type,
                                                 bool include_inactive);
  // By id, or (id 0) by entity_type + key. NOT_FOUND otherwise.
  absl::StatusOr<Definition> Find(int64_t id, const std::string& entity_type,
                                  const std::string& key);
  // Replaces the mutable attributes of the definition `d.id`.
  absl::StatusOr<Definition> Update(const Definition& d);

  // Stored values of the entities (absent ids have none).
  absl::StatusOr<std::map<int64_t, Values>> GetValues(
      const std::string& entity_type, const std::vector<int64_t>& ids);
  absl::StatusOr<std::map<int64_t, Values>> GetValuesOn(
      db::Connection& c, const std::string& entity_type,
      const std::vector<int64_t>& ids);
  // Merges `changes` ("" removes a key) into the entity's values and
  // rebuilds its select-option index rows, on `c` (the caller's
  // transaction, or autocommit). A change of any value appends an audit
  // entry (action "update", fields "custom_fields.<key>", sensitive values
  // masked; the actor and request id from the thread's audit::ActorScope)
  // to the schema's audit_log on `c`. Returns the merged values.
  absl::StatusOr<Values> PutValuesOn(db::Connection& c,
                                     const std::string& entity_type,
                                     int64_t entity_id,
                                     const std::vector<Definition>& defs,
                                     const Values& changes);
  // The same in its own transaction.
  absl::StatusOr<Values> PutValues(const std::string& entity_type,
                                   int64_t entity_id,
                                   const std::vector<Definition>& defs,
                                   const Values& changes);

  absl::StatusOr<std::vector<Rule>> ListRules(const std::string& entity_type);
  absl::StatusOr<std::vector<Rule>> ListRulesOn(db::Connection& c,
                                                const std::string& entity_type);
  // Sets (or, with no access, removes) one role's rule for one field.
  absl::Status SetRule(const std::string& entity_type, const Rule& rule,
                       bool remove, int64_t actor_id);

 private:
  absl::Status AuditValues(db::Connection& c, const std::string& entity_type,
                           int64_t entity_id,
                           const std::vector<Definition>& defs,
                           const Values& before, const Values& after);

  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

// "EXISTS (...)": the entity whose id is in `id_column` carries `option` in
// the select field `key` — an index lookup in custom_field_options, to AND
// into a List query's WHERE.
auth::SqlPredicate OptionFilter(const std::string& entity_type,
                                const std::string& id_column,
                                const std::string& key,
                                const std::string& option);

}  // namespace crm::customfields
