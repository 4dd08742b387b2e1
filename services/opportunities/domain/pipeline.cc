#include "services/opportunities/domain/pipeline.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::opportunities {

const std::vector<std::string_view>& RequirableFields() {
  static const std::vector<std::string_view> kFields = {
      "amount",   "expected_close_date", "budget", "decision_maker",
      "products", "description"};
  return kFields;
}

bool IsCode(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::optional<int> PipelineDef::IndexOf(std::string_view code) const {
  for (size_t i = 0; i < stages.size(); ++i)
    if (stages[i].code == code) return static_cast<int>(i);
  return std::nullopt;
}

int PipelineDef::WonIndex() const {
  for (size_t i = 0; i < stages.size(); ++i)
    if (stages[i].kind == StageKind::kWon) return static_cast<int>(i);
  return -1;
}

int PipelineDef::LostIndex() const {
  for (size_t i = 0; i < stages.size(); ++i)
    if (stages[i].kind == StageKind::kLost) return static_cast<int>(i);
  return -1;
}

int PipelineDef::OpenCount() const {
  int n = 0;
  for (const StageDef& s : stages)
    if (s.kind == StageKind::kOpen) ++n;
  return n;
}

namespace {

absl::Status NormalizeStage(const std::string& f, StageDef* s) {
  if (!IsCode(s->code))
    return InvalidField(absl::StrCat(f, ".code"), "must match [a-z0-9_]{1,32}");
  if (s->name.empty() || s->name.size() > 100)
    return InvalidField(absl::StrCat(f, ".name"), "1..100 bytes");
  if (s->kind == StageKind::kUnspecified)
    return InvalidField(absl::StrCat(f, ".kind"), "required");
  if (s->kind == StageKind::kWon) s->probability_bp = kMaxProbabilityBp;
  if (s->kind == StageKind::kLost) s->probability_bp = 0;
  if (s->probability_bp < 0 || s->probability_bp > kMaxProbabilityBp) {
    return InvalidField(absl::StrCat(f, ".probability_bp"),
                        "must be 0..10000 (basis points)");
  }
  std::set<std::string> seen;
  for (const std::string& field : s->required_fields) {
    const auto& known = RequirableFields();
    if (std::find(known.begin(), known.end(), field) == known.end()) {
      return InvalidField(
          absl::StrCat(f, ".required_fields"),
          absl::StrCat("unknown field \"", field,
                       "\"; one of amount, expected_close_date, budget, "
                       "decision_maker, products, description"));
    }
    if (!seen.insert(field).second)
      return InvalidField(absl::StrCat(f, ".required_fields"),
                          absl::StrCat("\"", field, "\" listed twice"));
  }
  if (s->kind != StageKind::kOpen && !s->sub_stages.empty())
    return InvalidField(absl::StrCat(f, ".sub_stages"),
                        "only open stages have sub-stages");
  if (s->kind != StageKind::kOpen) s->skippable = false;
  if (s->sub_stages.size() > kMaxSubStages)
    return InvalidField(absl::StrCat(f, ".sub_stages"), "at most 10");
  seen.clear();
  for (const std::string& sub : s->sub_stages) {
    if (sub.empty() || sub.size() > 50)
      return InvalidField(absl::StrCat(f, ".sub_stages"), "each 1..50 bytes");
    if (!seen.insert(sub).second)
      return InvalidField(absl::StrCat(f, ".sub_stages"),
                          absl::StrCat("\"", sub, "\" listed twice"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status NormalizePipeline(PipelineDef* p) {
  if (p->name.empty() || p->name.size() > 100)
    return InvalidField("pipeline.name", "1..100 bytes");
  if (p->customer_type == CustomerType::kUnspecified)
    return InvalidField("pipeline.customer_type", "required (SMB or KA)");
  if (p->deal_kind == DealKind::kUnspecified)
    return InvalidField("pipeline.deal_kind", "required (STANDARD or CUSTOM)");
  if (p->stale_days < 0 || p->stale_days > 3650)
    return InvalidField("pipeline.stale_days", "must be 0..3650");
  const int n = static_cast<int>(p->stages.size());
  if (n < 3 || n > kMaxStages) {
    return InvalidField("pipeline.stages",
                        "3..20 stages: open stages, then won, then lost");
  }
  std::set<std::string> codes;
  for (int i = 0; i < n; ++i) {
    const std::string f = absl::StrCat("pipeline.stages[", i, "]");
    RETURN_IF_ERROR(NormalizeStage(f, &p->stages[i]));
    if (!codes.insert(p->stages[i].code).second)
      return InvalidField(absl::StrCat(f, ".code"),
                          absl::StrCat("\"", p->stages[i].code,
                                       "\" is used by an earlier stage"));
    const StageKind want = i == n - 2   ? StageKind::kWon
                           : i == n - 1 ? StageKind::kLost
                                        : StageKind::kOpen;
    if (p->stages[i].kind != want) {
      return InvalidField(
          absl::StrCat(f, ".kind"),
          "open stages come first, then exactly one WON and one LOST stage");
    }
  }
  return absl::OkStatus();
}

}  // namespace crm::opportunities
