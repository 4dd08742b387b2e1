#include "common/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/server/admin_server.h"
#include "common/server/request_interceptor.h"

namespace crm::server {

ServerOptions ServerOptions::Read(ConfigReader& config,
                                  const std::string& default_listen) {
  ServerOptions o;
  o.listen = config.String("listen", default_listen);
  // "auto": the listen host with port + 1000, best effort; an address set
  // explicitly must be bound; "off" (or empty): no admin port.
  o.admin_listen = config.String("admin_listen", "auto");
  if (o.admin_listen == "auto") {
    o.admin_listen = DefaultAdminListen(o.listen);
  } else if (o.admin_listen == "off") {
    o.admin_listen.clear();
  } else {
    o.admin_listen_required = !o.admin_listen.empty();
  }
  o.max_message_bytes = static_cast<int>(config.Int(
      "max_message_bytes", o.max_message_bytes, 1024, 256 * 1024 * 1024));
  o.shutdown_grace = config.Duration("shutdown_grace", o.shutdown_grace);
  o.drain_delay = config.Duration("drain_delay", absl::Seconds(5));
  const std::string level = config.String("log_level", "info");
  if (!log::SetLevel(level))
    log::Warn("unknown log_level, using info", {{"log_level", level}});
  return o;
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ServiceHost::ServiceHost(ServerOptions options,
                         std::shared_ptr<const auth::TokenCodec> tokens)
    : options_(std::move(options)), tokens_(std::move(tokens)) {}

ServiceHost::~ServiceHost() {
  if (server_) Shutdown();
}

void ServiceHost::AddService(grpc::Service* service) {
  services_.push_back(service);
}

absl::Status ServiceHost::Start() {
  // Debian's abseil is built without NDEBUG, so absl::Mutex (every lock in
  // gRPC) runs its debug deadlock detector: a graph update and a stack
  // trace per lock, a few percent of a busy server's CPU (ADR 0027).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, grpc::InsecureServerCredentials(),
                           &port_);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  builder.AddChannelArgument(
      GRPC_ARG_KEEPALIVE_TIME_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options_.keepalive_time)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Handlers block (database, other services), so a burst runs on as many
  // threads as calls. gRPC's default keeps only 2 idle threads: the rest
  // exit when the burst ends and are created again for the next one.
  // Thread churn was most of the CPU of concurrent CreateLeads (ADR 0027).
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
      options_.max_idle_threads);
  for (grpc::Service* s : services_) builder.RegisterService(s);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      factories;
  factories.push_back(std::make_unique<RequestInterceptorFactory>(
      tokens_, options_.public_methods));
  builder.experimental().SetInterceptorCreators(std::move(factories));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen));
  }
  if (!options_.admin_listen.empty()) {
    auto admin = AdminServer::Start(options_.admin_listen,
                                    [this] { return serving_.load(); });
    if (admin.ok()) {
      admin_ = std::move(*admin);
      log::Info("admin listening", {{"admin_listen", options_.admin_listen},
                                    {"admin_port", admin_->port()}});
    } else if (options_.admin_listen_required) {
      server_->Shutdown();
      server_->Wait();
      server_.reset();
      return admin.status();
    } else {
      log::Error("no admin port: /metrics and /healthz are unavailable",
                 {{"error", admin.status().ToString()}});
    }
  }
  SetServing(true);
  log::Info("listening", {{"address", address()}});
  return absl::OkStatus();
}

int ServiceHost::admin_port() const {
  return admin_ == nullptr ? 0 : admin_->port();
}

std::string ServiceHost::address() const {
  std::string host = options_.listen.substr(0, options_.listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  return absl::StrCat(host, ":", port_);
}

void ServiceHost::SetServing(bool serving) {
  if (server_ == nullptr) return;
  serving_.store(serving);
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health != nullptr) health->SetServingStatus(serving);
}

void ServiceHost::Shutdown() {
  if (server_ == nullptr) return;
  SetServing(false);
  log::Info("draining",
            {{"grace_ms", absl::ToInt64Milliseconds(options_.shutdown_grace)}});
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoNanoseconds(options_.shutdown_grace));
  server_->Wait();
  server_.reset();
  admin_.reset();
  log::Info("stopped");
}

void ServiceHost::Drain() {
  if (server_ == nullptr) return;
  if (options_.drain_delay > absl::ZeroDuration()) {
    // Health-checking clients stop picking this replica within a round
    // trip; readiness probes take it out of Services. Calls that still
    // arrive are served normally.
    SetServing(false);
    log::Info(
        "not serving; draining traffic away",
        {{"drain_delay_ms", absl::ToInt64Milliseconds(options_.drain_delay)}});
    absl::SleepFor(options_.drain_delay);
  }
  Shutdown();
}

void ServiceHost::RunUntilSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("signal received",
            {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  Drain();
}

int ExitWithError(const absl::Status& status, std::string_view what) {
  log::Error("startup failed",
             {{"what", std::string(what)}, {"error", status.ToString()}});
  return 1;
}

}  // namespace crm::server
