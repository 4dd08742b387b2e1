#include "services/opportunities/domain/event_payloads.h"

namespace crm::opportunities {

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

nlohmann::json StageChangedPayload(const EventSubject& s,
                                   const std::string& kind,
                                   const std::string& from_stage,
                                   const std::string& from_sub_stage,
                                   const std::string& to_stage,
                                   const std::string& to_sub_stage,
                                   int64_t actor_id, absl::Time at) {
  return {{"opportunity_id", s.opportunity_id},
          {"account_id", s.account_id},
          {"owner_id", s.owner_id},
          {"owner_org_path", s.owner_org_path},
          {"pipeline_id", s.pipeline_id},
          {"kind", kind},
          {"from_stage", from_stage},
          {"from_sub_stage", from_sub_stage},
          {"to_stage", to_stage},
          {"to_sub_stage", to_sub_stage},
          {"actor_id", actor_id},
          {"amount_minor", s.amount_minor},
          {"currency", s.currency},
          {"changed_at", Rfc3339(at)}};
}

nlohmann::json CreatedPayload(const EventSubject& s, const std::string& stage,
                              int64_t source_lead_id, absl::Time created_at) {
  return {{"opportunity_id", s.opportunity_id},
          {"account_id", s.account_id},
          {"owner_id", s.owner_id},
          {"owner_org_path", s.owner_org_path},
          {"opportunity_name", s.name},
          {"pipeline_id", s.pipeline_id},
          {"stage", stage},
          {"amount_minor", s.amount_minor},
          {"currency", s.currency},
          {"source_lead_id", source_lead_id},
          {"created_at", Rfc3339(created_at)}};
}

nlohmann::json WonPayload(const EventSubject& s,
                          const std::string& contract_ref, absl::Time won_at) {
  return {{"opportunity_id", s.opportunity_id},
          {"account_id", s.account_id},
          {"owner_id", s.owner_id},
          {"owner_org_path", s.owner_org_path},
          {"amount_minor", s.amount_minor},
          {"currency", s.currency},
          {"contract_ref", contract_ref},
          {"won_at", Rfc3339(won_at)}};
}

nlohmann::json LostPayload(const EventSubject& s,
                           const std::string& loss_reason,
                           const std::string& note, absl::Time lost_at) {
  return {{"opportunity_id", s.opportunity_id},
          {"account_id", s.account_id},
          {"owner_id", s.owner_id},
          {"owner_org_path", s.owner_org_path},
          {"amount_minor", s.amount_minor},
          {"currency", s.currency},
          {"loss_reason", loss_reason},
          {"note", note},
          {"lost_at", Rfc3339(lost_at)}};
}

nlohmann::json StalePayload(const EventSubject& s, int64_t idle_days,
                            absl::Time stale_since) {
  return {{"opportunity_id", s.opportunity_id}, {"owner_id", s.owner_id},
          {"owner_org_path", s.owner_org_path}, {"account_id", s.account_id},
          {"opportunity_name", s.name},         {"idle_days", idle_days},
          {"stale_since", Rfc3339(stale_since)}};
}

}  // namespace crm::opportunities
