#include "services/tickets/domain/stats.h"

#include <algorithm>

namespace crm::tickets {

StatsInput Measure(std::string key, const Hours& hours,
                   const SlaClock& first_response, const SlaClock& resolution,
                   bool marked_breached, int satisfaction, absl::Time now) {
  StatsInput s;
  s.key = std::move(key);
  if (first_response.stopped != absl::InfiniteFuture()) {
    s.first_response_seconds =
        UsedSeconds(hours, first_response, first_response.stopped);
  }
  if (resolution.stopped != absl::InfiniteFuture()) {
    s.resolution_seconds = UsedSeconds(hours, resolution, resolution.stopped);
  }
  s.breached = marked_breached ||
               UsedSeconds(hours, first_response, now) >=
                   first_response.budget_seconds ||
               UsedSeconds(hours, resolution, now) >= resolution.budget_seconds;
  s.satisfaction = satisfaction;
  return s;
}

int64_t Percentile(std::vector<int64_t> values, int pct) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  // nearest rank: ceil(pct/100 * n), 1-based
  const size_t n = values.size();
  size_t rank = (static_cast<size_t>(pct) * n + 99) / 100;
  if (rank < 1) rank = 1;
  return values[std::min(rank, n) - 1];
}

std::map<std::string, StatsSummary> Summarize(
    const std::vector<StatsInput>& rows) {
  struct Acc {
    std::vector<int64_t> first, resolution;
    int64_t volume = 0, breached = 0, rated = 0, stars = 0;
  };
  std::map<std::string, Acc> acc;
  for (const StatsInput& r : rows) {
    Acc& a = acc[r.key];
    ++a.volume;
    if (r.first_response_seconds) a.first.push_back(*r.first_response_seconds);
    if (r.resolution_seconds) a.resolution.push_back(*r.resolution_seconds);
    if (r.breached) ++a.breached;
    if (r.satisfaction > 0) {
      ++a.rated;
      a.stars += r.satisfaction;
    }
  }
  std::map<std::string, StatsSummary> out;
  for (const auto& [key, a] : acc) {
    StatsSummary s;
    s.volume = a.volume;
    s.first_response_median = Percentile(a.first, 50);
    s.first_response_p90 = Percentile(a.first, 90);
    s.resolution_median = Percentile(a.resolution, 50);
    s.resolution_p90 = Percentile(a.resolution, 90);
    s.breach_rate = static_cast<double>(a.breached) / a.volume;
    s.rated = a.rated;
    s.satisfaction_avg =
        a.rated > 0 ? static_cast<double>(a.stars) / a.rated : 0;
    out[key] = s;
  }
  return out;
}

}  // namespace crm::tickets
