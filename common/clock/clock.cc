#include "common/clock/clock.h"

namespace crm {

std::shared_ptr<const Clock> DefaultClock() {
  static const std::shared_ptr<const Clock> clock =
      std::make_shared<SystemClock>();
  return clock;
}

}  // namespace crm
