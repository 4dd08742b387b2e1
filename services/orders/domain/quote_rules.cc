#include "services/orders/domain/quote_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/orders/domain/payment_plan.h"

namespace crm::orders {

absl::StatusOr<int64_t> LineNet(int index, const PricedLine& line) {
  const std::string at = absl::StrCat("lines[", index, "]");
  if (line.quantity < 1 || line.quantity > kMaxQuantity)
    return InvalidField(at + ".quantity", "must be 1..1000000");
  if (line.discount_bp < 0 || line.discount_bp > 10000)
    return InvalidField(at + ".discount_bp", "must be 0..10000");
  const __int128 gross =
      static_cast<__int128>(line.unit_price_minor) * line.quantity;
  const __int128 scaled = gross * (10000 - line.discount_bp);
  const __int128 net = (scaled + 5000) / 10000;  // half up (non-negative)
  if (net > kMaxAmountMinor)
    return InvalidField(at + ".quantity", "the line exceeds 10^15 minor units");
  return static_cast<int64_t>(net);
}

absl::StatusOr<QuoteTotals> PriceQuote(const std::vector<PricedLine>& lines) {
  if (lines.empty() || lines.size() > static_cast<size_t>(kMaxQuoteLines))
    return InvalidField("lines", "1..100 lines");
  QuoteTotals t;
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSIGN_OR_RETURN(int64_t net, LineNet(static_cast<int>(i), lines[i]));
    t.nets.push_back(net);
    t.total_minor += net;
    t.list_total_minor += lines[i].unit_price_minor * lines[i].quantity;
    t.max_discount_bp = std::max(t.max_discount_bp, lines[i].discount_bp);
    if (t.list_total_minor > kMaxAmountMinor)
      return InvalidField("lines", "the quote exceeds 10^15 minor units");
  }
  return t;
}

int DiscountLimitBp(const auth::Principal& p) {
  if (p.IsAdmin() || p.HasRole(auth::kRoleBoss)) return 10000;
  if (p.HasRole(auth::kRoleSalesManager)) return 2500;
  return 1000;
}

}  // namespace crm::orders
