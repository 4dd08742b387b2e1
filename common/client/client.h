// Calling another service (or a test calling a server): one way to make a
// channel, attach the caller's token and set a deadline.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace crm::client {

// An insecure channel (in-cluster traffic; TLS terminates at the mesh or
// ingress) with keepalive and the suite's message size limit. `address` is
// "host:port", a comma list of "ip:port" replicas, or any gRPC target
// ("dns:///crm-accounts:50053"); calls are balanced round-robin over every
// address it resolves to (ADR 0058).
// Targets that name several replicas (a comma list, "ipv4:"/"ipv6:", or a
// scheme such as "dns:///") also get gRPC client-side health checking:
// round_robin skips a replica whose grpc.health.v1 status is not SERVING
// (a draining one, ADR 0096). A plain "host:port" (e.g. a ClusterIP
// Service) does not.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

// The channel's service config JSON for `address` (exposed for tests).
std::string ServiceConfigFor(const std::string& address);
bool NamesReplicas(const std::string& address);

// Adds "authorization: Bearer <token>" (when non-empty) and a deadline.
void Prepare(grpc::ClientContext* context, const std::string& access_token,
             absl::Duration timeout = absl::Seconds(10));

// For a service calling another on behalf of its caller: forwards the
// caller's "authorization" metadata, so the callee applies the caller's own
// data scope, and sets a deadline.
void PrepareOnBehalf(grpc::ClientContext* context,
                     const grpc::ServerContextBase& caller,
                     absl::Duration timeout = absl::Seconds(5));

}  // namespace crm::client
