// Pure request routing rules: which RPC a URL names, which RPCs are never
// exposed, and how a client asks for a deadline.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace crm::gateway {

struct RpcRoute {
  std::string service;  // full name, "crm.accounts.v1.AccountsService"
  std::string method;   // "GetAccount"
  std::string package;  // "crm.accounts.v1"
};

// "/v1/<package.Service>/<Method>" -> the route; nullopt for anything else
// (missing parts, a service without a package, characters outside
// [A-Za-z0-9_.] in the service or [A-Za-z0-9_] in the method, extra
// segments).
std::optional<RpcRoute> ParseRpcPath(std::string_view path);

// Internal admin RPCs the gateway never exposes: every method named Run* or
// Rebuild* (RunRecycle, RunStaleCheck, RunLeadRecycle, RunOverdueCheck,
// RunSlaCheck, RebuildLeaderboards, ...). "Run"/"Rebuild" must be followed by
// an upper-case letter or the end, so a method like "Rundown" is not caught.
bool IsInternalMethod(std::string_view method);

// A gRPC-style timeout ("grpc-timeout" header): 1-8 digits and a unit,
// H (hours), M (minutes), S (seconds), m (ms), u (us), n (ns). nullopt
// for anything else (empty, no unit, zero digits, too long).
std::optional<absl::Duration> ParseGrpcTimeout(std::string_view value);

// The token of an "Authorization: Bearer <token>" header value (the scheme
// case-insensitive); nullopt when the value is not a bearer token.
std::optional<std::string> BearerToken(std::string_view header);

}  // namespace crm::gateway
