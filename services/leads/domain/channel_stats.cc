#include "services/leads/domain/channel_stats.h"

namespace crm::leads {

double ConversionRate(int64_t converted, int64_t valid) {
  if (valid <= 0) return 0.0;
  return static_cast<double>(converted) / static_cast<double>(valid);
}

int64_t CostPerConverted(int64_t cost_minor, int64_t converted) {
  if (converted <= 0) return 0;
  return (cost_minor + converted / 2) / converted;
}

}  // namespace crm::leads
