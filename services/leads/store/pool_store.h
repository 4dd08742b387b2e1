// Lead pools and the moves of a lead between a pool and an owner: claim,
// manual assignment, recycling. Every move is one transaction with its
// history row and (for assignments) the LeadAssigned event.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/leads/store/records.h"

namespace crm::leads {

// Gives the locked, open lead `cur` to `owner` (out of its pool if pooled):
// status ASSIGNED (the follow-up clock restarts), history `kind`, event
// LeadAssigned with `rule` ("claim", "manual", "rule:<id>").
absl::Status AssignOn(db::Connection& c, const LeadRecord& cur,
                      const Owner& owner, int64_t actor_id, HistoryKind kind,
                      int64_t rule_id, const std::string& rule,
                      const std::string& detail, absl::Time now);

// Open leads owned by each of `users`.
absl::StatusOr<MemberLoads> OpenLoadsOn(db::Connection& c,
                                        const std::vector<int64_t>& users);

class PoolStore {
 public:
  PoolStore(std::shared_ptr<db::ConnectionPool> pool,
            std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // The region's default pool, created on first use.
  absl::StatusOr<LeadPoolRecord> RegionDefault(const std::string& region);
  // Its id only (no lead count): what captures need.
  absl::StatusOr<int64_t> RegionDefaultId(const std::string& region);
  absl::StatusOr<LeadPoolRecord> Get(int64_t id);
  absl::StatusOr<LeadPoolRecord> Create(const LeadPoolRecord& p,
                                        const std::string& request_id);
  absl::StatusOr<std::vector<LeadPoolRecord>> List(const std::string& region);

  // A rep takes a pooled NEW lead of their region (ADR 0006's guarantee:
  // the conditional UPDATE decides). FAILED_PRECONDITION when the lead is
  // not pooled any more or belongs to another region.
  absl::StatusOr<LeadRecord> Claim(int64_t lead_id, const Owner& rep,
                                   const std::string& rep_region);

  // A manager's assignment of an open lead (pooled or owned).
  absl::StatusOr<LeadRecord> Assign(int64_t lead_id, const Owner& owner,
                                    int64_t actor_id,
                                    const std::string& reason);

  // In `c` (an event consumer's transaction): every open lead `from_user`
  // owns (ASSIGNED, CONTACTING, QUALIFIED) goes to the owner `successor`
  // names, status kept, with ASSIGN history and a LeadAssigned event; when
  // it names none, back to its region's pool as NEW with RECYCLE history.
  // `successor` is asked only if there is a lead to move; its error aborts.
  // `why` is the history detail. Returns the number moved.
  using Successor = std::function<absl::StatusOr<std::optional<Owner>>()>;
  absl::StatusOr<int64_t> HandOverOwnedOn(db::Connection& c, int64_t from_user,
                                          const Successor& successor,
                                          const std::string& why);

  // Moves every due lead (domain RecycleDue: not followed up within
  // `window` after assignment, as of `as_of`) back to its region's pool,
  // status NEW, with a RECYCLE history row. `between_batches` (may be
  // empty) runs after each batch of 200 and can stop the pass.
  absl::StatusOr<std::vector<int64_t>> Recycle(
      absl::Time as_of, absl::Duration window,
      const std::function<absl::Status()>& between_batches);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::leads
