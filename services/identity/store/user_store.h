// SQL for users and their roles.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/identity/domain/login_policy.h"
#include "services/identity/store/records.h"

namespace crm::identity {

class UserStore {
 public:
  UserStore(std::shared_ptr<db::ConnectionPool> pool,
            std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // `user` holds validated fields and the password hash; org_path is looked
  // up from org_unit_id (NOT_FOUND "org_unit_id: ..." when unknown).
  // ALREADY_EXISTS names the existing user for a taken username; the same
  // non-empty request_id returns the user created first.
  absl::StatusOr<UserRecord> Create(const UserRecord& user,
                                    const std::string& request_id);
  absl::StatusOr<UserRecord> Get(int64_t id);
  absl::StatusOr<std::optional<UserRecord>> FindByUsername(
      const std::string& username);
  // Users among `ids` that satisfy `scope`; unknown ids are left out.
  absl::StatusOr<std::vector<UserRecord>> BatchGet(
      const std::vector<int64_t>& ids, const auth::SqlPredicate& scope);

  struct ListFilter {
    std::string subtree_path;  // empty: no subtree filter
    std::string role;          // empty: any
    std::optional<UserStatus> status;
    int64_t after_id = 0;  // paging cursor
    int limit = 50;
  };
  // Ordered by id; returns at most limit rows.
  absl::StatusOr<std::vector<UserRecord>> List(const ListFilter& filter,
                                               const auth::SqlPredicate& scope);

  struct Changes {
    std::optional<std::string> display_name, email, phone, password_hash;
    std::optional<int64_t> org_unit_id;
    std::optional<std::vector<std::string>> roles;
  };
  // Applies the changes; moving a user to another unit emits UserOrgChanged.
  absl::StatusOr<UserRecord> Update(int64_t id, const Changes& changes);
  // Sets INACTIVE, revokes refresh tokens and emits UserDeactivated (once:
  // deactivating an inactive user changes nothing and emits nothing).
  absl::StatusOr<UserRecord> Deactivate(int64_t id, int64_t by_user_id);

  // Login bookkeeping.
  absl::Status RecordFailedLogin(int64_t id, const LoginPolicy& policy);
  absl::Status RecordSuccessfulLogin(
      int64_t id, const std::optional<std::string>& new_hash);

  absl::StatusOr<int64_t> CountUsers();

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::identity
