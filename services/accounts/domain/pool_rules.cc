#include "services/accounts/domain/pool_rules.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::accounts {

absl::Status CheckClaim(const ClaimCheck& c) {
  if (!c.rep_is_pool_member &&
      (c.rep_region.empty() || c.rep_region != c.pool_region)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cross-region claim: the account's pool sells in region \"",
        c.pool_region, "\", you sell in \"",
        c.rep_region.empty() ? "(none)" : c.rep_region, "\""));
  }
  if (c.last_lost_by_rep.has_value() &&
      c.rules.former_owner_cooldown_days > 0) {
    const absl::Time until =
        *c.last_lost_by_rep +
        absl::Hours(24 * c.rules.former_owner_cooldown_days);
    if (c.now < until) {
      return absl::FailedPreconditionError(absl::StrCat(
          "protection period: you gave this account up; you may claim it again "
          "after ",
          absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", until, absl::UTCTimeZone())));
    }
  }
  const int64_t counted =
      c.rules.capacity_counts_signed ? c.owned : c.owned - c.owned_signed;
  if (c.rules.private_capacity > 0 && counted >= c.rules.private_capacity) {
    return absl::ResourceExhaustedError(
        absl::StrCat("private pool full: ", counted, " of ",
                     c.rules.private_capacity, " accounts"));
  }
  if (c.rules.daily_claim_limit > 0 &&
      c.claims_today >= c.rules.daily_claim_limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat("daily claim limit reached: ", c.claims_today, " of ",
                     c.rules.daily_claim_limit));
  }
  return absl::OkStatus();
}

absl::Status ValidateClaimRules(const ClaimRules& r) {
  if (r.daily_claim_limit < 0 || r.daily_claim_limit > 10000) {
    return InvalidField("claim_rules.daily_claim_limit", "must be 0..10000");
  }
  if (r.former_owner_cooldown_days < 0 || r.former_owner_cooldown_days > 3650) {
    return InvalidField("claim_rules.former_owner_cooldown_days",
                        "must be 0..3650");
  }
  if (r.private_capacity < 0 || r.private_capacity > 1000000) {
    return InvalidField("claim_rules.private_capacity", "must be 0..1000000");
  }
  if (r.locked_capacity < 0 || r.locked_capacity > 1000000) {
    return InvalidField("claim_rules.locked_capacity", "must be 0..1000000");
  }
  return absl::OkStatus();
}

int64_t LocalDay(absl::Time t) {
  return absl::ToUnixSeconds(t + absl::Hours(8)) / 86400;
}

}  // namespace crm::accounts
