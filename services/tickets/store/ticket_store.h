// SQL for tickets. Functions take the connection so handlers compose them
// in one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/auth/principal.h"
#include "common/db/connection.h"
#include "services/tickets/store/records.h"

namespace crm::tickets::ticket_store {

// NOT_FOUND "ticket <id> not found"; `for_update` locks the row.
absl::StatusOr<TicketRecord> Get(db::Connection& c, int64_t id,
                                 bool for_update = false);
absl::StatusOr<std::optional<int64_t>> FindByRequestKey(db::Connection& c,
                                                        const std::string& key);
absl::StatusOr<int64_t> Insert(db::Connection& c, const TicketRecord& r,
                               const std::string& request_key);
// Writes the mutable state (status, assignee, clocks, rating, flags).
absl::Status UpdateState(db::Connection& c, const TicketRecord& r);
// The pool grab: sets the assignee only if the ticket is still new and
// unassigned. Returns whether this call won.
absl::StatusOr<bool> GrabIfUnassigned(db::Connection& c, int64_t id,
                                      int64_t agent_id, int assigned_status,
                                      int new_status, absl::Time now);
// Sets `bits` in escalated unless `check_bit` is already set; returns
// whether this call set it (the once-only guarantee of escalations).
absl::StatusOr<bool> MarkEscalated(db::Connection& c, int64_t id, int check_bit,
                                   int bits, bool breached, absl::Time now);

// Which tickets a caller sees (see tickets_service.h).
struct Scope {
  bool all = false;
  std::string org_prefix;            // support managers: group subtree
  int64_t user_id = 0;               // own (assignee or creator)
  std::vector<int64_t> pool_groups;  // agents: unassigned of these groups
};

struct ListFilter {
  int64_t after_id = 0;
  int limit = 50;
  int status = 0;
  int64_t group_id = 0;
  int64_t assignee_id = 0;
  int64_t account_id = 0;
  std::string type_key;
  int priority = 0;
  bool breached_only = false;
  bool unassigned_only = false;
  // More conditions on `tickets.id` (custom field option filters).
  std::vector<auth::SqlPredicate> extra;
};
absl::StatusOr<std::vector<TicketRecord>> List(db::Connection& c,
                                               const Scope& scope,
                                               const ListFilter& f);

// Open tickets (status < resolved, or without a first response), id order,
// after `after_id`, for the SLA check.
absl::StatusOr<std::vector<TicketRecord>> OpenBatch(db::Connection& c,
                                                    int64_t after_id,
                                                    int limit);
// Open tickets per assignee among `users` (for automatic assignment).
absl::StatusOr<std::vector<std::pair<int64_t, int64_t>>> OpenLoads(
    db::Connection& c, int64_t group_id);

// Ids of the open tickets (assigned, in progress, waiting on the customer)
// assigned to `user_id`, by id.
absl::StatusOr<std::vector<int64_t>> OpenAssignedTo(db::Connection& c,
                                                    int64_t user_id);

// Tickets created in [from, to) for stats.
absl::StatusOr<std::vector<TicketRecord>> CreatedBetween(db::Connection& c,
                                                         const Scope& scope,
                                                         absl::Time from,
                                                         absl::Time to);

}  // namespace crm::tickets::ticket_store
