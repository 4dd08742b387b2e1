// Channel ROI arithmetic (seed 002: 渠道效果与ROI), pure. Money stays in
// integer minor units.
#pragma once

#include <cstdint>

namespace crm::leads {

// converted / valid, 0 when there are no valid leads.
double ConversionRate(int64_t converted, int64_t valid);

// cost / converted rounded half up to a minor unit; 0 when nothing
// converted (there is no cost per conversion without conversions).
int64_t CostPerConverted(int64_t cost_minor, int64_t converted);

}  // namespace crm::leads
