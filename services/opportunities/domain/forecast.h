// Forecast math (seed 002: 销售看板, 预测下一阶段的销售结果): weighted
// pipeline, commit and best case per owner / team / region / month. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace crm::opportunities {

enum class ForecastGroup { kOwner = 1, kTeam = 2, kRegion = 3, kMonth = 4 };

// Open opportunities aggregated by (raw group value, currency, stage
// probability). `raw` is the owner id, the owner's org path or "YYYY-MM".
struct OpenCell {
  std::string raw;
  std::string currency;
  int probability_bp = 0;
  int64_t count = 0;
  int64_t amount_minor = 0;
};

// Won opportunities aggregated by (raw group value, currency).
struct WonCell {
  std::string raw;
  std::string currency;
  int64_t count = 0;
  int64_t amount_minor = 0;
};

struct ForecastLine {
  std::string key;
  std::string currency;
  int64_t open_count = 0;
  int64_t weighted_minor = 0;
  int64_t commit_minor = 0;
  int64_t best_case_minor = 0;
  int64_t won_minor = 0;
  int64_t won_count = 0;
};

// The group key of a raw value: OWNER and MONTH keep it; TEAM is the last
// unit of an org path ("/1/4/9/" -> "9"); REGION the unit right below the
// company root ("/1/4/9/" -> "4"; "/1/" -> "1").
std::string GroupKey(ForecastGroup g, const std::string& raw);

// weighted = floor(sum(amount) x probability_bp / 10000) per cell, summed;
// commit = amounts of cells with probability_bp >= threshold_bp;
// best case = all open amounts. Lines sorted by key, then currency.
std::vector<ForecastLine> ComputeForecast(ForecastGroup g,
                                          const std::vector<OpenCell>& open,
                                          const std::vector<WonCell>& won,
                                          int threshold_bp);

// Accounts grouped by their most advanced open opportunity stage.
struct AccountStage {
  int64_t account_id = 0;
  int stage = 0;  // the highest open stage index among its opportunities
};
struct StageAccounts {
  int stage = 0;
  int64_t count = 0;
  std::vector<int64_t> sample;  // smallest ids first, up to the limit
};
// One entry per open stage index 0..open_stages-1.
std::vector<StageAccounts> GroupAccountsByStage(std::vector<AccountStage> rows,
                                                int open_stages,
                                                int sample_limit);

}  // namespace crm::opportunities
