// crm-identity: users, org tree, roles, login and tokens (port 50051).
#include "common/auth/token.h"
#include "common/config/config.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/log/log.h"
#include "common/redis/redis_options.h"
#include "common/redis/redis_pool.h"
#include "common/server/server.h"
#include "services/identity/identity_config.h"
#include "services/identity/identity_service.h"

namespace crm {
const std::vector<db::Migration>& IdentityMigrations();
}

int main(int argc, char** argv) {
  using namespace crm;
  server::BlockTerminationSignals();
  ConfigReader config = ConfigReader::FromMain(argc, argv);
  server::ServerOptions server_options =
      server::ServerOptions::Read(config, "0.0.0.0:50051");
  db::DbOptions db_options = db::DbOptions::Read(config);
  redis::RedisOptions redis_options = redis::RedisOptions::Read(config);
  auto codec = auth::TokenCodec::FromConfig(config);
  identity::IdentityConfig identity_config =
      identity::IdentityConfig::Read(config);
  if (absl::Status s = config.Finish(); !s.ok())
    return server::ExitWithError(s, "config");
  if (!codec.ok()) return server::ExitWithError(codec.status(), "config");
  log::Info("starting crm-identity", {{"config", config.Describe()}});

  auto pool = db::ConnectionPool::Create(db_options);
  if (!pool.ok()) return server::ExitWithError(pool.status(), "database");
  if (auto m = db::RunMigrations(**pool, IdentityMigrations()); !m.ok()) {
    return server::ExitWithError(m.status(), "migrations");
  }
  if (absl::Status s = events::EnsureEventTables(**pool); !s.ok()) {
    return server::ExitWithError(s, "event tables");
  }

  // Redis carries the events; the service starts while it is down (the pool
  // connects lazily) and the relay catches up once it is back.
  auto redis_pool = redis::RedisPool::Create(redis_options);
  if (!redis_pool.ok())
    return server::ExitWithError(redis_pool.status(), "redis");
  events::RelayOptions relay_options;
  relay_options.name = "identity";
  events::OutboxRelay relay(*pool, redis_pool->get(), relay_options);

  auto tokens = std::make_shared<const auth::TokenCodec>(*codec);
  identity::IdentityServiceImpl service(*pool, tokens, DefaultClock(),
                                        identity_config.sessions);
  if (!identity_config.bootstrap_admin_username.empty()) {
    if (absl::Status s =
            service.BootstrapAdmin(identity_config.bootstrap_company_name,
                                   identity_config.bootstrap_admin_username,
                                   identity_config.bootstrap_admin_password);
        !s.ok()) {
      return server::ExitWithError(s, "bootstrap admin");
    }
  }

  server_options.public_methods =
      identity::IdentityServiceImpl::PublicMethods();
  server::ServiceHost host(server_options, tokens);
  host.AddService(&service);
  if (absl::Status s = host.Start(); !s.ok())
    return server::ExitWithError(s, "listen");
  relay.Start();
  host.RunUntilSignal();
  relay.Stop();
  return 0;
}
