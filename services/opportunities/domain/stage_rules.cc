#include "services/opportunities/domain/stage_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"

namespace crm::opportunities {
namespace {

absl::Status RequireFields(const PipelineDef& p, int from, int to, int entering,
                           const PresentFields& present) {
  std::vector<std::string> missing = MissingFields(p, from, to, present);
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("entering stage ", p.stages[entering].code,
                   " requires: ", absl::StrJoin(missing, ", ")));
}

absl::Status RequireOpen(const StagePosition& at) {
  if (at.status == OppStatus::kOpen) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "opportunity is ", at.status == OppStatus::kWon ? "won" : "lost",
      "; reopen it first"));
}

}  // namespace

std::vector<std::string> MissingFields(const PipelineDef& p, int from, int to,
                                       const PresentFields& present) {
  std::vector<std::string> missing;
  for (int i = std::max(from, 0);
       i <= to && i < static_cast<int>(p.stages.size()); ++i) {
    for (const std::string& f : p.stages[i].required_fields) {
      if (present.count(f) == 0 &&
          std::find(missing.begin(), missing.end(), f) == missing.end())
        missing.push_back(f);
    }
  }
  return missing;
}

absl::Status CheckCreate(const PipelineDef& p, const PresentFields& present) {
  return RequireFields(p, 0, 0, 0, present);
}

absl::Status CheckSubStage(const PipelineDef& p, int index,
                           const std::string& sub_stage) {
  if (sub_stage.empty()) return absl::OkStatus();
  const StageDef& s = p.stages[index];
  if (std::find(s.sub_stages.begin(), s.sub_stages.end(), sub_stage) !=
      s.sub_stages.end())
    return absl::OkStatus();
  if (s.sub_stages.empty())
    return InvalidField("sub_stage",
                        absl::StrCat("stage ", s.code, " has no sub-stages"));
  return InvalidField(
      "sub_stage",
      absl::StrCat("\"", sub_stage, "\" is not a sub-stage of ", s.code,
                   " (one of: ", absl::StrJoin(s.sub_stages, ", "), ")"));
}

absl::StatusOr<Transition> PlanMove(const PipelineDef& p,
                                    const StagePosition& at,
                                    const std::string& target,
                                    const std::string& sub_stage,
                                    const PresentFields& present) {
  RETURN_IF_ERROR(RequireOpen(at));
  int to = at.stage;
  if (!target.empty()) {
    std::optional<int> idx = p.IndexOf(target);
    if (!idx.has_value())
      return InvalidField(
          "stage",
          absl::StrCat("\"", target, "\" is not a stage of pipeline ", p.id));
    to = *idx;
  }
  const StageDef& dest = p.stages[to];
  if (dest.kind == StageKind::kWon)
    return InvalidField("stage", "use MarkWon to win an opportunity");
  if (dest.kind == StageKind::kLost)
    return InvalidField("stage", "use MarkLost to lose an opportunity");
  RETURN_IF_ERROR(CheckSubStage(p, to, sub_stage));
  if (to == at.stage && sub_stage == at.sub_stage) {
    return absl::FailedPreconditionError(
        absl::StrCat("already at stage ", dest.code,
                     sub_stage.empty() ? "" : absl::StrCat(" / ", sub_stage)));
  }
  if (to < at.stage && !p.allow_backward) {
    return absl::FailedPreconditionError(
        absl::StrCat("pipeline ", p.id, " does not allow moving back from ",
                     p.stages[at.stage].code, " to ", dest.code));
  }
  if (to > at.stage) {
    for (int k = at.stage + 1; k < to; ++k) {
      if (!p.stages[k].skippable) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cannot skip stage ", p.stages[k].code, " on the way from ",
            p.stages[at.stage].code, " to ", dest.code, "; move to it first"));
      }
    }
    RETURN_IF_ERROR(RequireFields(p, at.stage + 1, to, to, present));
  }
  Transition t;
  t.kind = to == at.stage ? "sub_stage" : "move";
  t.next = at;
  t.next.stage = to;
  t.next.sub_stage = sub_stage;
  t.next.max_open_stage = std::max(at.max_open_stage, to);
  return t;
}

absl::StatusOr<Transition> PlanWon(const PipelineDef& p,
                                   const StagePosition& at,
                                   const std::string& contract_ref,
                                   const PresentFields& present) {
  RETURN_IF_ERROR(RequireOpen(at));
  if (contract_ref.empty()) {
    return InvalidField("contract_ref",
                        "required (or set create_contract to create a "
                        "draft contract through orders)");
  }
  if (contract_ref.size() > 64)
    return InvalidField("contract_ref", "at most 64 bytes");
  const int won = p.WonIndex();
  RETURN_IF_ERROR(RequireFields(p, won, won, won, present));
  Transition t;
  t.kind = "won";
  t.next = at;
  t.next.stage = won;
  t.next.sub_stage.clear();
  t.next.status = OppStatus::kWon;
  t.next.closed_from_stage = at.stage;
  return t;
}

absl::StatusOr<Transition> PlanLost(const PipelineDef& p,
                                    const StagePosition& at,
                                    const std::string& note) {
  RETURN_IF_ERROR(RequireOpen(at));
  if (note.size() > 500) return InvalidField("note", "at most 500 bytes");
  Transition t;
  t.kind = "lost";
  t.next = at;
  t.next.stage = p.LostIndex();
  t.next.sub_stage.clear();
  t.next.status = OppStatus::kLost;
  t.next.closed_from_stage = at.stage;
  return t;
}

absl::StatusOr<Transition> PlanReopen(const PipelineDef& p,
                                      const StagePosition& at,
                                      const std::string& target,
                                      const std::string& reason,
                                      bool caller_is_manager,
                                      const PresentFields& present) {
  if (at.status == OppStatus::kOpen) {
    return absl::FailedPreconditionError(
        "opportunity is open; only won or lost opportunities can be "
        "reopened");
  }
  if (reason.empty()) return InvalidField("reason", "required");
  if (reason.size() > 300) return InvalidField("reason", "at most 300 bytes");
  if (at.status == OppStatus::kWon && !caller_is_manager) {
    return absl::PermissionDeniedError(
        "only managers and admins may reopen a won opportunity");
  }
  int to = at.closed_from_stage;
  if (!target.empty()) {
    std::optional<int> idx = p.IndexOf(target);
    if (!idx.has_value())
      return InvalidField(
          "stage",
          absl::StrCat("\"", target, "\" is not a stage of pipeline ", p.id));
    to = *idx;
  }
  if (to < 0 || to >= static_cast<int>(p.stages.size()) ||
      p.stages[to].kind != StageKind::kOpen)
    return InvalidField("stage", "must be an open stage");
  RETURN_IF_ERROR(RequireFields(p, 0, to, to, present));
  Transition t;
  t.kind = "reopen";
  t.next = at;
  t.next.stage = to;
  t.next.sub_stage.clear();
  t.next.status = OppStatus::kOpen;
  t.next.max_open_stage = std::max(at.max_open_stage, to);
  return t;
}

}  // namespace crm::opportunities
