#include "services/orders/domain/leaderboard_keys.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace crm::orders {

std::string BoardTag(BoardMetric metric, const Period& period) {
  return absl::StrCat(
      "{", metric == BoardMetric::kSigned ? "signed" : "received", ":",
      std::string(PeriodKindName(period.kind)), "}:", period.key);
}

std::string UserBoardKey(const std::string& tag) {
  return absl::StrCat("lb:", tag, ":user");
}

std::string SubBoardKey(const std::string& tag, const std::string& parent) {
  return absl::StrCat("lb:", tag, ":sub:", parent);
}

std::string UnitUsersBoardKey(const std::string& tag, const std::string& unit) {
  // "/1/" (two slashes) is the root: its individuals are the user board.
  if (std::count(unit.begin(), unit.end(), '/') <= 2) return UserBoardKey(tag);
  return absl::StrCat("lb:", tag, ":users:", unit);
}

std::string BoardIndexKey(const std::string& tag) {
  return absl::StrCat("lb:", tag, ":keys");
}

std::string BoardReadyKey(const std::string& tag) {
  return absl::StrCat("lb:", tag, ":ready");
}

std::vector<BoardBump> BumpsFor(const std::string& tag, int64_t owner_id,
                                const std::string& owner_org_path) {
  std::vector<BoardBump> out;
  out.push_back({UserBoardKey(tag), absl::StrCat(owner_id)});
  // "/1/4/9/": parent "/1/" gets member 4, parent "/1/4/" gets member 9.
  size_t start = 1;  // after the leading '/'
  while (start < owner_org_path.size()) {
    size_t slash = owner_org_path.find('/', start);
    if (slash == std::string::npos) break;
    if (start > 1) {
      out.push_back({SubBoardKey(tag, owner_org_path.substr(0, start)),
                     owner_org_path.substr(start, slash - start)});
      // The individuals of the unit just below that ancestor.
      out.push_back(
          {UnitUsersBoardKey(tag, owner_org_path.substr(0, slash + 1)),
           absl::StrCat(owner_id)});
    }
    start = slash + 1;
  }
  return out;
}

const std::vector<PeriodKind>& BoardPeriodKinds() {
  static const std::vector<PeriodKind> kinds = {
      PeriodKind::kDay, PeriodKind::kWeek, PeriodKind::kMonth};
  return kinds;
}

}  // namespace crm::orders
