// Rows of the accounts schema as plain structs (no protobuf in store/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/accounts/domain/pool_rules.h"

namespace crm::accounts {

enum class AccountKind { kCompany = 1, kPerson = 2 };
enum class CustomerType { kSmb = 1, kKa = 2 };
enum class AccountStatus {
  kNew = 1,
  kFollowing = 2,
  kSigned = 3,
  kChurned = 4
};
enum class Tier { kA = 1, kB = 2, kC = 3 };

struct AccountRecord {
  int64_t id = 0;
  AccountKind kind = AccountKind::kCompany;
  std::string name;
  std::string name_norm;
  std::optional<std::string> credit_code;
  std::optional<std::string> phone;
  std::optional<std::string> id_number;
  std::string industry;
  std::string address;
  std::optional<double> lat, lng;
  std::string region_code;
  CustomerType type = CustomerType::kSmb;
  AccountStatus status = AccountStatus::kNew;
  Tier tier = Tier::kC;
  int64_t signed_amount_minor = 0;
  std::optional<absl::Time> first_signed_at;
  std::optional<int64_t> pool_id;
  std::optional<int64_t> owner_id;
  std::string owner_org_path;
  std::optional<absl::Time> owned_since;
  std::optional<absl::Time> last_follow_up_at;
  // Set by LockAccount; the lock holds only while locked_by owns it.
  std::optional<int64_t> locked_by;
  std::optional<absl::Time> locked_at;
  int64_t created_by = 0;
  absl::Time created_at;
  absl::Time updated_at;

  bool IsLocked() const {
    return locked_at.has_value() && locked_by.has_value() &&
           owner_id.has_value() && *locked_by == *owner_id;
  }
};

struct ContactRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string name;
  std::string title;
  std::string phone;
  std::string email;
  bool primary = false;
  absl::Time created_at;
};

struct PoolRecord {
  int64_t id = 0;
  std::string name;
  std::string region_code;
  bool region_default = false;
  ClaimRules rules;
  std::string recycle_rules_json = "[]";
  std::vector<int64_t> member_org_unit_ids;
  std::vector<int64_t> admin_user_ids;
  int64_t account_count = 0;
  absl::Time created_at;
};

enum class MoveKind {
  kCreate = 1,
  kClaim = 2,
  kRelease = 3,
  kAssign = 4,
  kTransfer = 5,
  kRecycle = 6,
  kImport = 7
};

struct PoolMoveRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  MoveKind kind = MoveKind::kCreate;
  std::optional<int64_t> from_owner_id, from_pool_id, to_owner_id, to_pool_id;
  int64_t actor_id = 0;
  std::string reason;
  absl::Time at;
};

}  // namespace crm::accounts
