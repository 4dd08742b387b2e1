// Helpers shared by the AccountsService handlers (accounts_service*.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "google/protobuf/timestamp.pb.h"

namespace crm::accounts {

// Managers and admins: any data scope wider than the caller's own records.
bool IsManager(const auth::Principal& p);

// PERMISSION_DENIED "only managers and admins may <what>" unless IsManager.
absl::Status RequireManager(const auth::Principal& p, std::string_view what);

// A pool move's reason: required, at most 300 bytes.
absl::Status ValidateReason(const std::string& reason);

absl::Time FromTimestamp(const google::protobuf::Timestamp& t);

// `t` converted, or INVALID_ARGUMENT "<field>: must be a valid time after
// 1970" unless it lies in 1970-01-01T00:00:01Z..9999-12-31T23:59:59Z.
absl::StatusOr<absl::Time> ValidTime(const std::string& field,
                                     const google::protobuf::Timestamp& t);

// NOT_FOUND "account <id> not found".
absl::Status NotFoundAccount(int64_t id);

}  // namespace crm::accounts
