#include "services/opportunities/domain/forecast.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_split.h"

namespace crm::opportunities {

std::string GroupKey(ForecastGroup g, const std::string& raw) {
  if (g == ForecastGroup::kOwner || g == ForecastGroup::kMonth) return raw;
  std::vector<std::string> parts = absl::StrSplit(raw, '/', absl::SkipEmpty());
  if (parts.empty()) return raw;
  if (g == ForecastGroup::kTeam) return parts.back();
  return parts.size() >= 2 ? parts[1] : parts[0];
}

std::vector<ForecastLine> ComputeForecast(ForecastGroup g,
                                          const std::vector<OpenCell>& open,
                                          const std::vector<WonCell>& won,
                                          int threshold_bp) {
  std::map<std::pair<std::string, std::string>, ForecastLine> lines;
  auto line = [&](const std::string& raw,
                  const std::string& currency) -> ForecastLine& {
    const std::string key = GroupKey(g, raw);
    ForecastLine& l = lines[{key, currency}];
    l.key = key;
    l.currency = currency;
    return l;
  };
  for (const OpenCell& c : open) {
    ForecastLine& l = line(c.raw, c.currency);
    l.open_count += c.count;
    l.best_case_minor += c.amount_minor;
    l.weighted_minor += static_cast<int64_t>(
        static_cast<__int128>(c.amount_minor) * c.probability_bp / 10000);
    if (c.probability_bp >= threshold_bp) l.commit_minor += c.amount_minor;
  }
  for (const WonCell& c : won) {
    ForecastLine& l = line(c.raw, c.currency);
    l.won_count += c.count;
    l.won_minor += c.amount_minor;
  }
  std::vector<ForecastLine> out;
  for (auto& [k, l] : lines) out.push_back(std::move(l));
  return out;
}

std::vector<StageAccounts> GroupAccountsByStage(std::vector<AccountStage> rows,
                                                int open_stages,
                                                int sample_limit) {
  // Keep each account's highest stage.
  std::map<int64_t, int> best;
  for (const AccountStage& r : rows) {
    auto [it, inserted] = best.emplace(r.account_id, r.stage);
    if (!inserted) it->second = std::max(it->second, r.stage);
  }
  std::vector<StageAccounts> out(std::max(open_stages, 0));
  for (int i = 0; i < open_stages; ++i) out[i].stage = i;
  for (const auto& [account, stage] : best) {  // ascending account ids
    if (stage < 0 || stage >= open_stages) continue;
    StageAccounts& s = out[stage];
    ++s.count;
    if (static_cast<int>(s.sample.size()) < sample_limit)
      s.sample.push_back(account);
  }
  return out;
}

}  // namespace crm::opportunities
