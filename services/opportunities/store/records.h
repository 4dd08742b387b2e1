// Rows of the opportunities schema as plain structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/opportunities/domain/pipeline.h"

namespace crm::opportunities {

struct LossReasonRecord {
  std::string code;
  std::string label;
  bool active = true;
};

struct OpportunityRecord {
  int64_t id = 0;
  std::string name;
  int64_t account_id = 0;
  int64_t pipeline_id = 0;
  int stage_pos = 0;
  std::string stage_code;
  std::string sub_stage;
  OppStatus status = OppStatus::kOpen;
  int probability_bp = 0;
  int max_open_pos = 0;
  int closed_from_pos = 0;
  int64_t owner_id = 0;
  std::string owner_org_path;
  std::string currency;  // of amount; "" when no amount
  int64_t amount_minor = 0;
  std::string expected_close_date;  // YYYY-MM-DD or ""
  std::optional<int64_t> source_lead_id;
  std::vector<std::string> products;
  std::string budget_currency;
  std::optional<int64_t> budget_minor;
  std::string decision_maker;
  std::string description;
  std::string contract_ref;
  std::string loss_reason;
  std::string loss_note;
  absl::Time stage_entered_at;
  absl::Time last_activity_at;
  std::optional<absl::Time> stale_alerted_for;
  std::optional<absl::Time> closed_at;
  int64_t created_by = 0;
  absl::Time created_at;
  absl::Time updated_at;
  int64_t version = 1;
};

struct StageChangeRecord {
  int64_t id = 0;
  int64_t opportunity_id = 0;
  std::string kind;  // create, move, sub_stage, won, lost, reopen
  std::optional<int> from_pos;
  std::string from_stage, from_sub_stage;
  int to_pos = 0;
  std::string to_stage, to_sub_stage;
  int64_t seconds_in_from = 0;
  bool ends_stay = false;
  int64_t actor_id = 0;
  std::string reason;
  absl::Time at;
};

}  // namespace crm::opportunities
