// Funnel math (seed 000: 销售漏斗, where a conversion step goes wrong; seed
// 004: funnel conversion). Pure: the store aggregates rows with GROUP BY
// and hands the cells here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/opportunities/domain/pipeline.h"

namespace crm::opportunities {

// Opportunities of the cohort grouped by current stage index and highest
// open stage index ever reached.
struct FunnelCell {
  int stage = 0;
  int max_open_stage = 0;
  int64_t count = 0;
  int64_t amount_minor = 0;
};

// Completed stays in a stage (the opportunity left it), bucketed by whole
// hours spent there.
struct StayBucket {
  int stage = 0;
  int64_t hours = 0;
  int64_t count = 0;
};

struct FunnelStageResult {
  std::string code;
  StageKind kind = StageKind::kOpen;
  int64_t current_count = 0;
  int64_t current_amount_minor = 0;
  int64_t reached_count = 0;
  int conversion_to_next_bp = 0;
  double median_days_in_stage = 0;
  int64_t completed_stays = 0;
};

struct FunnelResult {
  std::vector<FunnelStageResult> stages;  // pipeline order
  int64_t total_count = 0;
  int win_rate_bp = 0;
};

// reached(open i) = opportunities now won, or whose max_open_stage >= i
// ("reached or went past"); reached(won) = won; reached(lost) = lost.
// conversion(open i) = reached(next open stage, or won after the last open
// one) / reached(i), in basis points rounded half up; 0 when reached(i) is
// 0 and for won/lost. win rate = won / total.
FunnelResult ComputeFunnel(const PipelineDef& p,
                           const std::vector<FunnelCell>& cells,
                           const std::vector<StayBucket>& stays);

// The bucket a stay of `hours` whole hours falls in (its lower bound):
// exact below 48 h, 6-hour buckets below 14 days, whole days beyond. The
// median is computed over these buckets, live or from the rollup.
int64_t StayBucketHours(int64_t hours);

// Ratio in basis points rounded half up; 0 when den is 0.
int RatioBp(int64_t num, int64_t den);

// Median of a multiset given as (value, count) pairs in any order; the
// mean of the two middle values for an even total; 0 when empty.
double MedianOf(std::vector<std::pair<int64_t, int64_t>> value_counts);

}  // namespace crm::opportunities
