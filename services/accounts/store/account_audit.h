// Audit entries for accounts (issue 10): one call inside the transaction of
// each write (create, update, pool moves). See common/audit/audit.h.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

// "claim", "release", "assign", "transfer", "recycle", "import", "create".
std::string MoveAction(MoveKind kind);

// Appends the diff of `before` -> `after` (either may be null) for the
// account, with the actor of the current audit::ActorScope.
absl::Status AuditAccount(db::Connection& c, const std::string& action,
                          const AccountRecord* before,
                          const AccountRecord* after, absl::Time now,
                          const std::string& note = "");

// A contact of an account ("contact", id): create, update, delete; the
// owner is the account's. Phones are masked by audit::Append.
absl::Status AuditContact(db::Connection& c, const std::string& action,
                          const ContactRecord* before,
                          const ContactRecord* after, absl::Time now);

// For bulk moves (TransferAccounts): the accounts `owner_id` holds, read
// before the bulk UPDATE, then AuditMoved after it appends one entry per
// account with its state re-read.
absl::StatusOr<std::vector<AccountRecord>> OwnedAccountsOn(db::Connection& c,
                                                           int64_t owner_id);
absl::Status AuditMoved(db::Connection& c, const std::string& action,
                        const std::vector<AccountRecord>& before,
                        absl::Time now, const std::string& note);

}  // namespace crm::accounts
