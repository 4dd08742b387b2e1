#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "services/accounts/handler_util.h"

namespace crm::accounts {

bool IsManager(const auth::Principal& p) {
  return p.scope != auth::DataScope::kSelf;
}

absl::Status RequireManager(const auth::Principal& p, std::string_view what) {
  if (IsManager(p)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("only managers and admins may ", std::string(what)));
}

absl::Status ValidateReason(const std::string& reason) {
  if (reason.empty()) return InvalidField("reason", "required");
  if (reason.size() > 300)
    return InvalidField("reason", "must be at most 300 bytes");
  return absl::OkStatus();
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::StatusOr<absl::Time> ValidTime(const std::string& field,
                                     const google::protobuf::Timestamp& t) {
  if (t.seconds() <= 0 || t.seconds() > 253402300799 || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return InvalidField(field, "must be a valid time after 1970");
  }
  return FromTimestamp(t);
}

absl::Status NotFoundAccount(int64_t id) {
  return absl::NotFoundError(absl::StrCat("account ", id, " not found"));
}

}  // namespace crm::accounts
