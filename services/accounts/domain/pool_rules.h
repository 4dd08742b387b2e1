// The pool rules of seed 004 (公海/私海) as pure functions: may this rep
// claim from this pool now? Kept free of I/O so every rule has a unit test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace crm::accounts {

struct ClaimRules {
  int daily_claim_limit = 20;  // claims per rep per day; 0 = unlimited
  int former_owner_cooldown_days =
      7;                       // a rep who released/lost it waits this long
  int private_capacity = 100;  // private accounts per rep; 0 = unlimited
  bool capacity_counts_signed =
      false;                // signed customers count against capacity
  int locked_capacity = 0;  // protected accounts per rep; 0 = unlimited
};

struct ClaimCheck {
  ClaimRules rules;
  // Where the pool sells and where the rep sells. A pool open to the rep's
  // org units (members) also allows the claim.
  std::string pool_region;
  std::string rep_region;
  bool rep_is_pool_member = false;
  // The rep's private accounts now: all, and those already signed.
  int64_t owned = 0;
  int64_t owned_signed = 0;
  int64_t claims_today = 0;
  // When this rep last gave this account up (release, recycle, transfer).
  std::optional<absl::Time> last_lost_by_rep;
  absl::Time now;
};

// OK, or the first rule the claim breaks:
//   FAILED_PRECONDITION  outside the rep's region; former-owner cooldown
//   RESOURCE_EXHAUSTED   private pool at capacity; daily claim limit used up
absl::Status CheckClaim(const ClaimCheck& c);

// Validates configured rules (INVALID_ARGUMENT "<field>: <rule>").
absl::Status ValidateClaimRules(const ClaimRules& r);

// The calendar day (UTC+8, China Standard Time) of `t`, as days since the
// epoch: daily claim limits reset at local midnight, not UTC midnight.
int64_t LocalDay(absl::Time t);

}  // namespace crm::accounts
