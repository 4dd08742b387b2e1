// SQL for opportunities and their stage history. Every change goes
// through Mutate: lock the row, let the caller's planner (domain rules)
// compute the next state, then write the row, its history entry and its
// outbox events in one transaction.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "services/opportunities/store/records.h"

namespace crm::opportunities {

// The stream opportunities publishes to.
inline constexpr char kOpportunitiesService[] = "opportunities";

class OpportunityStore {
 public:
  OpportunityStore(std::shared_ptr<db::ConnectionPool> pool,
                   std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // Inserts `o` (stage, owner, timestamps filled by the caller) with its
  // "create" history entry. The same non-empty request_id returns the
  // opportunity created first.
  absl::StatusOr<OpportunityRecord> Create(const OpportunityRecord& o,
                                           const std::string& request_id);
  // NOT_FOUND "opportunity <id> not found".
  absl::StatusOr<OpportunityRecord> Get(int64_t id);
  absl::StatusOr<std::optional<OpportunityRecord>> FindByRequestId(
      const std::string& request_id);

  struct ListFilter {
    std::optional<int64_t> owner_id;
    std::string subtree_path;  // "" = no subtree filter
    std::optional<int64_t> pipeline_id;
    std::string stage_code;
    std::optional<OppStatus> status;
    std::string close_from, close_to;  // YYYY-MM-DD, "" = open
    std::optional<int64_t> amount_min, amount_max;
    std::optional<int64_t> account_id;
    int64_t after_id = 0;
    int limit = 50;
  };
  absl::StatusOr<std::vector<OpportunityRecord>> List(
      const ListFilter& f, const auth::SqlPredicate& visibility);

  struct Mutation {
    OpportunityRecord next;  // the whole new state
    std::optional<StageChangeRecord> change;
    std::vector<std::pair<std::string, nlohmann::json>> events;  // type, body
    // Why, in the audit entry of a change without a stage change (e.g. "the
    // owner was deactivated").
    std::string note;
  };
  // Gets the current row and the transaction's time; returns the mutation
  // or an error that aborts the transaction.
  using Planner = std::function<absl::StatusOr<Mutation>(
      const OpportunityRecord& current, absl::Time now)>;
  // Whether the caller may see a row (else NOT_FOUND, like a missing id).
  using Visible = std::function<bool(const OpportunityRecord&)>;
  // NOT_FOUND when the locked row is not `visible`; then ABORTED when
  // expected_version is not 0 and differs from the row's; then `plan`.
  absl::StatusOr<OpportunityRecord> Mutate(int64_t id, int64_t expected_version,
                                           const Visible& visible,
                                           const Planner& plan);
  // Mutate inside the caller's transaction `c` (an event consumer's).
  absl::StatusOr<OpportunityRecord> MutateOn(db::Connection& c, int64_t id,
                                             int64_t expected_version,
                                             const Visible& visible,
                                             const Planner& plan);

  // Ids of the open opportunities `owner_id` owns, by id.
  static absl::StatusOr<std::vector<int64_t>> OpenOwnedBy(db::Connection& c,
                                                          int64_t owner_id);

  // Oldest first, after history id `after_id`.
  absl::StatusOr<std::vector<StageChangeRecord>> History(int64_t opportunity_id,
                                                         int64_t after_id,
                                                         int limit);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

// The column list every opportunities SELECT uses, with alias "o".
extern const char kOpportunityColumns[];
OpportunityRecord OpportunityFromRow(const db::Row& r);

}  // namespace crm::opportunities
