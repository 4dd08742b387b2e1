// What a service's handlers call to give an entity custom fields and
// field-level permissions: load the entity type's definitions and rules once
// per request, check a create or an update, turn List filters into indexed
// predicates, and present a record (values filled in, hidden fields cleared,
// sensitive ones masked). One copy for every service (ADR 0075).
#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/auth/principal.h"
#include "common/customfields/definition.h"
#include "common/customfields/field_access.h"
#include "common/customfields/store.h"

namespace crm::customfields {

// The definitions and permission rules of one entity type.
class EntityContext {
 public:
  EntityContext(std::string entity_type, std::vector<Definition> defs,
                FieldPolicy policy)
      : entity_type_(std::move(entity_type)),
        defs_(std::move(defs)),
        policy_(std::move(policy)) {}

  const std::string& entity_type() const { return entity_type_; }
  const std::vector<Definition>& defs() const { return defs_; }
  const FieldPolicy& policy() const { return policy_; }

  // A new record: `values` (from the draft's custom_fields) validated and
  // normalized; every field the draft sets (built-in or custom) must be
  // editable for the caller. `entity` names fields in errors ("account").
  // `enforce_required` false: required fields may be missing (captures
  // from web forms, which cannot know admin-defined fields).
  absl::Status CheckCreate(const auth::Principal& p,
                           const google::protobuf::Message& draft,
                           Values* values, bool enforce_required = true) const;
  // An update: the custom value changes the mask asks for ("custom_fields"
  // = every key in `sent`; "custom_fields.<key>" = that key, absent = clear)
  // validated into `*changes`; every path must be editable for the caller
  // (PERMISSION_DENIED naming the field). `builtin_paths` gets the other
  // paths, for the service's own update code.
  absl::Status CheckUpdate(const auth::Principal& p,
                           const std::vector<std::string>& mask_paths,
                           const Values& sent, Values* changes,
                           std::vector<std::string>* builtin_paths) const;
  // A record leaving its draft state (a contract submitted for approval,
  // whose draft may have been created without them): every required
  // active field must have a value in `values`, else FAILED_PRECONDITION
  // "<entity>.custom_fields.<key>: required before <action>".
  absl::Status CheckComplete(const Values& values,
                             std::string_view action) const;
  // List filters (key -> option) as predicates on `id_column`, each an
  // indexed lookup; INVALID_ARGUMENT for keys that are not select fields or
  // options that do not exist.
  absl::StatusOr<std::vector<auth::SqlPredicate>> Filters(
      const std::map<std::string, std::string>& filter,
      const std::string& id_column) const;
  // Fills the message's custom_fields map with `values` (active fields
  // only) and applies the caller's read access to the whole message.
  void Present(const auth::Principal& p, const Values& values,
               google::protobuf::Message* msg) const;

 private:
  std::string entity_type_;
  std::vector<Definition> defs_;
  FieldPolicy policy_;
};

class EntityFields {
 public:
  EntityFields(std::shared_ptr<db::ConnectionPool> pool,
               std::shared_ptr<const Clock> clock)
      : pool_(pool),
        store_(std::make_shared<CustomFieldStore>(std::move(pool),
                                                  std::move(clock))) {}
  // Active definitions and rules of `entity_type` (two indexed reads).
  absl::StatusOr<EntityContext> Load(const std::string& entity_type);
  // The same on a connection the caller holds.
  absl::StatusOr<EntityContext> LoadOn(db::Connection& c,
                                       const std::string& entity_type);
  CustomFieldStore& store() { return *store_; }
  // Reads the stored values of the records (one query) and presents each
  // message (EntityContext::Present).
  absl::Status PresentMany(
      const EntityContext& ec, const auth::Principal& p,
      const std::vector<std::pair<int64_t, google::protobuf::Message*>>& items);
  absl::Status PresentManyOn(
      db::Connection& c, const EntityContext& ec, const auth::Principal& p,
      const std::vector<std::pair<int64_t, google::protobuf::Message*>>& items);
  // Load(entity_type) then PresentMany: for the RPCs that return the entity
  // without otherwise touching its custom fields (state changes, verbs).
  absl::Status Present(
      const std::string& entity_type, const auth::Principal& p,
      const std::vector<std::pair<int64_t, google::protobuf::Message*>>& items);
  absl::Status PresentOn(
      db::Connection& c, const std::string& entity_type,
      const auth::Principal& p,
      const std::vector<std::pair<int64_t, google::protobuf::Message*>>& items);

 private:
  static void PresentValues(
      const EntityContext& ec, const auth::Principal& p,
      const std::vector<std::pair<int64_t, google::protobuf::Message*>>& items,
      const std::map<int64_t, Values>& values);

  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<CustomFieldStore> store_;
};

// ANDs `extra` into `base` (both kept parenthesized).
void AndInto(auth::SqlPredicate* base,
             const std::vector<auth::SqlPredicate>& extra);

}  // namespace crm::customfields
