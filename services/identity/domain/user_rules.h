// User field rules: usernames, roles, e-mail, phone.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace crm::identity {

// Lower-cases and checks a username: 3..64 of [a-z0-9._-], starting with a
// letter or digit. INVALID_ARGUMENT "username: ..." otherwise.
absl::Status NormalizeUsername(std::string* username);

// At least one role, each known; duplicates removed, order kept.
absl::Status NormalizeRoles(std::vector<std::string>* roles);

// Empty, or a plausible address (one '@', a dot in the domain, <= 254 bytes).
absl::Status ValidateEmail(const std::string& email);
// Empty, or 5..32 of digits, spaces, '+', '-', parentheses.
absl::Status ValidatePhone(const std::string& phone);

}  // namespace crm::identity
