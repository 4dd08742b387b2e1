#include "services/tickets/tickets_sla_job.h"

#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/server/metrics.h"
#include "common/status/status.h"
#include "services/tickets/domain/sla_clock.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/store/history_store.h"
#include "services/tickets/store/ticket_store.h"
#include "services/tickets/tickets_convert.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {
namespace {

struct Escalation {
  int check_bit;
  int bits;
  const char* kind;    // near_breach | breach
  const char* target;  // first_response | resolution
  absl::Time due_at;
};

// The escalations a ticket needs at `as_of` (not yet filtered by the bits
// already set: MarkEscalated does that atomically).
std::vector<Escalation> Needed(const TicketRecord& r,
                               const pb::TicketType& type, absl::Time as_of) {
  const Hours hours = HoursOf(type);
  const int near = NearPercent(type);
  std::vector<Escalation> out;
  auto check = [&](const SlaClock& clock, int near_bit, int breach_bit,
                   const char* target) {
    const SlaState s = Evaluate(hours, clock, as_of, near);
    const absl::Time due = DueAt(hours, clock, as_of);
    if (s == SlaState::kBreached && !(r.escalated & breach_bit)) {
      // A breach also settles the near-breach: it is never raised later.
      out.push_back({breach_bit, breach_bit | near_bit, "breach", target, due});
    } else if (s == SlaState::kNearBreach && !(r.escalated & near_bit)) {
      out.push_back({near_bit, near_bit, "near_breach", target, due});
    }
  };
  if (!r.first_response_at.has_value()) {
    check(FirstResponseClock(r), kEscFirstNear, kEscFirstBreach,
          "first_response");
  }
  check(ResolutionClock(r), kEscResNear, kEscResBreach, "resolution");
  return out;
}

absl::StatusOr<SlaCheckResult> RunPass(
    db::ConnectionPool& pool, int batch, absl::Time as_of, absl::Time now,
    const std::function<absl::Status()>& between) {
  SlaCheckResult result;
  std::map<std::string, pb::TicketType> types;
  {
    ASSIGN_OR_RETURN(auto conn, pool.Borrow());
    ASSIGN_OR_RETURN(auto all, config_store::AllTypes(*conn));
    for (const auto& [key, json] : all) {
      ASSIGN_OR_RETURN(types[key], TypeFromJson(json));
    }
  }
  int64_t after = 0;
  while (true) {
    std::vector<TicketRecord> page;
    {
      ASSIGN_OR_RETURN(auto conn, pool.Borrow());
      ASSIGN_OR_RETURN(page, ticket_store::OpenBatch(*conn, after, batch));
    }
    for (const TicketRecord& r : page) {
      after = r.id;
      auto type = types.find(r.type_key);
      if (type == types.end()) continue;
      for (const Escalation& e : Needed(r, type->second, as_of)) {
        const bool breach = std::string(e.kind) == "breach";
        ASSIGN_OR_RETURN(
            bool raised,
            db::RunInTransactionFor<bool>(
                pool, [&](db::Connection& c) -> absl::StatusOr<bool> {
                  ASSIGN_OR_RETURN(
                      bool won, ticket_store::MarkEscalated(
                                    c, r.id, e.check_bit, e.bits, breach, now));
                  if (!won) return false;
                  const std::string due = absl::FormatTime(
                      absl::RFC3339_sec, e.due_at, absl::UTCTimeZone());
                  RETURN_IF_ERROR(history_store::Append(
                      c, {0, r.id, 0, breach ? "sla_breach" : "sla_near_breach",
                          absl::StrCat(e.target, " due ", due), now}));
                  nlohmann::json payload = {
                      {"ticket_id", r.id},
                      {"kind", e.kind},
                      {"target", e.target},
                      {"group_id", r.group_id},
                      {"assignee_id", r.assignee_id.value_or(0)},
                      {"manager_path", r.group_org_path},
                      {"due_at", due},
                      {"type_key", r.type_key},
                      {"priority", r.priority},
                      {"account_id", r.account_id}};
                  RETURN_IF_ERROR(
                      events::AppendToOutbox(c, events::StreamFor(kServiceName),
                                             "TicketSlaEscalated",
                                             absl::StrCat(r.id), payload, now)
                          .status());
                  return true;
                }));
        if (raised) ++(breach ? result.breached : result.near_breach);
      }
    }
    if (static_cast<int>(page.size()) < batch) return result;
    if (between) RETURN_IF_ERROR(between());
  }
}

}  // namespace

absl::StatusOr<std::optional<SlaCheckResult>> RunSlaUnderLock(
    db::ConnectionPool& pool, redis::RedisPool* redis,
    const SlaJobOptions& options, absl::Time as_of, absl::Time now) {
  if (redis == nullptr) return RunPass(pool, options.batch, as_of, now, {});
  redis::DistributedLock locks(redis);
  ASSIGN_OR_RETURN(std::optional<redis::LockHandle> lock,
                   locks.TryAcquire(kSlaLockKey, options.lock_ttl));
  if (!lock.has_value()) return std::nullopt;
  absl::StatusOr<SlaCheckResult> r =
      RunPass(pool, options.batch, as_of, now, [&]() -> absl::Status {
        ASSIGN_OR_RETURN(bool ours, lock->Extend(options.lock_ttl));
        if (!ours) return absl::AbortedError("lost the SLA leader lock");
        return absl::OkStatus();
      });
  (void)lock->Release();
  if (!r.ok()) return r.status();
  return std::optional<SlaCheckResult>(*r);
}

SlaJob::SlaJob(std::shared_ptr<db::ConnectionPool> pool,
               redis::RedisPool* redis, std::shared_ptr<const Clock> clock,
               SlaJobOptions options)
    : pool_(std::move(pool)),
      redis_(redis),
      clock_(std::move(clock)),
      options_(options) {}

SlaJob::~SlaJob() { Stop(); }

void SlaJob::Start() {
  loop_.Start([this] {
    while (true) {
      const absl::Time now = clock_->Now();
      const absl::Time started = absl::Now();
      auto ran = RunSlaUnderLock(*pool_, redis_, options_, now, now);
      server::RecordJobRun("tickets_sla",
                           !ran.ok()           ? "error"
                           : !ran->has_value() ? "skipped"
                                               : "ok",
                           absl::Now() - started);
      if (!ran.ok()) {
        log::Warn("tickets: SLA check failed",
                  {{"error", ran.status().ToString()}});
      }
      if (!loop_.WaitFor(options_.interval)) return;
    }
  });
}

void SlaJob::Stop() { loop_.Stop(); }

}  // namespace crm::tickets
