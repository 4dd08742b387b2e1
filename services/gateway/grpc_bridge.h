// JSON <-> gRPC for any unary RPC whose proto is linked into the binary,
// found by name in the generated descriptor pool: no code per RPC. The
// request JSON (proto3 JSON mapping) becomes the method's input message,
// which is sent as a generic call to the backend of the method's package;
// the reply (or the error) comes back as JSON.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/gateway/route.h"

namespace crm::gateway {

struct CallOptions {
  // The caller's "Authorization" header value, forwarded unchanged as the
  // "authorization" metadata (the backend verifies it). Empty: none.
  std::string authorization;
  // Becomes the backend call's deadline.
  absl::Duration timeout = absl::Seconds(10);
  // Forwarded as "x-forwarded-for" for the backends' logs.
  std::string client_ip;
};

struct BridgeReply {
  int http_status = 200;
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string body;  // JSON: the response message or an error body
};

class GrpcBridge {
 public:
  // `backends`: proto package ("crm.accounts.v1") -> "host:port". Channels
  // are made once here and connect lazily.
  explicit GrpcBridge(const std::map<std::string, std::string>& backends);

  // The method if it can be called through the gateway: NOT_FOUND when the
  // service or method is not linked into this binary or is internal
  // (Run*/Rebuild*; the same message as an unknown method, so the denylist
  // does not reveal what exists), UNIMPLEMENTED for streaming methods.
  static absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(
      std::string_view service, std::string_view method);

  // POST /v1/<service>/<method> with a JSON body ("" counts as "{}").
  BridgeReply CallJson(const RpcRoute& route, std::string_view json,
                       const CallOptions& options) const;

  // Calls `method` with an already built request (its type must be the
  // method's input type) and renders the reply as JSON.
  BridgeReply CallMessage(const google::protobuf::MethodDescriptor* method,
                          const google::protobuf::Message& request,
                          const CallOptions& options) const;

  // GET /v1/describe/<service>/<method>: the method's input and output
  // fields as JSON, so a client (the dashboard) can build a request from
  // the fields that exist:
  //   {"method": "...", "input": {"type": "...", "fields": [F...]},
  //    "output": {...}}
  // F = {"name", "jsonName", "type" ("int64", "string", "enum", "message",
  // ...), "repeated", "messageType"?, "enumValues"?, "fields"? (for nested
  // non-google messages, two levels deep)}. Errors as FindMethod.
  static BridgeReply Describe(std::string_view service,
                              std::string_view method);

  // New empty message of a linked type (nullptr if `type` is not linked).
  static std::unique_ptr<google::protobuf::Message> NewMessage(
      const google::protobuf::Descriptor* type);

 private:
  // The call itself, to the backend of `package` (UNAVAILABLE when none is
  // configured); the reply into `response` (the method's output type).
  grpc::Status CallBackend(const google::protobuf::MethodDescriptor* method,
                           const google::protobuf::Message& request,
                           const std::string& package,
                           const CallOptions& options,
                           google::protobuf::Message* response) const;
  // Packages several backends serve (shared_routes.h, ADR 0090): by the
  // request's entity_type; ListAudit by actor fans out and merges.
  BridgeReply CallShared(const google::protobuf::MethodDescriptor* method,
                         const google::protobuf::Message& request,
                         const CallOptions& options) const;
  BridgeReply ListAuditFanOut(const google::protobuf::MethodDescriptor* method,
                              const google::protobuf::Message& request,
                              const CallOptions& options) const;

  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

// An error reply for a status (gRPC code -> HTTP status, JSON body).
BridgeReply ErrorReply(grpc::StatusCode code, std::string_view message);
// A 200 reply with `response` as proto3 JSON (zero values printed).
BridgeReply RenderReply(const google::protobuf::Message& response);

}  // namespace crm::gateway
