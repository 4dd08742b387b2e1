// Ticket statistics (pure): per key (agent, group or type) the volume,
// first-response and resolution times (median and p90, nearest-rank),
// breach rate and average satisfaction. Times are business seconds on the
// ticket type's SLA clocks -- the same clocks as SLA monitoring: only
// business hours count and time waiting on the customer (or sitting
// resolved before a reopen) is excluded (ADR 0065).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/tickets/domain/sla_clock.h"

namespace crm::tickets {

struct StatsInput {
  std::string key;
  std::optional<int64_t> first_response_seconds;
  std::optional<int64_t> resolution_seconds;
  bool breached = false;
  int satisfaction = 0;  // 0 = unrated
};

struct StatsSummary {
  int64_t volume = 0;
  int64_t first_response_median = 0;
  int64_t first_response_p90 = 0;
  int64_t resolution_median = 0;
  int64_t resolution_p90 = 0;
  double breach_rate = 0;
  double satisfaction_avg = 0;
  int64_t rated = 0;
};

// One ticket's stats row on its SLA clocks at `now`: a time is the business
// seconds used when its clock stopped (absent while it runs); breached
// when the ticket was marked breached by monitoring or either clock has
// used its whole budget by `now` (so a breach is counted even before the
// next SLA pass).
StatsInput Measure(std::string key, const Hours& hours,
                   const SlaClock& first_response, const SlaClock& resolution,
                   bool marked_breached, int satisfaction, absl::Time now);

// Nearest-rank percentile (0 < pct <= 100) of `values`; 0 when empty.
int64_t Percentile(std::vector<int64_t> values, int pct);

std::map<std::string, StatsSummary> Summarize(
    const std::vector<StatsInput>& rows);

}  // namespace crm::tickets
