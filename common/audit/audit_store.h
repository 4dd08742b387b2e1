// Reading the audit log (SQL only here and in audit.cc's append).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/audit/audit.h"
#include "common/auth/principal.h"
#include "common/db/connection.h"

namespace crm::audit {

struct AuditQuery {
  // Exactly one of: entity (type + id) or actor.
  std::string entity_type;
  std::string entity_id;
  std::optional<int64_t> actor_id;
  int64_t before_id = 0;  // keyset: entries with id < before_id; 0 = newest
  int limit = 50;
};

// Entries newest first, limited to what `viewer` may see: everything for
// ALL scope; entries whose record owner sat in the viewer's subtree for
// SUBTREE; PERMISSION_DENIED for SELF (reps and agents do not read the log).
absl::StatusOr<std::vector<AuditEntry>> QueryAudit(
    db::Connection& conn, const AuditQuery& query,
    const auth::Principal& viewer);

}  // namespace crm::audit
