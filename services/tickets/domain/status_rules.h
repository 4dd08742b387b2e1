// The ticket status machine (pure):
//   new -> assigned            (only by GrabTicket / AssignTicket / AutoAssign)
//   assigned -> in_progress | waiting_on_customer | resolved
//   in_progress -> waiting_on_customer | resolved
//   waiting_on_customer -> in_progress | resolved
//   resolved -> closed
//   resolved | closed -> in_progress   (reopen, within reopen_days of the
//                                       resolution)
// Anything else is FAILED_PRECONDITION naming both states.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace crm::tickets {

enum class Status {
  kNew = 1,
  kAssigned = 2,
  kInProgress = 3,
  kWaitingOnCustomer = 4,
  kResolved = 5,
  kClosed = 6,
};

const char* StatusName(Status s);
// False for anything but the six names above.
bool ParseStatus(std::string_view name, Status* out);
// new, assigned, in_progress, waiting_on_customer: the SLA clock may run.
bool IsOpen(Status s);

// Whether ChangeStatus may move a ticket from `from` to `to` at `now`;
// `resolved_at` is the last resolution (for reopen), `reopen_days` the
// type's window.
absl::Status CheckTransition(Status from, Status to, absl::Time resolved_at,
                             absl::Time now, int reopen_days);

// Whether a transition is a reopen (resolved/closed back to in_progress).
bool IsReopen(Status from, Status to);

// Whether the ticket can be (re)assigned in this state: new or any open one.
absl::Status CheckAssignable(Status s);

}  // namespace crm::tickets
