#include "services/accounts/domain/tier_rules.h"

#include "common/status/status.h"

namespace crm::accounts {

absl::Status ValidateTierSettings(const TierSettings& s) {
  if (s.window_days < 1 || s.window_days > 3650)
    return InvalidField("window_days", "must be 1..3650");
  if (s.tier_b_min_minor <= 0)
    return InvalidField("tier_b_min.amount_minor", "must be positive");
  if (s.tier_a_min_minor <= s.tier_b_min_minor)
    return InvalidField("tier_a_min.amount_minor",
                        "must be greater than tier_b_min");
  if (s.currency.size() != 3) {
    return InvalidField("tier_a_min.currency_code",
                        "must be a 3-letter ISO 4217 code");
  }
  for (char c : s.currency) {
    if (c < 'A' || c > 'Z')
      return InvalidField("tier_a_min.currency_code",
                          "must be a 3-letter ISO 4217 code");
  }
  return absl::OkStatus();
}

Tier TierFor(int64_t signed_minor, const TierSettings& s) {
  if (signed_minor >= s.tier_a_min_minor) return Tier::kA;
  if (signed_minor >= s.tier_b_min_minor) return Tier::kB;
  return Tier::kC;
}

absl::Time TierWindowStart(absl::Time as_of, const TierSettings& s) {
  return as_of - absl::Hours(24) * s.window_days;
}

}  // namespace crm::accounts
