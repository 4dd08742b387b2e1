// The JSON bodies of the events opportunities publishes on stream
// "events:opportunities" (documented in docs/api-opportunities.md). Other
// services consume them, so field names and types are a contract. Pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/time/time.h"

namespace crm::opportunities {

inline constexpr char kEventCreated[] = "OpportunityCreated";
inline constexpr char kEventStageChanged[] = "OpportunityStageChanged";
inline constexpr char kEventWon[] = "OpportunityWon";
inline constexpr char kEventLost[] = "OpportunityLost";
inline constexpr char kEventStale[] = "OpportunityStale";

// What every payload says about the opportunity.
struct EventSubject {
  int64_t opportunity_id = 0;
  int64_t account_id = 0;
  int64_t owner_id = 0;
  std::string owner_org_path;
  std::string name;
  int64_t pipeline_id = 0;
  int64_t amount_minor = 0;
  std::string currency;
};

// RFC 3339 UTC with seconds: "2026-11-25T16:40:00Z".
std::string Rfc3339(absl::Time t);

// kind: "move", "sub_stage", "reopen", "won", "lost".
nlohmann::json StageChangedPayload(const EventSubject& s,
                                   const std::string& kind,
                                   const std::string& from_stage,
                                   const std::string& from_sub_stage,
                                   const std::string& to_stage,
                                   const std::string& to_sub_stage,
                                   int64_t actor_id, absl::Time at);

// Subject fields plus stage, source_lead_id and created_at.
nlohmann::json CreatedPayload(const EventSubject& s, const std::string& stage,
                              int64_t source_lead_id, absl::Time created_at);

nlohmann::json WonPayload(const EventSubject& s,
                          const std::string& contract_ref, absl::Time won_at);

nlohmann::json LostPayload(const EventSubject& s,
                           const std::string& loss_reason,
                           const std::string& note, absl::Time lost_at);

nlohmann::json StalePayload(const EventSubject& s, int64_t idle_days,
                            absl::Time stale_since);

}  // namespace crm::opportunities
