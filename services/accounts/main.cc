// crm-accounts: customers, contacts, public/private pools (port 50053).
#include "common/auth/token.h"
#include "common/client/client.h"
#include "common/config/config.h"
#include "common/db/migrations.h"
#include "common/db/pool.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/log/log.h"
#include "common/redis/redis_options.h"
#include "common/redis/redis_pool.h"
#include "common/server/server.h"
#include "services/accounts/accounts_config.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/accounts_service_events.h"
#include "services/accounts/accounts_service_recycle_job.h"

namespace crm {
const std::vector<db::Migration>& AccountsMigrations();
}

int main(int argc, char** argv) {
  using namespace crm;
  server::BlockTerminationSignals();
  ConfigReader config = ConfigReader::FromMain(argc, argv);
  server::ServerOptions server_options =
      server::ServerOptions::Read(config, "0.0.0.0:50053");
  db::DbOptions db_options = db::DbOptions::Read(config);
  redis::RedisOptions redis_options = redis::RedisOptions::Read(config);
  auto codec = auth::TokenCodec::FromConfig(config);
  accounts::AccountsSettings settings =
      accounts::AccountsSettings::Read(config);
  if (absl::Status s = config.Finish(); !s.ok())
    return server::ExitWithError(s, "config");
  if (!codec.ok()) return server::ExitWithError(codec.status(), "config");
  log::Info("starting crm-accounts", {{"config", config.Describe()}});

  auto pool = db::ConnectionPool::Create(db_options);
  if (!pool.ok()) return server::ExitWithError(pool.status(), "database");
  if (auto m = db::RunMigrations(**pool, AccountsMigrations()); !m.ok()) {
    return server::ExitWithError(m.status(), "migrations");
  }
  if (absl::Status s = events::EnsureEventTables(**pool); !s.ok()) {
    return server::ExitWithError(s, "event tables");
  }
  auto redis_pool = redis::RedisPool::Create(redis_options);
  if (!redis_pool.ok())
    return server::ExitWithError(redis_pool.status(), "redis");
  events::RelayOptions relay_options;
  relay_options.name = "accounts";
  events::OutboxRelay relay(*pool, redis_pool->get(), relay_options);

  std::shared_ptr<crm::identity::v1::IdentityService::StubInterface> identity =
      crm::identity::v1::IdentityService::NewStub(
          client::MakeChannel(settings.identity_addr));
  accounts::AccountsServiceImpl service(*pool, redis_pool->get(), identity,
                                        DefaultClock(), settings.service);
  server::ServiceHost host(server_options,
                           std::make_shared<const auth::TokenCodec>(*codec));
  host.AddService(&service);
  if (absl::Status s = host.Start(); !s.ok())
    return server::ExitWithError(s, "listen");
  relay.Start();
  // UserDeactivated (identity) and ContractSigned (orders), group "accounts".
  accounts::AccountsEventConsumers consumers(
      *pool, redis_pool->get(), DefaultClock(),
      settings.service.default_claim_rules);
  consumers.Start();
  // Pool recycling every 10 min under the Redis leader lock.
  accounts::RecycleJobOptions recycle_options;
  recycle_options.recycle.default_claim_rules =
      settings.service.default_claim_rules;
  accounts::RecycleJob recycle_job(*pool, redis_pool->get(), DefaultClock(),
                                   recycle_options);
  recycle_job.Start();
  host.RunUntilSignal();
  recycle_job.Stop();
  consumers.Stop();
  relay.Stop();
  return 0;
}
