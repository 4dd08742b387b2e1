#include "common/customfields/store.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/audit/audit.h"
#include "common/customfields/audit_values.h"
#include "common/customfields/definition_cache.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::customfields {
namespace {

using json = nlohmann::json;

constexpr char kDefColumns[] =
    "id, entity_type, field_key, label, field_type, is_required, "
    "is_sensitive, is_active, rules_json, created_at, updated_at";

std::string RulesJson(const Definition& d) {
  json j = json::object();
  if (d.min_length > 0) j["min_length"] = d.min_length;
  if (d.max_length > 0) j["max_length"] = d.max_length;
  if (d.min_value) j["min_value"] = *d.min_value;
  if (d.max_value) j["max_value"] = *d.max_value;
  if (!d.pattern.empty()) j["pattern"] = d.pattern;
  if (!d.options.empty()) j["options"] = d.options;
  return j.dump();
}

Definition FromRow(const db::Row& r) {
  Definition d;
  d.id = r.Int("id");
  d.entity_type = r.String("entity_type");
  d.key = r.String("field_key");
  d.label = r.String("label");
  d.type = static_cast<FieldType>(r.Int("field_type"));
  d.required = r.Bool("is_required");
  d.sensitive = r.Bool("is_sensitive");
  d.active = r.Bool("is_active");
  d.created_at = r.Time("created_at");
  d.updated_at = r.Time("updated_at");
  json j = json::parse(r.String("rules_json"), nullptr, false);
  if (j.is_object()) {
    d.min_length = j.value("min_length", 0);
    d.max_length = j.value("max_length", 0);
    if (j.contains("min_value")) d.min_value = j["min_value"].get<double>();
    if (j.contains("max_value")) d.max_value = j["max_value"].get<double>();
    d.pattern = j.value("pattern", std::string());
    if (j.contains("options"))
      d.options = j["options"].get<std::vector<std::string>>();
  }
  return d;
}

Values ValuesFromJson(const std::string& text) {
  Values out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  return out;
}

}  // namespace

absl::StatusOr<Definition> CustomFieldStore::Create(const Definition& d) {
  const absl::Time now = clock_->Now();
  absl::StatusOr<Definition> created = db::RunInTransactionFor<
      Definition>(*pool_, [&](db::Connection& c) -> absl::StatusOr<Definition> {
    auto existing = c.Query(
        "SELECT id FROM custom_field_definitions WHERE entity_type = ? "
        "AND field_key = ?",
        {d.entity_type, d.key});
    if (!existing.ok()) return existing.status();
    if (!existing->empty()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "definition.key: ", d.entity_type, " already has custom field \"",
          d.key, "\" (id ", existing->front().Int("id"), ")"));
    }
    ASSIGN_OR_RETURN(db::Row count, c.QueryOne("SELECT COUNT(*) AS n FROM "
                                               "custom_field_definitions WHERE "
                                               "entity_type = ? FOR UPDATE",
                                               {d.entity_type}, "count"));
    if (count.Int("n") >= kMaxFieldsPerEntity) {
      return absl::ResourceExhaustedError(
          absl::StrCat(d.entity_type, " already has ", kMaxFieldsPerEntity,
                       " custom fields"));
    }
    auto inserted = c.Exec(
        "INSERT INTO custom_field_definitions (entity_type, field_key, "
        "label, field_type, is_required, is_sensitive, is_active, rules_json, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {d.entity_type, d.key, d.label, static_cast<int>(d.type), d.required,
         d.sensitive, d.active, RulesJson(d), now, now});
    if (!inserted.ok()) {
      if (db::MysqlErrorOf(inserted.status()) == db::kErrDuplicateEntry)
        return absl::AbortedError("definition created concurrently; retry");
      return inserted.status();
    }
    ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
    ASSIGN_OR_RETURN(
        db::Row row,
        c.QueryOne(absl::StrCat("SELECT ", kDefColumns,
                                " FROM custom_field_definitions WHERE id = ?"),
                   {id}, "custom field"));
    return FromRow(row);
  });
  if (created.ok()) InvalidateContext(db(), d.entity_type);
  return created;
}

absl::StatusOr<std::vector<Definition>> CustomFieldStore::List(
    const std::string& entity_type, bool include_inactive) {
  std::vector<Definition> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, ListOn(c, entity_type, include_inactive));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<Definition>> CustomFieldStore::ListOn(
    db::Connection& c, const std::string& entity_type, bool include_inactive) {
  std::vector<Definition> out;
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat("SELECT ", kDefColumns,
                                        " FROM custom_field_definitions WHERE "
                                        "entity_type = ? AND (is_active = 1 OR "
                                        "?) ORDER BY id"),
                           {entity_type, include_inactive}));
  for (const db::Row& r : rows) out.push_back(FromRow(r));
  return out;
}

absl::StatusOr<Definition> CustomFieldStore::Find(
    int64_t id, const std::string& entity_type, const std::string& key) {
  std::optional<Definition> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        absl::StatusOr<db::Row> row =
            id > 0 ? c.QueryOne(absl::StrCat("SELECT ", kDefColumns,
                                             " FROM custom_field_definitions "
                                             "WHERE id = ?"),
                                {id}, "custom field")
                   : c.QueryOne(absl::StrCat(
                                    "SELECT ", kDefColumns,
                                    " FROM custom_field_definitions "
                                    "WHERE entity_type = ? AND field_key = ?"),
                                {entity_type, key}, "custom field");
        if (!row.ok()) return row.status();
        out = FromRow(*row);
        return absl::OkStatus();
      }));
  return *out;
}

absl::StatusOr<Definition> CustomFieldStore::Update(const Definition& d) {
  RETURN_IF_ERROR(db::RunInTransaction(*pool_, [&](db::Connection& c) {
    return c
        .Exec(
            "UPDATE custom_field_definitions SET label = ?, is_required = ?, "
            "is_sensitive = ?, is_active = ?, rules_json = ?, updated_at = ? "
            "WHERE id = ?",
            {d.label, d.required, d.sensitive, d.active, RulesJson(d),
             clock_->Now(), d.id})
        .status();
  }));
  absl::StatusOr<Definition> updated = Find(d.id, "", "");
  InvalidateContext(db(), updated.ok() ? updated->entity_type : d.entity_type);
  return updated;
}

absl::StatusOr<std::map<int64_t, Values>> CustomFieldStore::GetValues(
    const std::string& entity_type, const std::vector<int64_t>& ids) {
  std::map<int64_t, Values> out;
  if (ids.empty()) return out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetValuesOn(c, entity_type, ids));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::map<int64_t, Values>> CustomFieldStore::GetValuesOn(
    db::Connection& c, const std::string& entity_type,
    const std::vector<int64_t>& ids) {
  std::map<int64_t, Values> out;
  if (ids.empty()) return out;
  std::vector<db::Param> params = {entity_type};
  std::vector<std::string> marks;
  for (int64_t id : ids) {
    params.push_back(id);
    marks.push_back("?");
  }
  ASSIGN_OR_RETURN(
      db::Rows rows,
      c.Query(absl::StrCat("SELECT entity_id, values_json FROM "
                           "custom_field_values WHERE entity_type = ? "
                           "AND entity_id IN (",
                           absl::StrJoin(marks, ","), ")"),
              params));
  for (const db::Row& r : rows)
    out[r.Int("entity_id")] = ValuesFromJson(r.String("values_json"));
  return out;
}

absl::StatusOr<Values> CustomFieldStore::PutValuesOn(
    db::Connection& c, const std::string& entity_type, int64_t entity_id,
    const std::vector<Definition>& defs, const Values& changes) {
  if (changes.empty()) {
    // Nothing to write (e.g. a create without custom values): a plain read,
    // no locks. A locking read of a missing row takes a gap lock, and two
    // concurrent creates then deadlock on their inserts.
    ASSIGN_OR_RETURN(db::Rows rows,
                     c.Query("SELECT values_json FROM custom_field_values "
                             "WHERE entity_type = ? AND entity_id = ?",
                             {entity_type, entity_id}));
    if (rows.empty()) return Values{};
    return ValuesFromJson(rows.front().String("values_json"));
  }
  // Make sure the row exists first, so the locking read below locks that
  // one record instead of a gap (gap locks deadlock concurrent creates).
  RETURN_IF_ERROR(c.Exec("INSERT IGNORE INTO custom_field_values "
                         "(entity_type, entity_id, values_json, updated_at) "
                         "VALUES (?, ?, '{}', ?)",
                         {entity_type, entity_id, clock_->Now()})
                      .status());
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT values_json FROM custom_field_values "
                           "WHERE entity_type = ? AND entity_id = ? FOR UPDATE",
                           {entity_type, entity_id}));
  Values merged;
  if (!rows.empty())
    merged = ValuesFromJson(rows.front().String("values_json"));
  const Values before = merged;
  for (const auto& [k, v] : changes) {
    if (v.empty())
      merged.erase(k);
    else
      merged[k] = v;
  }
  json j = json::object();
  for (const auto& [k, v] : merged) j[k] = v;
  RETURN_IF_ERROR(
      c.Exec("INSERT INTO custom_field_values (entity_type, entity_id, "
             "values_json, updated_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY "
             "UPDATE values_json = VALUES(values_json), updated_at = "
             "VALUES(updated_at)",
             {entity_type, entity_id, j.dump(), clock_->Now()})
          .status());
  // Rebuild the option index rows of the select fields that changed.
  for (const Definition& d : defs) {
    if (!d.IsSelect() || !changes.count(d.key)) continue;
    RETURN_IF_ERROR(c.Exec("DELETE FROM custom_field_options WHERE "
                           "entity_type = ? AND field_key = ? AND "
                           "entity_id = ?",
                           {entity_type, d.key, entity_id})
                        .status());
    auto it = merged.find(d.key);
    if (it == merged.end()) continue;
    for (const std::string& option : IndexedOptions(d, it->second)) {
      RETURN_IF_ERROR(c.Exec("INSERT IGNORE INTO custom_field_options "
                             "(entity_type, field_key, option_value, "
                             "entity_id) VALUES (?, ?, ?, ?)",
                             {entity_type, d.key, option, entity_id})
                          .status());
    }
  }
  RETURN_IF_ERROR(AuditValues(c, entity_type, entity_id, defs, before, merged));
  return merged;
}

absl::Status CustomFieldStore::AuditValues(db::Connection& c,
                                           const std::string& entity_type,
                                           int64_t entity_id,
                                           const std::vector<Definition>& defs,
                                           const Values& before,
                                           const Values& after) {
  std::vector<audit::FieldChange> changes = ValueChanges(defs, before, after);
  if (changes.empty()) return absl::OkStatus();
  audit::AuditEntry e;
  e.entity_type = entity_type;
  e.entity_id = absl::StrCat(entity_id);
  e.action = "update";
  e.at = clock_->Now();
  e.changes = std::move(changes);
  // The record's owner as its own latest entry names it (the entity's
  // create or update was audited first, in its own transaction), so the
  // entry is in the same managers' audit scope as the record's others.
  ASSIGN_OR_RETURN(
      db::Rows owner,
      c.Query("SELECT owner_id, owner_org_path FROM audit_log WHERE "
              "entity_type = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
              {entity_type, e.entity_id}));
  if (!owner.empty()) {
    e.owner_id = owner.front().Int("owner_id");
    e.owner_org_path = owner.front().String("owner_org_path");
  }
  return audit::Append(c, std::move(e));
}

absl::StatusOr<Values> CustomFieldStore::PutValues(
    const std::string& entity_type, int64_t entity_id,
    const std::vector<Definition>& defs, const Values& changes) {
  return db::RunInTransactionFor<Values>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<Values> {
        return PutValuesOn(c, entity_type, entity_id, defs, changes);
      });
}

absl::StatusOr<std::vector<Rule>> CustomFieldStore::ListRules(
    const std::string& entity_type) {
  std::vector<Rule> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, ListRulesOn(c, entity_type));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<Rule>> CustomFieldStore::ListRulesOn(
    db::Connection& c, const std::string& entity_type) {
  std::vector<Rule> out;
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query("SELECT field, role, access_level FROM "
                           "field_permissions WHERE entity_type = ?",
                           {entity_type}));
  for (const db::Row& r : rows) {
    out.push_back({r.String("field"), r.String("role"),
                   static_cast<Access>(r.Int("access_level"))});
  }
  return out;
}

absl::Status CustomFieldStore::SetRule(const std::string& entity_type,
                                       const Rule& rule, bool remove,
                                       int64_t actor_id) {
  absl::Status set =
      db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
        if (remove) {
          return c
              .Exec(
                  "DELETE FROM field_permissions WHERE entity_type = ? AND "
                  "field = ? AND role = ?",
                  {entity_type, rule.field, rule.role})
              .status();
        }
        return c
            .Exec(
                "INSERT INTO field_permissions (entity_type, field, role, "
                "access_level, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, "
                "?) "
                "ON "
                "DUPLICATE KEY UPDATE access_level = VALUES(access_level), "
                "updated_at = "
                "VALUES(updated_at), updated_by = VALUES(updated_by)",
                {entity_type, rule.field, rule.role,
                 static_cast<int>(rule.access), clock_->Now(), actor_id})
            .status();
      });
  // Also after a failure: the statement may have committed before the
  // connection broke, and a reload is cheap.
  InvalidateContext(db(), entity_type);
  return set;
}

auth::SqlPredicate OptionFilter(const std::string& entity_type,
                                const std::string& id_column,
                                const std::string& key,
                                const std::string& option) {
  return {absl::StrCat("EXISTS (SELECT 1 FROM custom_field_options cfo WHERE "
                       "cfo.entity_type = ? AND cfo.field_key = ? AND "
                       "cfo.option_value = ? AND cfo.entity_id = ",
                       id_column, ")"),
          {entity_type, key, option}};
}

}  // namespace crm::customfields
