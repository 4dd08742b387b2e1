// Rows of the leads schema as the stores return them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/leads/domain/assignment.h"
#include "services/leads/domain/lead_rules.h"
#include "services/leads/domain/scoring.h"
#include "services/leads/domain/status_rules.h"

namespace crm::leads {

struct LeadRecord {
  int64_t id = 0;
  LeadDraft d;
  int64_t channel_id = 0;
  int64_t campaign_id = 0;
  LeadStatus status = LeadStatus::kNew;
  std::string invalid_reason;
  Score score;
  std::optional<int64_t> owner_id;
  std::string owner_org_path;
  std::optional<int64_t> pool_id;
  bool existing_customer = false;
  int64_t account_id = 0;
  int64_t contact_id = 0;
  int64_t opportunity_id = 0;
  int capture_count = 1;
  int follow_up_count = 0;
  int reply_count = 0;
  std::optional<absl::Time> last_follow_up_at;
  std::optional<absl::Time> assigned_at;
  int64_t created_by = 0;
  absl::Time created_at;
  absl::Time updated_at;
};

// lead_history.kind, the same numbers as crm.leads.v1.LeadEventKind.
enum class HistoryKind {
  kCreate = 1,
  kMerge = 2,
  kClaim = 3,
  kAssign = 4,
  kAutoAssign = 5,
  kRecycle = 6,
  kStatus = 7,
  kFollowUp = 8,
  kConvert = 9,
};

struct HistoryRecord {
  int64_t id = 0;
  int64_t lead_id = 0;
  HistoryKind kind = HistoryKind::kCreate;
  int64_t from_owner_id = 0;
  int64_t to_owner_id = 0;
  int64_t actor_id = 0;
  int64_t rule_id = 0;
  std::string detail;
  absl::Time at;
};

struct ChannelRecord {
  int64_t id = 0;
  std::string name;
  int quality = 50;
  std::string currency = "CNY";
  int64_t cost_minor = 0;
  bool active = true;
  absl::Time created_at;
};

struct CampaignRecord {
  int64_t id = 0;
  int64_t channel_id = 0;
  std::string name;
  std::string currency = "CNY";
  int64_t cost_minor = 0;
  std::optional<absl::Time> start_at;
  std::optional<absl::Time> end_at;
  absl::Time created_at;
  // Public key of landing-page forms (unique), and the region its leads
  // land in when the capture names none.
  std::string code;
  std::string region_code;
};

struct LeadPoolRecord {
  int64_t id = 0;
  std::string name;
  std::string region_code;
  int64_t org_unit_id = 0;
  bool region_default = false;
  int64_t lead_count = 0;
  absl::Time created_at;
};

// Who a lead goes to.
struct Owner {
  int64_t user_id = 0;
  std::string org_path;
};

}  // namespace crm::leads
