// Routing for proto packages that several backends serve (ADR 0090):
// crm.audit.v1 (every business service keeps its own audit log) and
// crm.customfields.v1 (each service for the entity types it owns) and
// crm.sharing.v1 (accounts for account, opportunities for opportunity). The
// gateway normally maps one package to one backend; for these it picks the
// backend from the request's entity_type, and fans ListAudit by actor out
// to every audit backend, merging the replies newest first.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace crm::gateway {

inline constexpr char kAuditPackage[] = "crm.audit.v1";
inline constexpr char kCustomFieldsPackage[] = "crm.customfields.v1";
inline constexpr char kSharingPackage[] = "crm.sharing.v1";

// True for the packages above.
bool IsSharedPackage(std::string_view package);

// The backend package that owns an entity type: lead -> crm.leads.v1;
// account, contact -> crm.accounts.v1; opportunity ->
// crm.opportunities.v1; contract -> crm.orders.v1; ticket ->
// crm.tickets.v1. nullopt for anything else.
std::optional<std::string> BackendForEntityType(std::string_view entity_type);

// "account, contact, contract, lead, opportunity, ticket" (for errors).
std::string KnownEntityTypes();

// The backends that serve crm.audit.v1, in the order that breaks ties of
// equal times when replies are merged.
const std::vector<std::string>& AuditBackends();

// The request's entity_type: a top-level string field "entity_type", or
// one of a singular message field (SetFieldPermissionRequest.permission,
// CreateFieldDefinitionRequest.definition). `path` is the field's dotted
// name for errors ("permission.entity_type"); nullopt when the request
// type has no such field.
struct EntityTypeField {
  std::string value;
  std::string path;
};
std::optional<EntityTypeField> FindEntityType(
    const google::protobuf::Message& request);

// Where a merged ListAudit page stopped in each backend's own list: resume
// that backend at `token` (its own page token; "" = from the start),
// skipping `skip` entries of that page. `done`: nothing more there.
struct AuditStreamCursor {
  std::string backend;
  std::string token;
  int skip = 0;
  bool done = false;
};
struct AuditCursor {
  int64_t actor_id = 0;
  int page_size = 0;  // the backend page size used for every stream
  std::vector<AuditStreamCursor> streams;
};

// Opaque (base64url JSON) and bound to the actor it was issued for.
std::string EncodeAuditCursor(const AuditCursor& cursor);
// INVALID_ARGUMENT "page_token: ..." for a token that is not a merged
// audit token of `actor_id` for exactly `backends`.
absl::StatusOr<AuditCursor> DecodeAuditCursor(
    std::string_view token, int64_t actor_id,
    const std::vector<std::string>& backends);

}  // namespace crm::gateway
