#include "services/leads/domain/status_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::leads {

const char* StatusName(LeadStatus s) {
  switch (s) {
    case LeadStatus::kNew:
      return "NEW";
    case LeadStatus::kAssigned:
      return "ASSIGNED";
    case LeadStatus::kContacting:
      return "CONTACTING";
    case LeadStatus::kQualified:
      return "QUALIFIED";
    case LeadStatus::kConverted:
      return "CONVERTED";
    case LeadStatus::kInvalid:
      return "INVALID";
  }
  return "UNKNOWN";
}

bool IsOpen(LeadStatus s) {
  return s != LeadStatus::kConverted && s != LeadStatus::kInvalid;
}

absl::Status CheckStatusChange(LeadStatus from, LeadStatus to,
                               const std::string& reason) {
  switch (to) {
    case LeadStatus::kContacting:
    case LeadStatus::kQualified:
    case LeadStatus::kInvalid:
      break;
    case LeadStatus::kNew:
    case LeadStatus::kAssigned:
      return InvalidField("status",
                          "NEW and ASSIGNED come from the pool (ClaimLead, "
                          "AssignLead, recycling)");
    case LeadStatus::kConverted:
      return InvalidField("status", "CONVERTED comes from ConvertLead");
    default:
      return InvalidField("status", "unknown status");
  }
  if (to == LeadStatus::kInvalid && reason.empty())
    return InvalidField("reason", "required when a lead becomes INVALID");
  if (reason.size() > 500) return InvalidField("reason", "at most 500 bytes");
  bool ok = false;
  switch (from) {
    case LeadStatus::kNew:
      ok = to == LeadStatus::kInvalid;
      break;
    case LeadStatus::kAssigned:
      ok = true;
      break;
    case LeadStatus::kContacting:
      ok = to == LeadStatus::kQualified || to == LeadStatus::kInvalid;
      break;
    case LeadStatus::kQualified:
      ok = to == LeadStatus::kInvalid;
      break;
    default:
      ok = false;
  }
  if (!ok) {
    return absl::FailedPreconditionError(absl::StrCat(
        "lead is ", StatusName(from), "; cannot become ", StatusName(to)));
  }
  return absl::OkStatus();
}

absl::Status CheckConvertible(LeadStatus s) {
  if (s == LeadStatus::kAssigned || s == LeadStatus::kContacting ||
      s == LeadStatus::kQualified) {
    return absl::OkStatus();
  }
  if (s == LeadStatus::kNew) {
    return absl::FailedPreconditionError(
        "lead is NEW (in the pool); claim or assign it before converting");
  }
  return absl::FailedPreconditionError(
      absl::StrCat("lead is ", StatusName(s), "; cannot be converted"));
}

bool RecycleDue(LeadStatus s, absl::Time assigned_at,
                absl::Time last_follow_up_at, absl::Time as_of,
                absl::Duration window) {
  if (s != LeadStatus::kAssigned && s != LeadStatus::kContacting) return false;
  return std::max(assigned_at, last_follow_up_at) <= as_of - window;
}

}  // namespace crm::leads
