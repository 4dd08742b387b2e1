#include "common/client/user_lookup.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::client {

namespace idpb = crm::identity::v1;

absl::StatusOr<idpb::User> LookupUser(
    idpb::IdentityService::StubInterface* identity, grpc::ClientContext* call,
    int64_t id, bool require_active) {
  if (identity == nullptr)
    return absl::UnavailableError("identity service not configured");
  idpb::GetUserRequest req;
  req.set_id(id);
  idpb::User user;
  absl::Status s = FromGrpcStatus(identity->GetUser(call, req, &user));
  if (absl::IsNotFound(s) || absl::IsPermissionDenied(s))
    return absl::NotFoundError(absl::StrCat("user ", id, " not found"));
  if (!s.ok()) return s;
  if (require_active && user.status() != idpb::USER_STATUS_ACTIVE) {
    return absl::FailedPreconditionError(
        absl::StrCat("user ", id, " is deactivated"));
  }
  return user;
}

}  // namespace crm::client
