// SQL for the contacts of an account. Every change that touches the primary
// flag runs under the account's row lock, clearing the old primary before
// setting the new one (uk_contacts_one_primary refuses two).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

// Re-checks, inside the writing transaction and on the locked account row,
// that the caller may still change it (the account may have moved since
// the handler looked).
using AccountGuard = std::function<absl::Status(const AccountRecord&)>;

class ContactStore {
 public:
  ContactStore(std::shared_ptr<db::ConnectionPool> pool,
               std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // Inserts `c` (validated and normalized). The account's first contact,
  // or one with c.primary, becomes the primary. The same non-empty
  // request_id returns the contact created first (for the same account;
  // ALREADY_EXISTS when the id was used for another account). A contact of
  // the same account with the same phone is ALREADY_EXISTS naming it.
  absl::StatusOr<ContactRecord> Add(const ContactRecord& c,
                                    const std::string& request_id,
                                    const AccountGuard& guard);

  absl::StatusOr<ContactRecord> Get(int64_t id);

  // Stores `next` (the whole contact after the mask was applied). Making a
  // contact primary demotes the old one; un-marking the primary is
  // FAILED_PRECONDITION (make another contact primary instead).
  absl::StatusOr<ContactRecord> Update(const ContactRecord& next,
                                       const AccountGuard& guard);

  // Deletes the contact. When it was the primary and others remain, the
  // oldest remaining contact becomes primary (the account keeps exactly one
  // primary while it has contacts). Returns the promoted contact's id.
  absl::StatusOr<std::optional<int64_t>> Delete(int64_t id,
                                                const AccountGuard& guard);

  // Primary first, then oldest first.
  absl::StatusOr<std::vector<ContactRecord>> List(int64_t account_id);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::accounts
