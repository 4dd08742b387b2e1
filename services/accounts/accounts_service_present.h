// The one presentation step for every AccountsService reply that carries an
// Account (issue 10): the record converted the way GetAccount converts it,
// its stored custom field values filled in, and the caller's field-level
// permissions applied (hidden fields cleared, sensitive ones masked with
// validate::MaskValue; common/customfields). Claim, Release, Assign, Lock,
// Unlock, ListNearbyAccounts and Update all go through here, so a reply is
// never less masked than GetAccount for the same caller.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/auth/principal.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "crm/accounts/v1/accounts.pb.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

// Fills each `out` from its record and presents it for `p` (one read of
// the definitions and rules, one of the values for all of them).
absl::Status PresentAccounts(
    const std::shared_ptr<db::ConnectionPool>& pool,
    const std::shared_ptr<const Clock>& clock, const auth::Principal& p,
    const std::vector<
        std::pair<const AccountRecord*, crm::accounts::v1::Account*>>& items);

inline absl::Status PresentAccount(
    const std::shared_ptr<db::ConnectionPool>& pool,
    const std::shared_ptr<const Clock>& clock, const auth::Principal& p,
    const AccountRecord& record, crm::accounts::v1::Account* out) {
  return PresentAccounts(pool, clock, p, {{&record, out}});
}

}  // namespace crm::accounts
