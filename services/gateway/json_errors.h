// The gateway's error body and the gRPC -> HTTP status mapping.
//
// Every error the gateway answers, whether it comes from a backend or from
// the gateway itself (bad path, rate limit, body too large), is the JSON
//   {"code": "INVALID_ARGUMENT", "message": "...", "http_status": 400}
// `code` is the canonical gRPC code name; `http_status` repeats the HTTP
// status so a client that only keeps the body still knows it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>

namespace crm::gateway {

// The canonical mapping (google/rpc/code.proto, as grpc-gateway uses it):
//   OK 200, CANCELLED 499, UNKNOWN 500, INVALID_ARGUMENT 400,
//   DEADLINE_EXCEEDED 504, NOT_FOUND 404, ALREADY_EXISTS 409,
//   PERMISSION_DENIED 403, RESOURCE_EXHAUSTED 429, FAILED_PRECONDITION 400,
//   ABORTED 409, OUT_OF_RANGE 400, UNIMPLEMENTED 501, INTERNAL 500,
//   UNAVAILABLE 503, DATA_LOSS 500, UNAUTHENTICATED 401.
int HttpStatusFor(grpc::StatusCode code);

// "INVALID_ARGUMENT" etc.; "UNKNOWN" for a value outside the enum.
std::string_view CodeName(grpc::StatusCode code);

// The error body with http_status = HttpStatusFor(code).
std::string ErrorJson(grpc::StatusCode code, std::string_view message);
// The error body with an explicit HTTP status (413 for a body too large,
// 405 for a wrong HTTP method), where no gRPC code maps to it exactly.
std::string ErrorJson(grpc::StatusCode code, std::string_view message,
                      int http_status);

}  // namespace crm::gateway
