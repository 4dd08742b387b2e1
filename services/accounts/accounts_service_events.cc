#include "services/accounts/accounts_service_events.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/events/payload.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/accounts/store/org_path_store.h"
#include "services/accounts/store/owner_release_store.h"
#include "services/accounts/store/pool_store.h"
#include "services/accounts/store/protection_store.h"
#include "services/accounts/store/task_store.h"
#include "services/accounts/store/tier_store.h"

namespace crm::accounts {
namespace {

using events::IdField;
using events::IntField;

// Logs an event that can never be applied; it is acknowledged.
absl::Status Skip(const events::Event& e, std::string_view why) {
  log::Warn("accounts: event skipped", {{"event_id", e.event_id},
                                        {"type", e.type},
                                        {"stream", e.stream},
                                        {"reason", std::string(why)}});
  return absl::OkStatus();
}

// A materialized org path: "/" ids "/" ... "/", at most 512 bytes (the
// column width).
std::optional<std::string> OrgPath(const nlohmann::json& payload,
                                   const char* name) {
  std::optional<std::string> s = events::StringField(payload, name);
  if (!s.has_value() || s->size() < 3 || s->size() > 512 || s->front() != '/' ||
      s->back() != '/' || s->find("//") != std::string::npos)
    return std::nullopt;
  return s;
}

}  // namespace

AccountsEventConsumers::AccountsEventConsumers(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<const Clock> clock, ClaimRules default_rules,
    std::string consumer_name)
    : pool_(std::move(pool)),
      clock_(std::move(clock)),
      default_rules_(default_rules) {
  if (consumer_name.empty())
    consumer_name = events::DefaultConsumerName("accounts");
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
  o.stream = events::StreamFor("opportunities");
  opportunities_ = std::make_unique<events::StreamConsumer>(
      pool_, redis, o,
      [this](const events::Event& e, db::Connection& tx) {
        return OnOpportunities(e, tx);
      },
      clock_);
  o.stream = events::StreamFor("orders");
  orders_ = std::make_unique<events::StreamConsumer>(
      pool_, redis, o,
      [this](const events::Event& e, db::Connection& tx) {
        return OnOrders(e, tx);
      },
      clock_);
  o.stream = events::StreamFor("tickets");
  tickets_ = std::make_unique<events::StreamConsumer>(
      pool_, redis, o,
      [this](const events::Event& e, db::Connection& tx) {
        return OnTickets(e, tx);
      },
      clock_);
}

AccountsEventConsumers::~AccountsEventConsumers() { Stop(); }

void AccountsEventConsumers::Start() {
  identity_->Start();
  opportunities_->Start();
  orders_->Start();
  tickets_->Start();
}

void AccountsEventConsumers::Stop() {
  identity_->Stop();
  opportunities_->Stop();
  orders_->Stop();
  tickets_->Stop();
}

absl::StatusOr<int> AccountsEventConsumers::PollOnce() {
  ASSIGN_OR_RETURN(int a, identity_->PollOnce());
  ASSIGN_OR_RETURN(int b, opportunities_->PollOnce());
  ASSIGN_OR_RETURN(int c, orders_->PollOnce());
  ASSIGN_OR_RETURN(int d, tickets_->PollOnce());
  return a + b + c + d;
}

absl::Status AccountsEventConsumers::OnIdentity(const events::Event& e,
                                                db::Connection& tx) {
  if (e.type == "OrgUnitMoved" || e.type == "UserOrgChanged")
    return OnOrgChange(e, tx);
  if (e.type != "UserDeactivated") return absl::OkStatus();
  std::optional<int64_t> user = IntField(e.payload, "user_id");
  if (!user.has_value() || *user <= 0)
    return Skip(e, "user_id: required, a positive integer");
  const absl::Time now = clock_->Now();
  std::optional<std::string> path = events::StringField(e.payload, "org_path");
  if (managers_ != nullptr && path.has_value() && !path->empty()) {
    ASSIGN_OR_RETURN(std::optional<client::Manager> manager,
                     managers_->NearestManager(*path, *user));
    if (manager.has_value()) {
      ASSIGN_OR_RETURN(
          int64_t n,
          MoveOwnedToOwner(tx, *user, manager->user_id, manager->org_path, 0,
                           kOwnerDeactivatedReason, now));
      log::Info("accounts: owner deactivated, accounts handed to manager",
                {{"user", *user},
                 {"manager", manager->user_id},
                 {"moved", n},
                 {"event_id", e.event_id}});
      return absl::OkStatus();
    }
  }
  ASSIGN_OR_RETURN(std::vector<std::string> regions, OwnedRegions(tx, *user));
  PoolStore pools(pool_, clock_, default_rules_);
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

absl::Status AccountsEventConsumers::OnOrgChange(const events::Event& e,
                                                 db::Connection& tx) {
  if (e.type == "OrgUnitMoved") {
    std::optional<std::string> old_path = OrgPath(e.payload, "old_path");
    std::optional<std::string> new_path = OrgPath(e.payload, "new_path");
    if (!old_path.has_value() || !new_path.has_value())
      return Skip(e, "old_path, new_path: required org paths");
    ASSIGN_OR_RETURN(RepathCounts n, RepathSubtree(tx, *old_path, *new_path));
    log::Info("accounts: org unit moved, re-pathed",
              {{"accounts", n.accounts},
               {"tasks", n.tasks},
               {"visits", n.visits},
               {"event_id", e.event_id}});
    return absl::OkStatus();
  }
  std::optional<int64_t> user = IntField(e.payload, "user_id");
  if (!user.has_value() || *user <= 0)
    return Skip(e, "user_id: required, a positive integer");
  std::optional<std::string> new_path = OrgPath(e.payload, "new_org_path");
  if (!new_path.has_value()) return Skip(e, "new_org_path: required org path");
  ASSIGN_OR_RETURN(RepathCounts n, RepathUser(tx, *user, *new_path));
  log::Info("accounts: user changed unit, re-pathed",
            {{"user", *user},
             {"accounts", n.accounts},
             {"tasks", n.tasks},
             {"visits", n.visits},
             {"event_id", e.event_id}});
  return absl::OkStatus();
}

absl::Status AccountsEventConsumers::OnOrders(const events::Event& e,
                                              db::Connection& tx) {
  if (e.type == "InstallmentOverdue") return OnInstallmentOverdue(e, tx);
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
  if (e.payload.contains("end_date")) {
    std::optional<std::string> end = events::StringField(e.payload, "end_date");
    absl::Time parsed;
    std::string err;
    if (!end.has_value() ||
        !absl::ParseTime("%Y-%m-%d", *end, absl::UTCTimeZone(), &parsed, &err))
      return Skip(e, "end_date: a date YYYY-MM-DD");
    s.end_date = *end;
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

absl::Status AccountsEventConsumers::OnOpportunities(const events::Event& e,
                                                     db::Connection& tx) {
  // A reopen is an OpportunityStageChanged of kind "reopen".
  const bool opened =
      e.type == "OpportunityCreated" ||
      (e.type == "OpportunityStageChanged" &&
       events::StringField(e.payload, "kind").value_or("") == "reopen");
  const bool closed = e.type == "OpportunityWon" || e.type == "OpportunityLost";
  if (e.type == "OpportunityStale") return OnOpportunityStale(e, tx);
  if (!opened && !closed) return absl::OkStatus();
  std::optional<int64_t> opp = IntField(e.payload, "opportunity_id");
  if (!opp.has_value() || *opp <= 0)
    return Skip(e, "opportunity_id: required, a positive integer");
  std::optional<int64_t> account = IntField(e.payload, "account_id");
  if (!account.has_value() || *account <= 0)
    return Skip(e, "account_id: required, a positive integer");
  return ProtectionStore::ApplyOpportunity(tx, *opp, *account, opened,
                                           e.occurred_at);
}

absl::Status AccountsEventConsumers::OnOpportunityStale(const events::Event& e,
                                                        db::Connection& tx) {
  std::optional<int64_t> opp = IntField(e.payload, "opportunity_id");
  std::optional<int64_t> owner = IntField(e.payload, "owner_id");
  std::optional<std::string> path =
      events::StringField(e.payload, "owner_org_path");
  if (!opp.has_value() || *opp <= 0)
    return Skip(e, "opportunity_id: required, a positive integer");
  if (!owner.has_value() || *owner <= 0)
    return Skip(e, "owner_id: required, a positive integer");
  if (!path.has_value() || path->empty())
    return Skip(e, "owner_org_path: required");
  const std::string name =
      events::StringField(e.payload, "opportunity_name").value_or("");
  const int64_t idle = IntField(e.payload, "idle_days").value_or(0);
  const std::string since =
      events::StringField(e.payload, "stale_since").value_or(e.event_id);
  TaskRecord t;
  t.assignee_id = *owner;
  t.assignee_org_path = *path;
  t.title = absl::StrCat("Opportunity ", name.empty() ? "" : name + " ", "#",
                         *opp, " has had no progress for ", idle, " days");
  if (t.title.size() > 200) t.title.resize(200);
  std::optional<int64_t> account = IntField(e.payload, "account_id");
  if (account.has_value() && *account > 0) t.account_id = *account;
  const absl::Time now = clock_->Now();
  t.due_at = now + absl::Hours(24);
  t.kind = kTaskStaleOpportunity;
  t.dedupe_key = absl::StrCat("stale-opp:", *opp, ":", since).substr(0, 64);
  return InsertTaskOn(tx, t, now).status();
}

absl::Status AccountsEventConsumers::OnInstallmentOverdue(
    const events::Event& e, db::Connection& tx) {
  std::optional<std::string> installment = IdField(e.payload, "installment_id");
  std::optional<std::string> contract = IdField(e.payload, "contract_id");
  std::optional<int64_t> owner = IntField(e.payload, "owner_id");
  std::optional<std::string> path =
      events::StringField(e.payload, "owner_org_path");
  if (!installment.has_value()) return Skip(e, "installment_id: required");
  if (!contract.has_value()) return Skip(e, "contract_id: required");
  if (!owner.has_value() || *owner <= 0)
    return Skip(e, "owner_id: required, a positive integer");
  if (!path.has_value() || path->empty())
    return Skip(e, "owner_org_path: required");
  const int64_t due_minor = IntField(e.payload, "amount_due_minor").value_or(0);
  TaskRecord t;
  t.assignee_id = *owner;
  t.assignee_org_path = *path;
  t.title = absl::StrCat(
      "Collect ", due_minor / 100, ".",
      absl::Dec(due_minor % 100, absl::kZeroPad2), " overdue on contract ",
      *contract, " (installment ", *installment, ", due ",
      events::StringField(e.payload, "due_date").value_or("?"), ")");
  if (t.title.size() > 200) t.title.resize(200);
  std::optional<int64_t> account = IntField(e.payload, "account_id");
  if (account.has_value() && *account > 0) t.account_id = *account;
  const absl::Time now = clock_->Now();
  t.due_at = now + absl::Hours(24);
  t.kind = kTaskCollection;
  t.dedupe_key = absl::StrCat("collect:", *installment).substr(0, 64);
  return InsertTaskOn(tx, t, now).status();
}

absl::Status AccountsEventConsumers::OnTickets(const events::Event& e,
                                               db::Connection& tx) {
  if (e.type != "TicketSlaEscalated") return absl::OkStatus();
  std::optional<int64_t> ticket = IntField(e.payload, "ticket_id");
  const std::string kind = events::StringField(e.payload, "kind").value_or("");
  const std::string target =
      events::StringField(e.payload, "target").value_or("");
  std::optional<std::string> path = OrgPath(e.payload, "manager_path");
  if (!ticket.has_value() || *ticket <= 0)
    return Skip(e, "ticket_id: required, a positive integer");
  if (kind != "near_breach" && kind != "breach")
    return Skip(e, "kind: near_breach or breach");
  if (target != "first_response" && target != "resolution")
    return Skip(e, "target: first_response or resolution");
  if (!path.has_value()) return Skip(e, "manager_path: required org path");
  if (support_managers_ == nullptr)
    return Skip(e, "no support-manager lookup configured");
  ASSIGN_OR_RETURN(std::optional<client::Manager> manager,
                   support_managers_->NearestManager(*path, 0));
  if (!manager.has_value())
    return Skip(e, "no active support manager at or above the group");
  const absl::Time now = clock_->Now();
  const std::string due_text =
      events::StringField(e.payload, "due_at").value_or("");
  TaskRecord t;
  t.assignee_id = manager->user_id;
  t.assignee_org_path = manager->org_path;
  t.title = absl::StrCat(
      "Ticket #", *ticket,
      kind == "breach" ? " breached" : " is near breaching", " its ",
      target == "first_response" ? "first-response" : "resolution", " SLA",
      due_text.empty() ? "" : absl::StrCat(" (due ", due_text, ")"));
  if (t.title.size() > 200) t.title.resize(200);
  std::optional<int64_t> account = IntField(e.payload, "account_id");
  if (account.has_value() && *account > 0) t.account_id = *account;
  absl::Time sla_due;
  t.due_at = now + absl::Hours(1);
  if (kind == "near_breach" && events::ParseOccurredAt(due_text, &sla_due) &&
      sla_due > now)
    t.due_at = sla_due;
  t.kind = kTaskTicketEscalation;
  t.dedupe_key = absl::StrCat("ticket-sla:", *ticket, ":", target, ":", kind)
                     .substr(0, 64);
  ASSIGN_OR_RETURN(bool added, InsertTaskOn(tx, t, now));
  log::Info("accounts: ticket SLA escalated to the support manager",
            {{"ticket", *ticket},
             {"kind", kind},
             {"target", target},
             {"manager", manager->user_id},
             {"task_added", added},
             {"event_id", e.event_id}});
  return absl::OkStatus();
}

}  // namespace crm::accounts
