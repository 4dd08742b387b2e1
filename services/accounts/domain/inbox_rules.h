// The message center's pure rules (issue 10, ADR 0073): which inbox
// messages an event of the suite produces. No I/O.
//
//   events:leads         LeadAssigned {lead_id, owner_id, assigned_by}
//                        -> lead_assigned for the new owner (not when the
//                        owner assigned it to themselves, e.g. a claim)
//   events:orders        InstallmentOverdue {contract_id, installment_id,
//                        owner_id, amount_due_minor, due_date, days_overdue}
//                        -> payment_overdue for the contract owner
//   events:tickets       TicketAssigned {ticket_id, assignee_id, actor_id,
//                        mode} -> ticket_assigned for the assignee (not a
//                        grab: the agent took it)
//   events:tickets       TicketSlaEscalated {ticket_id, kind, target,
//                        assignee_id, due_at} -> ticket_sla_breached
//                        (kind "breach") or ticket_sla_warning for the
//                        assignee
//   events:opportunities OpportunityStale {opportunity_id, owner_id,
//                        opportunity_name, idle_days} -> opportunity_stale
//                        for the owner
//   events:orders        LeaderboardRankChanged {owner_id, metric, period,
//                        old_rank, new_rank, ...} -> rank_changed for the
//                        owner (ADR 0091)
//   events:orders        ApprovalStepWaiting {contract_id, title, owner_id,
//                        owner_org_path, round, step, steps, role} ->
//                        approval_waiting for each user who may decide the
//                        step (ParseStepWaiting + ApprovalWaiting: the
//                        users come from identity, so not in
//                        MessagesForEvent)
// Other types produce nothing. Account assignments and pool recycle
// warnings are posted by the accounts service's own writes (AccountAssigned
// / RecycleWarning below), in the transaction of the change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/events/event.h"

namespace crm::accounts {

struct InboxMessage {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string kind;
  std::string title;
  std::string body;
  std::string entity_type;
  std::string entity_id;
  // Unique per user: the same key twice is the same message (replays).
  std::string dedupe_key;
  std::string source_event_id;
  absl::Time created_at;
  std::optional<absl::Time> read_at;
};

inline constexpr char kInboxGroup[] = "inbox";

// Messages for one event (empty when it concerns no one's inbox or a field
// it needs is missing). dedupe_key = "<event_id>:<kind>".
std::vector<InboxMessage> MessagesForEvent(const events::Event& event);

// The approval step a contract waits for (ApprovalStepWaiting); nullopt
// when a field is missing or malformed.
struct StepWaiting {
  std::string contract_id;
  std::string title;
  int64_t owner_id = 0;
  std::string owner_org_path;
  int64_t step = 0;
  int64_t steps = 0;
  std::string role;
};
std::optional<StepWaiting> ParseStepWaiting(const events::Event& event);

// One approval_waiting message per approver (the contract's owner never
// decides its own steps and is left out); dedupe_key
// "<event_id>:approval_waiting", unique per user.
std::vector<InboxMessage> ApprovalWaiting(
    const events::Event& event, const StepWaiting& step,
    const std::vector<int64_t>& approvers);

// An account given to `owner_id` by someone else (assign, transfer).
InboxMessage AccountAssigned(int64_t account_id, const std::string& name,
                             int64_t owner_id, const std::string& action,
                             absl::Time at);
// The owner's account is about to be recycled to the public pool.
InboxMessage RecycleWarning(int64_t account_id, const std::string& title,
                            int64_t owner_id, const std::string& dedupe_key);

}  // namespace crm::accounts
