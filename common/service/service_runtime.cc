#include "common/service/service_runtime.h"

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace crm::service {

ServiceRuntime::ServiceRuntime(int argc, char** argv, std::string name,
                               std::string default_listen)
    : name_(std::move(name)),
      config_((server::BlockTerminationSignals(),
               ConfigReader::FromMain(argc, argv))),
      server_options_(server::ServerOptions::Read(config_, default_listen)),
      db_options_(db::DbOptions::Read(config_)),
      redis_options_(redis::RedisOptions::Read(config_)),
      codec_(auth::TokenCodec::FromConfig(config_)) {}

ServiceRuntime::~ServiceRuntime() {
  if (relay_) relay_->Stop();
}

absl::Status ServiceRuntime::Open(
    const std::vector<db::Migration>& migrations) {
  RETURN_IF_ERROR(config_.Finish());
  if (!codec_.ok()) return codec_.status();
  tokens_ = std::make_shared<const auth::TokenCodec>(*codec_);
  service_credentials_ =
      std::make_shared<auth::ServiceCredentials>(*codec_, name_);
  log::Info(absl::StrCat("starting crm-", name_),
            {{"config", config_.Describe()}});
  ASSIGN_OR_RETURN(db_, db::ConnectionPool::Create(db_options_));
  RETURN_IF_ERROR(db::RunMigrations(*db_, migrations).status());
  RETURN_IF_ERROR(events::EnsureEventTables(*db_));
  // The pool connects lazily: a service starts while Redis is down, and the
  // relay catches up once it is back.
  ASSIGN_OR_RETURN(redis_, redis::RedisPool::Create(redis_options_));
  events::RelayOptions relay_options;
  relay_options.name = name_;
  relay_ =
      std::make_unique<events::OutboxRelay>(db_, redis_.get(), relay_options);
  pool_metrics_ = RegisterPoolMetrics(server::MetricsRegistry::Global(), name_,
                                      db_.get(), redis_.get());
  return absl::OkStatus();
}

int ServiceRuntime::Serve(const std::vector<grpc::Service*>& services,
                          std::set<std::string> public_methods,
                          const std::vector<Background>& background) {
  server_options_.public_methods = std::move(public_methods);
  server::ServiceHost host(server_options_, tokens_);
  for (grpc::Service* s : services) host.AddService(s);
  if (absl::Status s = host.Start(); !s.ok()) return Fail(s);
  relay_->Start();
  for (const Background& b : background) b.start();
  host.RunUntilSignal();
  for (auto it = background.rbegin(); it != background.rend(); ++it) it->stop();
  relay_->Stop();
  return 0;
}

server::MetricsRegistry::Registration RegisterPoolMetrics(
    server::MetricsRegistry& registry, const std::string& service,
    const db::ConnectionPool* db, const redis::RedisPool* redis) {
  registry.GaugeSet("crm_service_info",
                    "Always 1; labels name the service in this process.",
                    {{"service", service}}, 1);
  return registry.AddCollector([db, redis] {
    std::vector<server::GaugeSample> out;
    if (db != nullptr) {
      const db::ConnectionPool::Stats s = db->stats();
      const char* help =
          "MySQL connections of the pool by state (in_use: lent to a "
          "request or job; idle: open and free).";
      out.push_back({"crm_db_pool_connections",
                     help,
                     {{"state", "in_use"}},
                     static_cast<double>(s.borrowed)});
      out.push_back({"crm_db_pool_connections",
                     help,
                     {{"state", "idle"}},
                     static_cast<double>(s.idle)});
      out.push_back({"crm_db_pool_max_connections",
                     "db_pool_size: the most connections the pool opens; "
                     "borrowers wait (db_borrow_timeout) beyond it.",
                     {},
                     static_cast<double>(db->options().pool_size)});
      out.push_back({"crm_db_pool_waiters",
                     "Callers blocked right now waiting for a free MySQL "
                     "connection.",
                     {},
                     static_cast<double>(s.waiters)});
      out.push_back({"crm_db_pool_waits_total",
                     "Borrows that found no free MySQL connection and waited.",
                     {},
                     static_cast<double>(s.waits_total),
                     /*counter=*/true});
      out.push_back({"crm_db_pool_wait_seconds_total",
                     "Total time borrowers spent waiting for a MySQL "
                     "connection.",
                     {},
                     absl::ToDoubleSeconds(s.wait_time_total),
                     /*counter=*/true});
      out.push_back({"crm_db_pool_borrow_timeouts_total",
                     "Borrows that gave up after db_borrow_timeout "
                     "(RESOURCE_EXHAUSTED).",
                     {},
                     static_cast<double>(s.timeouts_total),
                     /*counter=*/true});
    }
    if (redis != nullptr) {
      const redis::RedisPool::Stats s = redis->stats();
      const char* help = "Redis connections of the pool by state.";
      out.push_back({"crm_redis_pool_connections",
                     help,
                     {{"state", "in_use"}},
                     static_cast<double>(s.open - s.idle)});
      out.push_back({"crm_redis_pool_connections",
                     help,
                     {{"state", "idle"}},
                     static_cast<double>(s.idle)});
      out.push_back({"crm_redis_pool_max_connections",
                     "redis_pool_size: the most connections the pool opens.",
                     {},
                     static_cast<double>(redis->options().pool_size)});
    }
    return out;
  });
}

int ServiceRuntime::Fail(const absl::Status& status) const {
  return server::ExitWithError(status, absl::StrCat("crm-", name_));
}

}  // namespace crm::service
