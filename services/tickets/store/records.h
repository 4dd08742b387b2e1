// Rows of the tickets schema as plain structs (store/ <-> handlers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace crm::tickets {

struct TicketRecord {
  int64_t id = 0;
  std::string type_key;
  int priority = 0;
  int64_t account_id = 0;
  int64_t contract_id = 0;
  int64_t product_id = 0;  // orders' catalogue id; 0 = no product named
  std::string product_sku;
  std::string title;
  std::string description;
  int channel = 0;
  int status = 0;
  std::optional<int64_t> assignee_id;
  int64_t group_id = 0;
  std::string group_org_path;
  int64_t creator_id = 0;
  bool billable = false;
  std::string billable_reason;
  std::string fields_json = "{}";
  std::string attachments_json = "[]";
  int64_t first_response_budget_s = 0;
  int64_t resolution_budget_s = 0;
  int64_t paused_s = 0;
  std::optional<absl::Time> paused_since;
  std::optional<absl::Time> first_response_at;
  std::optional<absl::Time> resolved_at;
  std::optional<absl::Time> closed_at;
  bool breached = false;
  int escalated = 0;
  int satisfaction = 0;
  absl::Time created_at;
  absl::Time updated_at;
};

// Bits of TicketRecord::escalated.
inline constexpr int kEscFirstNear = 1;
inline constexpr int kEscFirstBreach = 2;
inline constexpr int kEscResNear = 4;
inline constexpr int kEscResBreach = 8;

struct GroupRecord {
  int64_t id = 0;
  std::string name;
  std::string org_path;
  int64_t last_auto_user_id = 0;
};

struct AgentRecord {
  int64_t group_id = 0;
  int64_t user_id = 0;
  std::vector<std::string> skills;
  bool active = true;
};

struct CommentRecord {
  int64_t id = 0;
  int64_t ticket_id = 0;
  int64_t author_id = 0;
  std::string body;
  bool customer_visible = false;
  std::string attachments_json = "[]";
  absl::Time created_at;
};

struct HistoryRecord {
  int64_t id = 0;
  int64_t ticket_id = 0;
  int64_t actor_id = 0;
  std::string action;
  std::string detail;
  absl::Time created_at;
};

}  // namespace crm::tickets
