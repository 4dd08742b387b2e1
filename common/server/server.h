// Server bootstrap shared by every service's main.cc (and by in-process
// integration tests): health service, reflection, the request interceptor
// (auth, logging, metrics), message size and keepalive limits, and a
// graceful drain on SIGTERM/SIGINT.
//
//   crm::server::BlockTerminationSignals();   // first thing in main()
//   ServiceHost host(options, tokens);
//   host.AddService(&my_service);
//   RETURN_IF_ERROR(host.Start());
//   host.RunUntilSignal();
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/auth/token.h"
#include "common/config/config.h"

namespace crm::server {

class AdminServer;

struct ServerOptions {
  std::string listen;  // "host:port"; port 0 picks a free one (tests)
  int max_message_bytes = 16 * 1024 * 1024;
  // In-flight calls get this long to finish after SIGTERM; then they are
  // cancelled.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // After SIGTERM the health status is NOT_SERVING for this long while the
  // server keeps serving every call, so health-checking clients (ADR 0096)
  // and Kubernetes readiness move traffic away before Shutdown() refuses
  // new calls. 0 (the default here, for in-process tests) shuts down at
  // once; Read() defaults to 5s, the Kubernetes preStop sleep.
  absl::Duration drain_delay = absl::ZeroDuration();
  absl::Duration keepalive_time = absl::Seconds(30);
  // Handler threads kept waiting for calls between bursts (gRPC's
  // MAX_POLLERS; its default, 2, makes every burst create its threads
  // anew). Idle threads cost a stack each, no CPU.
  int max_idle_threads = 64;
  // Full method names callable without a token (besides health/reflection).
  std::set<std::string> public_methods;
  // The admin HTTP port (/metrics, /healthz; admin_server.h). Empty: none.
  std::string admin_listen;
  // When false (the address was derived, not configured) a failure to bind
  // the admin port is logged and the service runs without it.
  bool admin_listen_required = false;

  // Reads listen (default `default_listen`), admin_listen ("auto", the
  // default: listen's host with port + 1000, not required; "off": none; an
  // address: required), max_message_bytes, shutdown_grace, drain_delay
  // (default 5s), log_level.
  static ServerOptions Read(ConfigReader& config,
                            const std::string& default_listen);
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it
// starts later, so RunUntilSignal() can wait for them synchronously. Call it
// before anything starts threads.
void BlockTerminationSignals();

class ServiceHost {
 public:
  ServiceHost(ServerOptions options,
              std::shared_ptr<const auth::TokenCodec> tokens);
  ~ServiceHost();

  // Services are not owned; they must outlive the host.
  void AddService(grpc::Service* service);
  absl::Status Start();
  int port() const { return port_; }
  std::string address() const;
  // The admin HTTP port, 0 when there is none.
  int admin_port() const;
  // What /healthz reports: true between Start() and Shutdown().
  bool serving() const { return serving_.load(); }

  // Flips the overall health status (and each service's).
  void SetServing(bool serving);
  // NOT_SERVING, then waits up to the grace period for in-flight calls.
  void Shutdown();
  // NOT_SERVING, keeps serving for drain_delay, then Shutdown().
  void Drain();
  // Waits for SIGTERM/SIGINT (see BlockTerminationSignals), then Drain().
  void RunUntilSignal();

 private:
  ServerOptions options_;
  std::shared_ptr<const auth::TokenCodec> tokens_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<AdminServer> admin_;
  std::atomic<bool> serving_{false};
  int port_ = 0;
};

// For main(): logs a start-up failure and returns the process exit code.
int ExitWithError(const absl::Status& status, std::string_view what);

}  // namespace crm::server
