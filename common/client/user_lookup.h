// One user looked up in identity for a service's own check (an assignee, a
// new owner, a share grantee, a target's rep), with one mapping of
// identity's answers for every service:
//   - NOT_FOUND or PERMISSION_DENIED -> NOT_FOUND "user N not found": an id
//     the caller may not see is, for the caller, one that does not exist;
//   - other failures (UNAVAILABLE, a deadline, INVALID_ARGUMENT for an id
//     <= 0) as identity returned them, so callers retry the transient ones;
//   - a deactivated user -> FAILED_PRECONDITION "user N is deactivated",
//     unless `require_active` is false (a rep who left still has targets
//     and history).
// The caller prepares `call`: on behalf of its own caller (the callee
// applies that caller's data scope) or with the service's own token.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "crm/identity/v1/identity.grpc.pb.h"

namespace crm::client {

absl::StatusOr<crm::identity::v1::User> LookupUser(
    crm::identity::v1::IdentityService::StubInterface* identity,
    grpc::ClientContext* call, int64_t id, bool require_active = true);

}  // namespace crm::client
