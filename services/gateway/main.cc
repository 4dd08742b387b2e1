// crm-gateway: HTTP/JSON front door to every service's gRPC API, the
// public lead-capture endpoint and the dashboard page (port 8080). No
// schema: it needs only Redis (rate limits) and the token key (to verify
// tokens locally and mint its own service token).
#include <signal.h>

#include <atomic>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/auth/service_credentials.h"
#include "common/auth/token.h"
#include "common/config/config.h"
#include "common/log/log.h"
#include "common/redis/redis_options.h"
#include "common/redis/redis_pool.h"
#include "common/server/admin_server.h"
#include "common/server/server.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/http_server.h"

int main(int argc, char** argv) {
  using namespace crm;
  server::BlockTerminationSignals();
  ConfigReader config = ConfigReader::FromMain(argc, argv);
  gateway::GatewaySettings settings = gateway::GatewaySettings::Read(config);
  const std::string level = config.String("log_level", "info");
  if (!log::SetLevel(level))
    log::Warn("unknown log_level, using info", {{"log_level", level}});
  redis::RedisOptions redis_options = redis::RedisOptions::Read(config);
  absl::StatusOr<auth::TokenCodec> codec = auth::TokenCodec::FromConfig(config);
  // The admin port (/metrics, /healthz) that Kubernetes scrapes and probes;
  // "off" by default locally, where 8080 itself answers /healthz.
  const std::string admin_listen = config.String("admin_listen", "off");
  if (absl::Status s = config.Finish(); !s.ok())
    return server::ExitWithError(s, "crm-gateway");
  if (!codec.ok()) return server::ExitWithError(codec.status(), "crm-gateway");
  log::Info("starting crm-gateway", {{"config", config.Describe()}});

  absl::StatusOr<std::unique_ptr<redis::RedisPool>> redis =
      redis::RedisPool::Create(redis_options);
  if (!redis.ok()) return server::ExitWithError(redis.status(), "crm-gateway");
  auto tokens = std::make_shared<const auth::TokenCodec>(*codec);
  auto credentials =
      std::make_shared<auth::ServiceCredentials>(*codec, "gateway");

  gateway::GatewayServer gateway(settings, tokens, redis->get(), credentials);
  if (absl::Status s = gateway.Start(); !s.ok())
    return server::ExitWithError(s, "crm-gateway");
  std::atomic<bool> serving{true};
  std::unique_ptr<server::AdminServer> admin;
  if (admin_listen != "off" && !admin_listen.empty()) {
    absl::StatusOr<std::unique_ptr<server::AdminServer>> started =
        server::AdminServer::Start(admin_listen,
                                   [&] { return serving.load(); });
    if (!started.ok())
      return server::ExitWithError(started.status(), "crm-gateway");
    admin = *std::move(started);
  }

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("signal received, draining",
            {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  serving = false;
  gateway.Stop();
  return 0;
}
