// The lockout rule: after kMaxFailedLogins wrong passwords in a row, the
// account is locked for the lockout period; a correct password resets the
// count. Pure, so the rule is unit-tested without a database.
#pragma once

#include <optional>

#include "absl/time/time.h"

namespace crm::identity {

struct LoginPolicy {
  int max_failed_logins = 5;
  absl::Duration lockout = absl::Minutes(15);
};

// Whether a login at `now` must be refused because of a lock.
bool IsLocked(std::optional<absl::Time> locked_until, absl::Time now);

struct FailureOutcome {
  int failed_logins;                       // the new count to store
  std::optional<absl::Time> locked_until;  // set when this failure locks
};
// What one more wrong password does to an account with `failed_logins`
// recorded failures.
FailureOutcome AfterFailedLogin(int failed_logins, absl::Time now,
                                const LoginPolicy& policy);

}  // namespace crm::identity
