// Quote pricing and discount authority (pure). Rounding rule (ADR 0030):
// a line's net is round-half-up(unit_price * quantity * (10000 -
// discount_bp) / 10000) in integer minor units; the total is the sum of line
// nets, never rounded again.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"

namespace crm::orders {

inline constexpr int kMaxQuoteLines = 100;
inline constexpr int64_t kMaxQuantity = 1'000'000;

struct PricedLine {
  int64_t unit_price_minor = 0;
  int64_t quantity = 0;
  int discount_bp = 0;
};

// INVALID_ARGUMENT "lines[i].quantity|discount_bp: ..." or "amount" when a
// line or the total exceeds 10^15 minor units.
absl::StatusOr<int64_t> LineNet(int index, const PricedLine& line);

struct QuoteTotals {
  int64_t list_total_minor = 0;
  int64_t total_minor = 0;
  int max_discount_bp = 0;
  std::vector<int64_t> nets;
};
absl::StatusOr<QuoteTotals> PriceQuote(const std::vector<PricedLine>& lines);

// The largest discount (basis points) a caller may grant alone: sales reps
// 10%, sales managers 25%, boss and admin any.
int DiscountLimitBp(const auth::Principal& p);

}  // namespace crm::orders
