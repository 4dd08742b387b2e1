// A sales pipeline as configured (seed 003: KA vs SMB, standard vs custom
// deals follow different flows; seed 004: sub-stages such as 初步沟通 /
// 确定意向 / 商务洽谈). Pure data and validation, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace crm::opportunities {

// Numbers match crm.opportunities.v1 enums.
enum class CustomerType { kUnspecified = 0, kSmb = 1, kKa = 2 };
enum class DealKind { kUnspecified = 0, kStandard = 1, kCustom = 2 };
enum class StageKind { kUnspecified = 0, kOpen = 1, kWon = 2, kLost = 3 };
enum class OppStatus { kUnspecified = 0, kOpen = 1, kWon = 2, kLost = 3 };

inline constexpr int kMaxProbabilityBp = 10000;
inline constexpr int kMaxStages = 20;
inline constexpr int kMaxSubStages = 10;

// The opportunity fields a stage may require.
const std::vector<std::string_view>& RequirableFields();

struct StageDef {
  std::string code;
  std::string name;
  StageKind kind = StageKind::kOpen;
  int probability_bp = 0;
  bool skippable = false;
  std::vector<std::string> required_fields;
  std::vector<std::string> sub_stages;
};

struct PipelineDef {
  int64_t id = 0;
  std::string name;
  CustomerType customer_type = CustomerType::kSmb;
  DealKind deal_kind = DealKind::kStandard;
  std::vector<StageDef> stages;
  bool allow_backward = true;
  int stale_days = 0;  // 0 = service default
  bool active = true;
  absl::Time created_at;

  // Index of the stage with `code`, or nullopt.
  std::optional<int> IndexOf(std::string_view code) const;
  int FirstOpen() const { return 0; }
  int WonIndex() const;
  int LostIndex() const;
  // Open stages are 0..OpenCount()-1.
  int OpenCount() const;
};

// Checks and normalizes a pipeline before it is stored: name 1..100
// bytes; customer type and deal kind set; 1..kMaxStages-2 open stages
// first, then exactly one WON and one LOST stage; codes [a-z0-9_]{1,32}
// unique; names 1..100 bytes; open probabilities 0..10000 (won is set to
// 10000, lost to 0); required fields from RequirableFields(); sub-stages
// 1..50 bytes, unique, at most kMaxSubStages, only on open stages;
// stale_days 0..3650. INVALID_ARGUMENT names the field, e.g.
// "pipeline.stages[2].code: must match [a-z0-9_]{1,32}".
absl::Status NormalizePipeline(PipelineDef* p);

// Loss reason and stage codes: [a-z0-9_]{1,32}.
bool IsCode(std::string_view s);

}  // namespace crm::opportunities
