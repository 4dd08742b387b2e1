#include "services/leads/store/lead_audit.h"

#include <optional>

#include "common/audit/audit.h"
#include "services/leads/proto_convert.h"

namespace crm::leads {

audit::AuditEntry LeadAuditEntry(const std::string& action,
                                 const LeadRecord* before,
                                 const LeadRecord* after, absl::Time now,
                                 const std::string& note) {
  std::optional<crm::leads::v1::Lead> b, a;
  if (before != nullptr) ToProto(*before, &b.emplace());
  if (after != nullptr) ToProto(*after, &a.emplace());
  const int64_t id = after != nullptr ? after->id : before->id;
  audit::AuditEntry e = audit::Change("lead", id, action, b ? &*b : nullptr,
                                      a ? &*a : nullptr, now);
  e.note = note;
  return e;
}

absl::Status AuditLead(db::Connection& c, const std::string& action,
                       const LeadRecord* before, const LeadRecord* after,
                       absl::Time now, const std::string& note) {
  return audit::Append(c, LeadAuditEntry(action, before, after, now, note));
}

}  // namespace crm::leads
