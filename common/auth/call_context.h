// The verified caller of an in-flight RPC.
//
// The request interceptor (common/server) verifies the bearer token once,
// when the call's metadata arrives, and records the outcome here keyed by
// the call's ServerContext. Handlers then ask CallerOf(context) instead of
// parsing metadata again.
#pragma once

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"

namespace crm::auth {

// UNAUTHENTICATED (with the reason recorded by the interceptor) when the call
// carries no valid token.
absl::StatusOr<Principal> CallerOf(const grpc::ServerContextBase* context);

// Used by the interceptor.
void RecordCaller(const grpc::ServerContextBase* context,
                  absl::StatusOr<Principal> caller);
void ForgetCaller(const grpc::ServerContextBase* context);

// Extracts the token from "authorization: Bearer <token>" metadata; empty
// when absent or not a bearer token.
std::string BearerToken(std::string_view authorization_header);

}  // namespace crm::auth
