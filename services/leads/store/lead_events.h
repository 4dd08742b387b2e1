// The events leads publishes (stream "events:leads"), appended to the
// outbox on the connection of the change's transaction. Payloads are
// documented in docs/api-leads.md.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "common/events/outbox.h"
#include "services/leads/store/records.h"

namespace crm::leads {

inline constexpr char kLeadsStream[] = "events:leads";

// LeadCreated {lead_id, kind, status, region_code, city, channel_id,
// campaign_id, owner_id, pool_id, existing_customer, account_id, score}.
absl::Status AppendLeadCreated(db::Connection& c, const LeadRecord& l,
                               absl::Time now);
// The same event as a row for events::AppendManyToOutbox (batch writes).
events::OutboxEvent LeadCreatedEvent(const LeadRecord& l, absl::Time now);

// LeadAssigned {lead_id, owner_id, owner_org_path, assigned_by, rule,
// from_owner_id}; rule is "claim", "manual", "rule:<id>",
// "existing_customer" or "creator" (a lead kept by the rep who entered it).
absl::Status AppendLeadAssigned(db::Connection& c, int64_t lead_id,
                                const Owner& owner, int64_t assigned_by,
                                const std::string& rule, int64_t from_owner_id,
                                absl::Time now);
events::OutboxEvent LeadAssignedEvent(int64_t lead_id, const Owner& owner,
                                      int64_t assigned_by,
                                      const std::string& rule,
                                      int64_t from_owner_id, absl::Time now);

// LeadConverted {lead_id, account_id, contact_id, owner_id, account_created}.
absl::Status AppendLeadConverted(db::Connection& c, const LeadRecord& l,
                                 bool account_created, absl::Time now);

}  // namespace crm::leads
