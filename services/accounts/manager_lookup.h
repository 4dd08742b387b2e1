// Who takes over a departing rep's customers when the accounts service is
// configured to hand them to the manager (seed 004: 离职交接): the nearest
// active sales manager at or above the rep's org unit, found through the
// identity service with accounts' own service token (no user is calling).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/auth/service_credentials.h"
#include "crm/identity/v1/identity.grpc.pb.h"

namespace crm::accounts {

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
  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity_;
  std::shared_ptr<auth::ServiceCredentials> credentials_;
  std::string role_;
};

}  // namespace crm::accounts
