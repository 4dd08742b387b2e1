// The one rule for a client-chosen request_id (the idempotency key every
// retried write carries): at most 64 printable ASCII characters, empty
// allowed (no idempotency). The columns that hold it are ASCII, so any other
// byte would be an SQL error instead of a clean INVALID_ARGUMENT.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace crm::validate {

inline constexpr size_t kMaxRequestIdLength = 64;

// INVALID_ARGUMENT naming `field` (default "request_id") when `id` breaks
// the rule; OK otherwise.
absl::Status ValidateRequestId(std::string_view id,
                               std::string_view field = "request_id");

}  // namespace crm::validate
