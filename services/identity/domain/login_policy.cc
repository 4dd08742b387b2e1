#include "services/identity/domain/login_policy.h"

namespace crm::identity {

bool IsLocked(std::optional<absl::Time> locked_until, absl::Time now) {
  return locked_until.has_value() && now < *locked_until;
}

FailureOutcome AfterFailedLogin(int failed_logins, absl::Time now,
                                const LoginPolicy& policy) {
  const int count = failed_logins + 1;
  if (count >= policy.max_failed_logins) {
    // Locked: the count starts over, so after the lock another full run of
    // failures is needed to lock again.
    return {0, now + policy.lockout};
  }
  return {count, std::nullopt};
}

}  // namespace crm::identity
