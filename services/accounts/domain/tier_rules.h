// Customer tier A/B/C from the amount signed within a trailing window
// (issue 5: "Tier A/B/C computed from signed amount over a configurable
// window and thresholds"). Pure: the store sums the contracts, this judges.
//
// Defaults (tier_settings row of migration 0004, mirrored here):
//   window 365 days ending at the time of the recompute;
//   A: signed >= 1,000,000.00 CNY (100,000,000 fen);
//   B: signed >=   100,000.00 CNY ( 10,000,000 fen);
//   C: anything less, including nothing signed.
// Thresholds are inclusive. Only contracts in the settings' currency count.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

struct TierSettings {
  int window_days = 365;
  int64_t tier_a_min_minor = 100'000'000;  // 1,000,000.00 CNY
  int64_t tier_b_min_minor = 10'000'000;   //   100,000.00 CNY
  std::string currency = "CNY";
};

// INVALID_ARGUMENT "<field>: <rule>" (field names of the TierSettings proto):
// window 1..3650 days, thresholds
// positive with A > B, currency three upper-case letters.
absl::Status ValidateTierSettings(const TierSettings& s);

// The tier for `signed_minor` signed within the window.
Tier TierFor(int64_t signed_minor, const TierSettings& s);

// The window's first instant (exclusive) for a recompute at `as_of`:
// contracts signed in (as_of - window_days, as_of] count.
absl::Time TierWindowStart(absl::Time as_of, const TierSettings& s);

}  // namespace crm::accounts
