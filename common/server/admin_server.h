// The admin HTTP port of every service (plain HTTP/1.1, cpp-httplib):
//
//   GET /metrics   Prometheus text format (RenderAllMetrics())
//   GET /healthz   200 "SERVING" while the gRPC health state is SERVING,
//                  503 "NOT_SERVING" otherwise (before start, while draining)
//
// It listens on `admin_listen` (ServerOptions), by default the gRPC listen
// host with the port + 1000 (50053 -> 51053). It serves no business data and
// needs no token; keep it off public networks (the Kubernetes
// NetworkPolicies only admit it from inside the namespace / monitoring).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

namespace crm::server {

class AdminServer {
 public:
  // Binds `listen` ("host:port", port 0 picks a free one) and serves on a
  // background thread. `serving` answers /healthz. UNAVAILABLE when the
  // address cannot be bound, INVALID_ARGUMENT when it is malformed.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(
      const std::string& listen, std::function<bool()> serving);

  ~AdminServer();  // stops the server and joins its thread
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  int port() const { return port_; }

 private:
  AdminServer() = default;

  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

// The default admin address for a gRPC `listen` address: same host, port +
// 1000. Empty (no admin port) when `listen` has port 0 or the result would
// exceed 65535.
std::string DefaultAdminListen(const std::string& listen);

}  // namespace crm::server
