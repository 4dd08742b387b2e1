#include "services/opportunities/domain/stale_rules.h"

namespace crm::opportunities {

StaleDecision DecideStale(absl::Time last_activity, int stale_days,
                          std::optional<absl::Time> alerted_for,
                          absl::Time as_of) {
  StaleDecision d;
  d.stale_since = last_activity + absl::Hours(24) * stale_days;
  d.idle_days = as_of > last_activity
                    ? absl::ToInt64Hours(as_of - last_activity) / 24
                    : 0;
  d.alert = stale_days > 0 && as_of >= d.stale_since &&
            (!alerted_for.has_value() || *alerted_for != last_activity);
  return d;
}

int EffectiveStaleDays(int pipeline_days, int default_days) {
  return pipeline_days > 0 ? pipeline_days : default_days;
}

}  // namespace crm::opportunities
