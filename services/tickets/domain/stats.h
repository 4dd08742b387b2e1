// Ticket statistics (pure): per key (agent, group or type) the volume,
// first-response and resolution times (median and p90, nearest-rank on
// wall-clock seconds), breach rate and average satisfaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

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

// Nearest-rank percentile (0 < pct <= 100) of `values`; 0 when empty.
int64_t Percentile(std::vector<int64_t> values, int pct);

std::map<std::string, StatsSummary> Summarize(
    const std::vector<StatsInput>& rows);

}  // namespace crm::tickets
