#include "services/leads/store/lead_events.h"

#include <nlohmann/json.hpp>

#include "common/events/outbox.h"

namespace crm::leads {

events::OutboxEvent LeadCreatedEvent(const LeadRecord& l, absl::Time now) {
  nlohmann::json j = {{"lead_id", l.id},
                      {"kind", static_cast<int>(l.d.kind)},
                      {"status", StatusName(l.status)},
                      {"region_code", l.d.region_code},
                      {"city", l.d.city},
                      {"channel_id", l.channel_id},
                      {"campaign_id", l.campaign_id},
                      {"owner_id", l.owner_id.value_or(0)},
                      {"pool_id", l.pool_id.value_or(0)},
                      {"existing_customer", l.existing_customer},
                      {"account_id", l.account_id},
                      {"score", l.score.total}};
  return events::MakeOutboxEvent(kLeadsStream, "LeadCreated",
                                 std::to_string(l.id), j, now);
}

absl::Status AppendLeadCreated(db::Connection& c, const LeadRecord& l,
                               absl::Time now) {
  return events::AppendManyToOutbox(c, {LeadCreatedEvent(l, now)});
}

events::OutboxEvent LeadAssignedEvent(int64_t lead_id, const Owner& owner,
                                      int64_t assigned_by,
                                      const std::string& rule,
                                      int64_t from_owner_id, absl::Time now) {
  nlohmann::json j = {{"lead_id", lead_id},
                      {"owner_id", owner.user_id},
                      {"owner_org_path", owner.org_path},
                      {"assigned_by", assigned_by},
                      {"rule", rule},
                      {"from_owner_id", from_owner_id}};
  return events::MakeOutboxEvent(kLeadsStream, "LeadAssigned",
                                 std::to_string(lead_id), j, now);
}

absl::Status AppendLeadAssigned(db::Connection& c, int64_t lead_id,
                                const Owner& owner, int64_t assigned_by,
                                const std::string& rule, int64_t from_owner_id,
                                absl::Time now) {
  return events::AppendManyToOutbox(
      c, {LeadAssignedEvent(lead_id, owner, assigned_by, rule, from_owner_id,
                            now)});
}

absl::Status AppendLeadConverted(db::Connection& c, const LeadRecord& l,
                                 bool account_created, absl::Time now) {
  nlohmann::json j = {{"lead_id", l.id},
                      {"account_id", l.account_id},
                      {"contact_id", l.contact_id},
                      {"opportunity_id", l.opportunity_id},
                      {"owner_id", l.owner_id.value_or(0)},
                      {"account_created", account_created}};
  return events::AppendToOutbox(c, kLeadsStream, "LeadConverted",
                                std::to_string(l.id), j, now)
      .status();
}

}  // namespace crm::leads
