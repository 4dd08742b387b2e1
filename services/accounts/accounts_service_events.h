// The accounts service's event consumers (consumer group "accounts"):
//   "events:identity" UserDeactivated {user_id, org_unit_id, org_path,
//       deactivated_by}: every private account of the user moves to the
//       default public pool of its region, or, when configured
//       (deactivated_accounts_to = manager), to the nearest active sales
//       manager at or above the user's unit (the pool when there is none).
//       TRANSFER history entries, actor 0 = system, reason "owner
//       deactivated". Idempotent by construction (a second run finds
//       nothing owned) on top of the processed_events dedupe; identity
//       unreachable -> the event is retried.
//   "events:identity" OrgUnitMoved {org_unit_id, old_path, new_path}: every
//       stored org path under old_path (accounts.owner_org_path,
//       tasks.assignee_org_path, visits.user_org_path) moves under new_path,
//       so data scope follows the org tree (ADR 0014). Replays change
//       nothing (no path is left under the old prefix; a new prefix under
//       the old one is excluded).
//   "events:identity" UserOrgChanged {user_id, old_org_path, new_org_path,
//       ...}: the user's owned accounts, open tasks and visits take
//       new_org_path.
//   "events:orders" ContractSigned {contract_id, account_id, amount_minor,
//       currency, signed_at}: the account becomes SIGNED, first_signed_at is
//       its earliest signed contract (the first purchase makes a new
//       customer), signed_amount and tier are recomputed over the tier
//       window from signed_contracts (exact, and replay-safe: a contract id
//       counts once).
//       With end_date (YYYY-MM-DD) the contract protects the account from
//       recycling until that day.
//   "events:orders" InstallmentOverdue {contract_id, installment_id,
//       account_id, owner_id, owner_org_path, amount_due_minor, due_date,
//       days_overdue}: a "collection" task for the owner, once per
//       installment.
//   "events:opportunities" OpportunityCreated, OpportunityStageChanged with
//       kind "reopen", OpportunityWon, OpportunityLost {opportunity_id,
//       account_id}: the
//       opportunity's open state, which protects the account from recycling
//       and feeds the no_opportunity_days recycle condition.
//   "events:opportunities" OpportunityStale {opportunity_id, owner_id,
//       owner_org_path, account_id, opportunity_name, idle_days,
//       stale_since}: a "stale_opportunity" task for the owner, once per
//       opportunity and stale_since.
//   "events:tickets" TicketSlaEscalated {ticket_id, kind (near_breach |
//       breach), target (first_response | resolution), manager_path (the
//       support group's org path), due_at, account_id, type_key, priority,
//       ...}: a "ticket_escalation" task for the support manager -- the
//       nearest active support_manager at or above manager_path, asked of
//       identity (EscalateTicketsTo) -- once per ticket, target and kind
//       (dedupe key "ticket-sla:<ticket>:<target>:<kind>"). Due at the SLA
//       due time for a near breach, in an hour for a breach. No manager
//       found (or no lookup configured): logged and acknowledged.
// Other event types on these streams are ignored. Payloads that can never
// be applied (a field missing or of the wrong type, an unknown account) are
// logged and acknowledged, so they do not block the stream.
//
// Each handler runs inside the consumer's transaction (common/events
// consumer.h): effects and the processed_events row commit together.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/client/manager_lookup.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/events/consumer.h"
#include "common/redis/redis_pool.h"
#include "services/accounts/domain/pool_rules.h"

namespace crm::accounts {

inline constexpr char kEventsGroup[] = "accounts";
inline constexpr char kOwnerDeactivatedReason[] = "owner deactivated";
inline constexpr char kTaskTicketEscalation[] = "ticket_escalation";

class AccountsEventConsumers {
 public:
  // `redis` must outlive this. `consumer_name` identifies this replica in
  // the group ("" = "<hostname>-<pid>"). `default_rules` are the claim rules
  // of a region default pool created on first use.
  AccountsEventConsumers(std::shared_ptr<db::ConnectionPool> pool,
                         redis::RedisPool* redis,
                         std::shared_ptr<const Clock> clock,
                         ClaimRules default_rules,
                         std::string consumer_name = "");
  ~AccountsEventConsumers();

  // Hand a deactivated owner's accounts to their manager instead of the
  // pool (the lookup must outlive this).
  void HandOverToManager(client::ManagerLookup* lookup) { managers_ = lookup; }
  // Who gets ticket SLA escalations: a lookup of support managers (must
  // outlive this).
  void EscalateTicketsTo(client::ManagerLookup* lookup) {
    support_managers_ = lookup;
  }

  // Background polling of the streams; both idempotent.
  void Start();
  void Stop();

  // One non-blocking pass over every stream (tests, tools): entries
  // acknowledged.
  absl::StatusOr<int> PollOnce();

  events::StreamConsumer& identity() { return *identity_; }
  events::StreamConsumer& orders() { return *orders_; }
  events::StreamConsumer& opportunities() { return *opportunities_; }
  events::StreamConsumer& tickets() { return *tickets_; }

 private:
  absl::Status OnIdentity(const events::Event& e, db::Connection& tx);
  absl::Status OnOrgChange(const events::Event& e, db::Connection& tx);
  absl::Status OnOrders(const events::Event& e, db::Connection& tx);
  absl::Status OnInstallmentOverdue(const events::Event& e, db::Connection& tx);
  absl::Status OnOpportunities(const events::Event& e, db::Connection& tx);
  absl::Status OnOpportunityStale(const events::Event& e, db::Connection& tx);
  absl::Status OnTickets(const events::Event& e, db::Connection& tx);

  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
  ClaimRules default_rules_;
  client::ManagerLookup* managers_ = nullptr;
  client::ManagerLookup* support_managers_ = nullptr;
  std::unique_ptr<events::StreamConsumer> identity_;
  std::unique_ptr<events::StreamConsumer> opportunities_;
  std::unique_ptr<events::StreamConsumer> orders_;
  std::unique_ptr<events::StreamConsumer> tickets_;
};

}  // namespace crm::accounts
