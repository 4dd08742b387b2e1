// Who takes over a departing rep's customers (accounts, when configured to
// hand them to the manager) and open opportunities (ADR 0099), who gets
// ticket escalations and approvals: the nearest active manager at or above
// an org unit, found through the identity service with the calling
// service's own token (no user is calling).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/auth/service_credentials.h"
#include "crm/identity/v1/identity.grpc.pb.h"

namespace crm::client {

// The unit ids of an org path, root first: "/1/4/9/" -> {1, 4, 9}.
std::vector<int64_t> OrgPathUnitIds(const std::string& path);

struct Manager {
  int64_t user_id = 0;
  std::string org_path;
};

class ManagerLookup {
 public:
  ManagerLookup(
      std::shared_ptr<crm::identity::v1::IdentityService::StubInterface>
          identity,
      std::shared_ptr<auth::ServiceCredentials> credentials,
      std::string role = std::string(auth::kRoleSalesManager))
      : identity_(std::move(identity)),
        credentials_(std::move(credentials)),
        role_(std::move(role)) {}

  // Walks from the unit at the end of `org_path` up to the root and returns
  // the first active user with the lookup's role (sales_manager unless
  // given, e.g. support_manager for ticket escalations) placed exactly at a
  // unit on the way
  // (lowest user id on ties), other than `except_user`. nullopt when there
  // is none; UNAVAILABLE (and the like) when identity cannot be asked, so
  // the caller retries rather than guessing.
  absl::StatusOr<std::optional<Manager>> NearestManager(
      const std::string& org_path, int64_t except_user);

  // Every active user with `role` placed at a unit on `org_path` (the root
  // down to the unit itself), i.e. whose subtree scope covers a record
  // owned there, other than `except_user`; by user id. One paged ListUsers
  // from the root unit. Errors as NearestManager.
  absl::StatusOr<std::vector<int64_t>> UsersCovering(
      const std::string& org_path, const std::string& role,
      int64_t except_user);

 private:
  // Every active user with `role` in `unit`'s subtree, page by page.
  absl::Status ForEachActiveUser(
      int64_t unit, const std::string& role,
      const std::function<void(const crm::identity::v1::User&)>& fn);

  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity_;
  std::shared_ptr<auth::ServiceCredentials> credentials_;
  std::string role_;
};

}  // namespace crm::client
