// The lead state machine (seed 004: 线索状态), pure.
//
//   NEW --claim/assign--> ASSIGNED --follow-up--> CONTACTING --> QUALIFIED
//   ASSIGNED/CONTACTING --recycle--> NEW (back to the pool)
//   ASSIGNED/CONTACTING/QUALIFIED --ConvertLead--> CONVERTED (terminal)
//   any open status --> INVALID (terminal, reason required)
//
// ChangeLeadStatus may set CONTACTING, QUALIFIED and INVALID; ASSIGNED and
// NEW come from the pool operations, CONVERTED only from ConvertLead.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace crm::leads {

enum class LeadStatus {
  kNew = 1,
  kAssigned = 2,
  kContacting = 3,
  kQualified = 4,
  kConverted = 5,
  kInvalid = 6,
};

const char* StatusName(LeadStatus s);

// Open = still being worked: not CONVERTED, not INVALID. Only open leads
// take part in de-duplication and count against a rep's capacity.
bool IsOpen(LeadStatus s);

// ChangeLeadStatus: INVALID_ARGUMENT for a target it may not set or a
// missing/too long reason; FAILED_PRECONDITION "lead is <FROM>; cannot
// become <TO>" for a transition the machine forbids.
absl::Status CheckStatusChange(LeadStatus from, LeadStatus to,
                               const std::string& reason);

// Whether ConvertLead may start: ASSIGNED, CONTACTING or QUALIFIED.
absl::Status CheckConvertible(LeadStatus s);

// Recycle: an owned ASSIGNED/CONTACTING lead whose last touch (the later of
// its assignment and its last follow-up) is at or before as_of - window.
bool RecycleDue(LeadStatus s, absl::Time assigned_at,
                absl::Time last_follow_up_at, absl::Time as_of,
                absl::Duration window);

}  // namespace crm::leads
