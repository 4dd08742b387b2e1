#include "services/accounts/accounts_service_events.h"

#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/accounts/store/owner_release_store.h"
#include "services/accounts/store/pool_store.h"
#include "services/accounts/store/tier_store.h"

namespace crm::accounts {
namespace {

std::string DefaultConsumerName() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(host[0] ? host : "accounts", "-", getpid());
}

// An integer field: a JSON number or a decimal string.
std::optional<int64_t> IntField(const nlohmann::json& p, const char* name) {
  if (!p.is_object() || !p.contains(name)) return std::nullopt;
  const nlohmann::json& v = p[name];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    int64_t out = 0;
    if (absl::SimpleAtoi(v.get<std::string>(), &out)) return out;
  }
  return std::nullopt;
}

// A string id: a JSON string or integer.
std::optional<std::string> IdField(const nlohmann::json& p, const char* name) {
  if (!p.is_object() || !p.contains(name)) return std::nullopt;
  const nlohmann::json& v = p[name];
  if (v.is_string() && !v.get<std::string>().empty() &&
      v.get<std::string>().size() <= 64)
    return v.get<std::string>();
  if (v.is_number_integer()) return absl::StrCat(v.get<int64_t>());
  return std::nullopt;
}

// Logs an event that can never be applied; it is acknowledged.
absl::Status Skip(const events::Event& e, std::string_view why) {
  log::Warn("accounts: event skipped", {{"event_id", e.event_id},
                                        {"type", e.type},
                                        {"stream", e.stream},
                                        {"reason", std::string(why)}});
  return absl::OkStatus();
}

}  // namespace

AccountsEventConsumers::AccountsEventConsumers(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, ClaimRules default_rules,
    std::string consumer_name)
    : pool_(std::move(pool)),
      clock_(std::move(clock)),
      default_rules_(default_rules) {
  if (consumer_name.empty()) consumer_name = DefaultConsumerName();
  events::ConsumerOptions o;
  o.group = kEventsGroup;
  o.consumer = consumer_name;
  o.stream = events::StreamFor("identity");
  identity_ = std::make_unique<events::StreamConsumer>(
      pool_, redis, o,
      [this](const events::Event& e, db::Connection& tx) {
        return OnIdentity(e, tx);
      },
      clock_);
  o.stream = events::StreamFor("orders");
  orders_ = std::make_unique<events::StreamConsumer>(
      pool_, redis, o,
      [this](const events::Event& e, db::Connection& tx) {
        return OnOrders(e, tx);
      },
      clock_);
}

AccountsEventConsumers::~AccountsEventConsumers() { Stop(); }

void AccountsEventConsumers::Start() {
  identity_->Start();
  orders_->Start();
}

void AccountsEventConsumers::Stop() {
  identity_->Stop();
  orders_->Stop();
}

absl::StatusOr<int> AccountsEventConsumers::PollOnce() {
  ASSIGN_OR_RETURN(int a, identity_->PollOnce());
  ASSIGN_OR_RETURN(int b, orders_->PollOnce());
  return a + b;
}

absl::Status AccountsEventConsumers::OnIdentity(const events::Event& e,
                                                db::Connection& tx) {
  if (e.type != "UserDeactivated") return absl::OkStatus();
  std::optional<int64_t> user = IntField(e.payload, "user_id");
  if (!user.has_value() || *user <= 0)
    return Skip(e, "user_id: required, a positive integer");
  ASSIGN_OR_RETURN(std::vector<std::string> regions, OwnedRegions(tx, *user));
  PoolStore pools(pool_, clock_, default_rules_);
  const absl::Time now = clock_->Now();
  int64_t moved = 0;
  for (const std::string& region : regions) {
    // The default pool is created (once, in its own transaction) if the
    // region has none yet.
    ASSIGN_OR_RETURN(PoolRecord target, pools.RegionDefault(region));
    ASSIGN_OR_RETURN(int64_t n,
                     MoveOwnedToPool(tx, *user, region, target.id, /*actor=*/0,
                                     kOwnerDeactivatedReason, now));
    moved += n;
  }
  log::Info("accounts: owner deactivated, accounts returned to public pools",
            {{"user", *user}, {"moved", moved}, {"event_id", e.event_id}});
  return absl::OkStatus();
}

absl::Status AccountsEventConsumers::OnOrders(const events::Event& e,
                                              db::Connection& tx) {
  if (e.type != "ContractSigned") return absl::OkStatus();
  TierStore::SignedContract s;
  std::optional<std::string> contract = IdField(e.payload, "contract_id");
  if (!contract.has_value())
    return Skip(e, "contract_id: required, 1..64 characters");
  s.contract_id = *contract;
  std::optional<int64_t> account = IntField(e.payload, "account_id");
  if (!account.has_value() || *account <= 0)
    return Skip(e, "account_id: required, a positive integer");
  s.account_id = *account;
  std::optional<int64_t> amount = IntField(e.payload, "amount_minor");
  if (!amount.has_value() || *amount < 0)
    return Skip(e, "amount_minor: required, not negative");
  s.amount_minor = *amount;
  s.currency = "CNY";
  if (e.payload.contains("currency")) {
    if (!e.payload["currency"].is_string() ||
        e.payload["currency"].get<std::string>().size() != 3)
      return Skip(e, "currency: a 3-letter code");
    s.currency = e.payload["currency"].get<std::string>();
  }
  s.signed_at = e.occurred_at;
  if (e.payload.contains("signed_at")) {
    if (!e.payload["signed_at"].is_string() ||
        !events::ParseOccurredAt(e.payload["signed_at"].get<std::string>(),
                                 &s.signed_at))
      return Skip(e, "signed_at: an RFC 3339 time");
  }
  s.event_id = e.event_id;
  absl::StatusOr<AccountRecord> a =
      TierStore::ApplySigned(tx, s, clock_->Now());
  if (absl::IsNotFound(a.status())) return Skip(e, "account not found");
  if (!a.ok()) return a.status();
  log::Info("accounts: contract signed",
            {{"account", a->id},
             {"contract", s.contract_id},
             {"signed_amount_minor", a->signed_amount_minor},
             {"tier", static_cast<int>(a->tier)},
             {"event_id", e.event_id}});
  return absl::OkStatus();
}

}  // namespace crm::accounts
