#include "common/client/manager_lookup.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/auth/principal.h"
#include "common/client/client.h"
#include "common/status/status.h"

namespace crm::client {

namespace idpb = crm::identity::v1;

std::vector<int64_t> OrgPathUnitIds(const std::string& path) {
  std::vector<int64_t> ids;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    int64_t id = 0;
    if (absl::SimpleAtoi(part, &id)) ids.push_back(id);
  }
  return ids;
}

absl::Status ManagerLookup::ForEachActiveUser(
    int64_t unit, const std::string& role,
    const std::function<void(const idpb::User&)>& fn) {
  std::string page_token;
  do {
    grpc::ClientContext ctx;
    Prepare(&ctx, credentials_->Token(), absl::Seconds(5));
    idpb::ListUsersRequest req;
    req.set_org_unit_id(unit);
    req.set_role(role);
    req.set_status(idpb::USER_STATUS_ACTIVE);
    req.set_page_size(500);
    req.set_page_token(page_token);
    idpb::ListUsersResponse resp;
    RETURN_IF_ERROR(FromGrpcStatus(identity_->ListUsers(&ctx, req, &resp)));
    for (const idpb::User& u : resp.users()) fn(u);
    page_token = resp.next_page_token();
  } while (!page_token.empty());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Manager>> ManagerLookup::NearestManager(
    const std::string& org_path, int64_t except_user) {
  std::vector<int64_t> units = OrgPathUnitIds(org_path);
  for (auto unit = units.rbegin(); unit != units.rend(); ++unit) {
    std::optional<Manager> best;
    // ListUsers covers the unit's subtree; only someone placed at the unit
    // itself manages all of it.
    RETURN_IF_ERROR(ForEachActiveUser(*unit, role_, [&](const idpb::User& u) {
      if (u.org_unit_id() != *unit || u.id() == except_user) return;
      if (!best.has_value() || u.id() < best->user_id)
        best = Manager{u.id(), u.org_path()};
    }));
    if (best.has_value()) return best;
  }
  return std::optional<Manager>();
}

absl::StatusOr<std::vector<int64_t>> ManagerLookup::UsersCovering(
    const std::string& org_path, const std::string& role, int64_t except_user) {
  std::vector<int64_t> out;
  std::vector<int64_t> units = OrgPathUnitIds(org_path);
  if (units.empty()) return out;
  RETURN_IF_ERROR(
      ForEachActiveUser(units.front(), role, [&](const idpb::User& u) {
        if (u.id() == except_user || u.org_path().empty()) return;
        if (org_path.compare(0, u.org_path().size(), u.org_path()) == 0)
          out.push_back(u.id());
      }));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace crm::client
