// The audit log (issue 10, ADR 0070): who changed which record, when, with
// which request id, and each changed field's old and new value.
//
// Write side, used by store/ code inside the transaction of the change:
//
//   RETURN_IF_ERROR(audit::Append(c, audit::Change("account", id, "update",
//                                                  &before_pb, &after_pb,
//                                                  now)));
//
// The actor and request id come from the ActorScope the gRPC handler opened
// on the same thread (one line per handler); work with no scope (scheduled
// jobs, event consumers) is recorded with actor_id 0 ("system").
//
// Entries are append-only: this library has no update or delete path, and
// the audit_log table refuses UPDATE/DELETE with triggers
// (common/audit/migrations/audit_log.sql, linked into each service).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/db/connection.h"

namespace google::protobuf {
class Message;
}

namespace crm::audit {

struct FieldChange {
  std::string field;
  std::optional<std::string> old_value;  // nullopt: absent / null
  std::optional<std::string> new_value;
  bool operator==(const FieldChange&) const = default;
};

struct AuditEntry {
  int64_t id = 0;  // assigned on append
  std::string entity_type;
  std::string entity_id;
  std::string action;
  int64_t actor_id = 0;
  std::string actor_service;
  std::string request_id;
  absl::Time at = absl::UnixEpoch();
  int64_t owner_id = 0;
  std::string owner_org_path;
  std::vector<FieldChange> changes;
  std::string note;
};

// A record as flat "field -> value" text (dotted paths for nested fields).
using Fields = std::map<std::string, std::string>;

// The fields that differ, in field order: added (old absent), removed (new
// absent) or changed. Pure.
std::vector<FieldChange> Diff(const Fields& before, const Fields& after);

// A message's set fields, flattened: nested messages become "a.b",
// google.protobuf.Timestamp becomes RFC 3339 text, repeated fields one
// "[x, y]" value, enums their value name. "updated_at" / "update_time" are
// left out (they change on every write and say nothing). Pure.
Fields Flatten(const google::protobuf::Message& message);

// Diff(Flatten(before), Flatten(after)); a null side is an empty record
// (create: before null; delete: after null).
std::vector<FieldChange> DiffMessages(const google::protobuf::Message* before,
                                      const google::protobuf::Message* after);

// --- masking hook ---------------------------------------------------------
// Values are masked before they are stored, so the log never holds raw
// personal data. The masker gets (entity_type, field, value) and returns the
// value to store. The default, DefaultMask, masks phones ("138****5678") and
// id numbers with the suite's one rule (validate::MaskValue, the same as
// field-level permissions); a deployment may install its own with SetMasker
// (process-wide; call it at start-up before serving).
using Masker =
    std::function<std::string(std::string_view entity_type,
                              std::string_view field, std::string_view value)>;
void SetMasker(Masker masker);
std::string DefaultMask(std::string_view entity_type, std::string_view field,
                        std::string_view value);

// --- who is acting ----------------------------------------------------------
struct Actor {
  int64_t user_id = 0;
  std::string service;  // for service tokens
  std::string request_id;
};

// RAII: the actor of audit entries appended on this thread while alive.
// Nests (restores the previous actor on destruction).
class ActorScope {
 public:
  ActorScope(const auth::Principal& principal, std::string request_id = "");
  explicit ActorScope(Actor actor);
  ~ActorScope();
  ActorScope(const ActorScope&) = delete;
  ActorScope& operator=(const ActorScope&) = delete;

 private:
  std::optional<Actor> previous_;
};

// The innermost ActorScope's actor on this thread, if any.
std::optional<Actor> CurrentActor();

// An entry for a change of one record: the diff of two messages (either may
// be null), the owner taken from the after (else before) message's
// "owner_id" / "owner_org_path" fields when it has them.
AuditEntry Change(std::string entity_type, std::string entity_id,
                  std::string action, const google::protobuf::Message* before,
                  const google::protobuf::Message* after, absl::Time at);
AuditEntry Change(std::string entity_type, int64_t entity_id,
                  std::string action, const google::protobuf::Message* before,
                  const google::protobuf::Message* after, absl::Time at);

// Appends `entry` on `tx` (which must be inside the transaction of the
// change) after masking its values; the actor is taken from CurrentActor()
// when the entry names none, the request id when it has none. Returns the
// entry id.
absl::StatusOr<int64_t> AppendEntry(db::Connection& tx, AuditEntry entry);
// The same, for RETURN_IF_ERROR one-liners.
absl::Status Append(db::Connection& tx, AuditEntry entry);
// Several entries in one multi-row INSERT (batch writes: one round trip,
// not one per entry); ids are not returned. No-op when empty.
absl::Status AppendMany(db::Connection& tx, std::vector<AuditEntry> entries);

// Changes as stored (JSON array of {"f","o","n"}) and back.
std::string ChangesToJson(const std::vector<FieldChange>& changes);
std::vector<FieldChange> ChangesFromJson(std::string_view json);

}  // namespace crm::audit
