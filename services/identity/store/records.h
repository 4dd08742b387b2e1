// Rows of the identity schema as plain structs (no protobuf in store/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/identity/domain/org_rules.h"

namespace crm::identity {

struct OrgUnitRecord {
  int64_t id = 0;
  int64_t parent_id = 0;
  std::string name;
  OrgKind kind = OrgKind::kUnspecified;
  std::string path;
  int depth = 0;
  std::string region_code;
  // The region code of the nearest unit on the path that has one.
  std::string effective_region_code;
  absl::Time created_at;
  absl::Time updated_at;
};

enum class UserStatus { kActive = 1, kInactive = 2 };

struct UserRecord {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string email;
  std::string phone;
  int64_t org_unit_id = 0;
  std::string org_path;
  std::string region_code;  // effective region of the unit (derived)
  std::vector<std::string> roles;
  UserStatus status = UserStatus::kActive;
  std::string password_hash;
  int failed_logins = 0;
  std::optional<absl::Time> locked_until;
  absl::Time created_at;
  absl::Time updated_at;
};

}  // namespace crm::identity
