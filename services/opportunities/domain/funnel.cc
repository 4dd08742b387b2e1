#include "services/opportunities/domain/funnel.h"

#include <algorithm>

namespace crm::opportunities {

int64_t StayBucketHours(int64_t hours) {
  if (hours < 48) return hours;
  if (hours < 336) return hours - hours % 6;
  return hours - hours % 24;
}

int RatioBp(int64_t num, int64_t den) {
  if (den <= 0) return 0;
  __int128 v = (static_cast<__int128>(num) * 10000 + den / 2) / den;
  return static_cast<int>(v);
}

double MedianOf(std::vector<std::pair<int64_t, int64_t>> vc) {
  std::sort(vc.begin(), vc.end());
  int64_t total = 0;
  for (const auto& [v, c] : vc) total += c;
  if (total == 0) return 0;
  // 0-based ranks of the middle element(s).
  const int64_t lo_rank = (total - 1) / 2, hi_rank = total / 2;
  int64_t seen = 0;
  double lo = 0, hi = 0;
  bool have_lo = false;
  for (const auto& [v, c] : vc) {
    if (c <= 0) continue;
    if (!have_lo && lo_rank < seen + c) {
      lo = static_cast<double>(v);
      have_lo = true;
    }
    if (hi_rank < seen + c) {
      hi = static_cast<double>(v);
      break;
    }
    seen += c;
  }
  return (lo + hi) / 2;
}

FunnelResult ComputeFunnel(const PipelineDef& p,
                           const std::vector<FunnelCell>& cells,
                           const std::vector<StayBucket>& stays) {
  const int n = static_cast<int>(p.stages.size());
  const int won = p.WonIndex();
  FunnelResult r;
  r.stages.resize(n);
  for (int i = 0; i < n; ++i) {
    r.stages[i].code = p.stages[i].code;
    r.stages[i].kind = p.stages[i].kind;
  }
  for (const FunnelCell& c : cells) {
    if (c.stage < 0 || c.stage >= n) continue;
    r.total_count += c.count;
    r.stages[c.stage].current_count += c.count;
    r.stages[c.stage].current_amount_minor += c.amount_minor;
    for (int i = 0; i < n; ++i) {
      if (p.stages[i].kind == StageKind::kOpen) {
        if (c.stage == won || c.max_open_stage >= i)
          r.stages[i].reached_count += c.count;
      } else if (i == c.stage) {
        r.stages[i].reached_count += c.count;
      }
    }
  }
  for (int i = 0; i < n; ++i) {
    if (p.stages[i].kind != StageKind::kOpen) continue;
    // The next open stage, or won after the last open one.
    const int next =
        i + 1 < n && p.stages[i + 1].kind == StageKind::kOpen ? i + 1 : won;
    r.stages[i].conversion_to_next_bp =
        RatioBp(r.stages[next].reached_count, r.stages[i].reached_count);
  }
  r.win_rate_bp =
      won >= 0 ? RatioBp(r.stages[won].current_count, r.total_count) : 0;
  std::vector<std::vector<std::pair<int64_t, int64_t>>> per_stage(n);
  for (const StayBucket& s : stays) {
    if (s.stage < 0 || s.stage >= n) continue;
    per_stage[s.stage].push_back({StayBucketHours(s.hours), s.count});
    r.stages[s.stage].completed_stays += s.count;
  }
  for (int i = 0; i < n; ++i)
    r.stages[i].median_days_in_stage = MedianOf(per_stage[i]) / 24.0;
  return r;
}

}  // namespace crm::opportunities
