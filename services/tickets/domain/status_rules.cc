#include "services/tickets/domain/status_rules.h"

#include "absl/strings/str_cat.h"

namespace crm::tickets {

const char* StatusName(Status s) {
  switch (s) {
    case Status::kNew:
      return "new";
    case Status::kAssigned:
      return "assigned";
    case Status::kInProgress:
      return "in_progress";
    case Status::kWaitingOnCustomer:
      return "waiting_on_customer";
    case Status::kResolved:
      return "resolved";
    case Status::kClosed:
      return "closed";
  }
  return "unknown";
}

bool ParseStatus(std::string_view name, Status* out) {
  for (Status s :
       {Status::kNew, Status::kAssigned, Status::kInProgress,
        Status::kWaitingOnCustomer, Status::kResolved, Status::kClosed}) {
    if (name == StatusName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

bool IsOpen(Status s) { return s != Status::kResolved && s != Status::kClosed; }

bool IsReopen(Status from, Status to) {
  return (from == Status::kResolved || from == Status::kClosed) &&
         to == Status::kInProgress;
}

absl::Status CheckTransition(Status from, Status to, absl::Time resolved_at,
                             absl::Time now, int reopen_days) {
  auto illegal = [&](const std::string& why) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot move a ticket from ", StatusName(from), " to ",
                     StatusName(to), why));
  };
  if (from == to) return illegal(": it is already there");
  if (to == Status::kNew) return illegal(": tickets never return to new");
  if (to == Status::kAssigned) {
    return illegal(": use GrabTicket, AssignTicket or AutoAssign");
  }
  if (IsReopen(from, to)) {
    if (now - resolved_at > absl::Hours(24) * reopen_days) {
      return illegal(absl::StrCat(": the reopen window of ", reopen_days,
                                  " days after resolution has passed"));
    }
    return absl::OkStatus();
  }
  switch (from) {
    case Status::kNew:
      return illegal(": assign the ticket first");
    case Status::kAssigned:
    case Status::kInProgress:
    case Status::kWaitingOnCustomer:
      if (to == Status::kInProgress || to == Status::kWaitingOnCustomer ||
          to == Status::kResolved) {
        return absl::OkStatus();
      }
      return illegal(": resolve it first");
    case Status::kResolved:
      if (to == Status::kClosed) return absl::OkStatus();
      return illegal("");
    case Status::kClosed:
      return illegal("");
  }
  return illegal("");
}

absl::Status CheckAssignable(Status s) {
  if (IsOpen(s)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "a ", StatusName(s), " ticket cannot be assigned; reopen it first"));
}

}  // namespace crm::tickets
