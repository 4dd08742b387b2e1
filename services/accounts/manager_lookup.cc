#include "services/accounts/manager_lookup.h"

#include <algorithm>

#include "common/auth/principal.h"
#include "common/client/client.h"
#include "common/status/status.h"
#include "services/accounts/handler_util.h"

namespace crm::accounts {

namespace idpb = crm::identity::v1;

absl::StatusOr<std::optional<Manager>> ManagerLookup::NearestManager(
    const std::string& org_path, int64_t except_user) {
  std::vector<int64_t> units = PathIds(org_path);
  for (auto unit = units.rbegin(); unit != units.rend(); ++unit) {
    std::optional<Manager> best;
    std::string page_token;
    do {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, credentials_->Token(), absl::Seconds(5));
      idpb::ListUsersRequest req;
      req.set_org_unit_id(*unit);
      req.set_role(role_);
      req.set_status(idpb::USER_STATUS_ACTIVE);
      req.set_page_size(500);
      req.set_page_token(page_token);
      idpb::ListUsersResponse resp;
      RETURN_IF_ERROR(FromGrpcStatus(identity_->ListUsers(&ctx, req, &resp)));
      // ListUsers covers the unit's subtree; only someone placed at the unit
      // itself manages all of it.
      for (const idpb::User& u : resp.users()) {
        if (u.org_unit_id() != *unit || u.id() == except_user) continue;
        if (!best.has_value() || u.id() < best->user_id)
          best = Manager{u.id(), u.org_path()};
      }
      page_token = resp.next_page_token();
    } while (!page_token.empty());
    if (best.has_value()) return best;
  }
  return std::optional<Manager>();
}

absl::StatusOr<std::vector<int64_t>> ManagerLookup::UsersCovering(
    const std::string& org_path, const std::string& role, int64_t except_user) {
  std::vector<int64_t> out;
  std::vector<int64_t> units = PathIds(org_path);
  if (units.empty()) return out;
  std::string page_token;
  do {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, credentials_->Token(), absl::Seconds(5));
    idpb::ListUsersRequest req;
    req.set_org_unit_id(units.front());
    req.set_role(role);
    req.set_status(idpb::USER_STATUS_ACTIVE);
    req.set_page_size(500);
    req.set_page_token(page_token);
    idpb::ListUsersResponse resp;
    RETURN_IF_ERROR(FromGrpcStatus(identity_->ListUsers(&ctx, req, &resp)));
    for (const idpb::User& u : resp.users()) {
      if (u.id() == except_user || u.org_path().empty()) continue;
      if (org_path.compare(0, u.org_path().size(), u.org_path()) == 0)
        out.push_back(u.id());
    }
    page_token = resp.next_page_token();
  } while (!page_token.empty());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace crm::accounts
