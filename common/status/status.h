// Conversions between absl::Status (used across our layers) and grpc::Status
// (what clients see), plus the RETURN_IF_ERROR / ASSIGN_OR_RETURN macros.
#pragma once

#include <grpcpp/support/status.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace crm {

// Maps an absl::Status to the canonical gRPC status with the same code.
// INTERNAL, UNKNOWN and DATA_LOSS messages may carry driver text (SQL,
// hostnames); they are replaced by a generic message so nothing leaks to
// clients. The original is logged by the caller's request log.
grpc::Status ToGrpcStatus(const absl::Status& status);
// Error messages reaching clients are at most this long (UTF-8 safe cut,
// then "..."): they may quote input, and a hostile 4 MB field must not be
// echoed back in full.
inline constexpr size_t kMaxErrorMessageBytes = 1024;

// Maps a status returned by another service's stub back into absl::Status,
// keeping code and message (used when one service calls another).
absl::Status FromGrpcStatus(const grpc::Status& status);

// Builds INVALID_ARGUMENT naming the field and the rule it broke, the one
// shape every validation error in the suite uses: "<field>: <rule>".
absl::Status InvalidField(std::string_view field, std::string_view rule);

// Runs an RPC handler's body (a callable returning absl::Status) and maps
// its result with ToGrpcStatus: `return HandleRpc([&]() -> absl::Status
// {...});`
template <typename Fn>
grpc::Status HandleRpc(Fn&& fn) {
  return ToGrpcStatus(std::forward<Fn>(fn)());
}

}  // namespace crm

#define CRM_STATUS_CONCAT_INNER(a, b) a##b
#define CRM_STATUS_CONCAT(a, b) CRM_STATUS_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status crm_status_ = (expr);       \
    if (!crm_status_.ok()) return crm_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(CRM_STATUS_CONCAT(crm_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
