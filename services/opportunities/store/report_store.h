// Aggregating SQL behind GetFunnel, GetForecast and GetAccountsByStage.
// Each query is one GROUP BY over a covering index (ADR 0012); the math
// on the groups is in domain/funnel and domain/forecast.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/data_scope.h"
#include "common/db/pool.h"
#include "services/opportunities/domain/forecast.h"
#include "services/opportunities/domain/funnel.h"

namespace crm::opportunities {

// Which owners a report covers: the caller's data scope AND (optionally)
// an org subtree.
struct ReportScope {
  auth::SqlPredicate visibility;  // on columns o.owner_id / o.owner_org_path
  std::string subtree_path;       // "" = the whole scope
  // The same predicate on the daily rollups (alias r), for scopes that do
  // not filter by owner id (managers, bosses, admins). Unset: the funnel
  // reads the live tables only (reps: their few rows by owner_id).
  std::optional<auth::SqlPredicate> rollup_visibility;
  // The scope spans the company or a region: the partial periods around
  // the rollups are read by time rather than by org prefix.
  bool wide = false;
};

class ReportStore {
 public:
  explicit ReportStore(std::shared_ptr<db::ConnectionPool> pool)
      : pool_(std::move(pool)) {}

  // Opportunities of `pipeline_id` created in [from, to): whole UTC days
  // from funnel_daily when the scope allows, the partial days at either
  // end (or everything, for reps) from opportunities.
  absl::StatusOr<std::vector<FunnelCell>> FunnelCells(int64_t pipeline_id,
                                                      const ReportScope& s,
                                                      absl::Time from,
                                                      absl::Time to);
  // Stays in a stage of `pipeline_id` that ended in [from, to): whole
  // months from stay_monthly, the partial months from stage_history (as
  // above).
  absl::StatusOr<std::vector<StayBucket>> StayBuckets(int64_t pipeline_id,
                                                      const ReportScope& s,
                                                      absl::Time from,
                                                      absl::Time to);
  // Open opportunities expected to close in [close_from, close_to]
  // (YYYY-MM-DD, inclusive).
  absl::StatusOr<std::vector<OpenCell>> ForecastOpen(
      ForecastGroup g, const ReportScope& s, std::optional<int64_t> pipeline_id,
      const std::string& close_from, const std::string& close_to);
  // Opportunities won on a day in [close_from, close_to].
  absl::StatusOr<std::vector<WonCell>> ForecastWon(
      ForecastGroup g, const ReportScope& s, std::optional<int64_t> pipeline_id,
      const std::string& close_from, const std::string& close_to);
  // (account, highest open stage) for accounts with open opportunities of
  // the pipeline, by account id; at most `cap` rows.
  absl::StatusOr<std::vector<AccountStage>> AccountStages(int64_t pipeline_id,
                                                          const ReportScope& s,
                                                          int cap);

 private:
  // `by_time`: force the creation-time (ending-time) index, for the short
  // edge periods around the rollups.
  absl::StatusOr<std::vector<FunnelCell>> LiveCells(int64_t pipeline_id,
                                                    const ReportScope& s,
                                                    absl::Time from,
                                                    absl::Time to,
                                                    bool by_time);
  absl::StatusOr<std::vector<StayBucket>> LiveStays(int64_t pipeline_id,
                                                    const ReportScope& s,
                                                    absl::Time from,
                                                    absl::Time to,
                                                    bool by_time);
  std::shared_ptr<db::ConnectionPool> pool_;
};

}  // namespace crm::opportunities
