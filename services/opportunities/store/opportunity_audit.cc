#include "services/opportunities/store/opportunity_audit.h"

#include <optional>

#include "common/audit/audit.h"
#include "services/opportunities/opportunities_convert.h"

namespace crm::opportunities {

absl::Status AuditOpportunity(db::Connection& c, const std::string& action,
                              const OpportunityRecord* before,
                              const OpportunityRecord* after, absl::Time now,
                              const std::string& note) {
  std::optional<pb::Opportunity> b, a;
  if (before != nullptr) ToProto(*before, &b.emplace());
  if (after != nullptr) ToProto(*after, &a.emplace());
  const int64_t id = after != nullptr ? after->id : before->id;
  audit::AuditEntry e = audit::Change(
      "opportunity", id, action, b ? &*b : nullptr, a ? &*a : nullptr, now);
  e.note = note;
  return audit::Append(c, std::move(e));
}

}  // namespace crm::opportunities
