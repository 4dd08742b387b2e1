// Everything a service's main() does besides its own part: read the common
// settings, connect MySQL (migrations, event tables) and Redis, run the
// outbox relay, serve until SIGTERM, drain, stop background work. The
// admin port (/metrics with the pools' gauges, /healthz) comes with Serve().
//
//   int main(int argc, char** argv) {
//     crm::service::ServiceRuntime rt(argc, argv, "accounts", "0.0.0.0:50053");
//     auto settings = MySettings::Read(rt.config());
//     if (absl::Status s = rt.Open(MyMigrations()); !s.ok()) return rt.Fail(s);
//     MyService service(rt.db(), rt.redis(), ...);
//     return rt.Serve({&service}, {}, {});
//   }
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/auth/service_credentials.h"
#include "common/auth/token.h"
#include "common/config/config.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/events/relay.h"
#include "common/redis/redis_options.h"
#include "common/redis/redis_pool.h"
#include "common/server/metrics.h"
#include "common/server/server.h"

namespace crm::service {

// Background work started once the server listens and stopped after it
// drained (in reverse order): jobs, consumers.
struct Background {
  std::function<void()> start;
  std::function<void()> stop;
};

class ServiceRuntime {
 public:
  // Blocks SIGTERM/SIGINT (before any thread starts) and reads listen, db_*,
  // redis_*, token_key, log_level. Read the service's own settings from
  // config() before Open().
  ServiceRuntime(int argc, char** argv, std::string name,
                 std::string default_listen);
  ~ServiceRuntime();

  ConfigReader& config() { return config_; }

  // Rejects bad configuration (all problems at once), connects the
  // database, applies `migrations` and the event tables, prepares Redis and
  // the outbox relay.
  absl::Status Open(const std::vector<db::Migration>& migrations);

  const std::shared_ptr<db::ConnectionPool>& db() const { return db_; }
  redis::RedisPool* redis() const { return redis_.get(); }
  const std::shared_ptr<const auth::TokenCodec>& tokens() const {
    return tokens_;
  }
  // This service's own token source, for calls no user made (ADR 0007).
  const std::shared_ptr<auth::ServiceCredentials>& service_credentials() const {
    return service_credentials_;
  }

  // Serves until SIGTERM/SIGINT, then drains; returns the exit code.
  int Serve(const std::vector<grpc::Service*>& services,
            std::set<std::string> public_methods,
            const std::vector<Background>& background);

  // Logs a start-up failure; returns the exit code for main().
  int Fail(const absl::Status& status) const;

 private:
  std::string name_;
  ConfigReader config_;
  server::ServerOptions server_options_;
  db::DbOptions db_options_;
  redis::RedisOptions redis_options_;
  absl::StatusOr<auth::TokenCodec> codec_;
  std::shared_ptr<const auth::TokenCodec> tokens_;
  std::shared_ptr<auth::ServiceCredentials> service_credentials_;
  std::shared_ptr<db::ConnectionPool> db_;
  std::unique_ptr<redis::RedisPool> redis_;
  std::unique_ptr<events::OutboxRelay> relay_;
  // Pool gauges on /metrics; declared last so it unregisters first.
  server::MetricsRegistry::Registration pool_metrics_;
};

// Scrape-time gauges of a service's pools (crm_db_pool_connections{state},
// crm_db_pool_max_connections, crm_redis_pool_connections{state},
// crm_redis_pool_max_connections). Either pool may be null. The pools must
// outlive the returned registration.
server::MetricsRegistry::Registration RegisterPoolMetrics(
    server::MetricsRegistry& registry, const std::string& service,
    const db::ConnectionPool* db, const redis::RedisPool* redis);

}  // namespace crm::service
