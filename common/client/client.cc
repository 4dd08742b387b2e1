#include "common/client/client.h"

#include <chrono>

namespace crm::client {

bool NamesReplicas(const std::string& address) {
  return address.find(',') != std::string::npos ||
         address.find(":///") != std::string::npos ||
         address.rfind("ipv4:", 0) == 0 || address.rfind("ipv6:", 0) == 0;
}

std::string ServiceConfigFor(const std::string& address) {
  // Client-side health checking (grpc.health.v1 Watch, overall status ""):
  // a replica that turned NOT_SERVING (SIGTERM, drain_delay) leaves the
  // rotation before it stops accepting calls (ADR 0096). Only for targets
  // that name the replicas: behind one ClusterIP address the one
  // connection's health would be that of whichever pod it landed on, and a
  // draining pod would fail every call instead of finishing them.
  if (NamesReplicas(address)) {
    return R"({"loadBalancingConfig":[{"round_robin":{}}],)"
           R"("healthCheckConfig":{"serviceName":""}})";
  }
  return R"({"loadBalancingConfig":[{"round_robin":{}}]})";
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  // A comma list of replicas ("10.0.0.5:50053,10.0.0.6:50053") becomes one
  // channel on the "ipv4:" resolver (ADR 0058).
  std::string target = address;
  if (address.find(',') != std::string::npos &&
      address.rfind("ipv4:", 0) != 0 && address.rfind("ipv6:", 0) != 0 &&
      address.rfind("dns:", 0) != 0) {
    target = "ipv4:" + address;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  // Peers are in the same cluster: after a restart they are back within
  // seconds, so do not back off for minutes (gRPC's default max is 120 s).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  // Spread calls over every address the target resolves to (a replica list,
  // or a headless Kubernetes Service); with one address it is pick-first.
  // A replica that drains (SIGTERM: GOAWAY) leaves the rotation.
  args.SetServiceConfigJSON(ServiceConfigFor(address));
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

void Prepare(grpc::ClientContext* context, const std::string& access_token,
             absl::Duration timeout) {
  if (!access_token.empty())
    context->AddMetadata("authorization", "Bearer " + access_token);
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoNanoseconds(timeout));
}

void PrepareOnBehalf(grpc::ClientContext* context,
                     const grpc::ServerContextBase& caller,
                     absl::Duration timeout) {
  Prepare(context, "", timeout);
  auto it = caller.client_metadata().find("authorization");
  if (it != caller.client_metadata().end()) {
    context->AddMetadata("authorization",
                         std::string(it->second.data(), it->second.size()));
  }
}

}  // namespace crm::client
