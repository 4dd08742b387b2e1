// Stage transition rules of an opportunity within its pipeline: order,
// forward skips only over skippable stages, backward moves where the
// pipeline allows them, required fields to enter a stage, terminal won /
// lost stages and explicit reopening. Pure: the caller loads the pipeline
// and the opportunity, asks here, then stores the change.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/opportunities/domain/pipeline.h"

namespace crm::opportunities {

// Names (from RequirableFields()) of the fields an opportunity has set.
using PresentFields = std::set<std::string>;

// Where an opportunity stands.
struct StagePosition {
  int stage = 0;  // index into PipelineDef::stages
  std::string sub_stage;
  OppStatus status = OppStatus::kOpen;
  int max_open_stage = 0;     // highest open stage index ever reached
  int closed_from_stage = 0;  // the open stage it was won/lost from
};

// The required fields of `stages[from..to]` (inclusive) that are not in
// `present`, in pipeline order without repeats.
std::vector<std::string> MissingFields(const PipelineDef& p, int from, int to,
                                       const PresentFields& present);

// A new opportunity enters the first open stage: its required fields must
// be present (FAILED_PRECONDITION "entering stage <code> requires: a, b").
absl::Status CheckCreate(const PipelineDef& p, const PresentFields& present);

// Whether `sub_stage` ("" = none) is valid for stage `index`
// (INVALID_ARGUMENT "sub_stage: ...").
absl::Status CheckSubStage(const PipelineDef& p, int index,
                           const std::string& sub_stage);

struct Transition {
  StagePosition next;
  std::string kind;  // "move", "sub_stage", "won", "lost", "reopen"
};

// MoveStage to the open stage `target` ("" = keep the stage, change only
// the sub-stage):
//  - closed opportunity: FAILED_PRECONDITION "... reopen it first";
//  - unknown code: INVALID_ARGUMENT "stage: ..."; won/lost targets:
//    INVALID_ARGUMENT naming MarkWon / MarkLost;
//  - same stage and sub-stage: FAILED_PRECONDITION "already at ...";
//  - backward when the pipeline forbids it: FAILED_PRECONDITION;
//  - forward over a stage that is not skippable: FAILED_PRECONDITION
//    naming that stage;
//  - forward: the required fields of every stage entered or jumped over
//    must be present (FAILED_PRECONDITION listing the missing names).
absl::StatusOr<Transition> PlanMove(const PipelineDef& p,
                                    const StagePosition& at,
                                    const std::string& target,
                                    const std::string& sub_stage,
                                    const PresentFields& present);

// MarkWon: open only; contract_ref required (1..64 bytes); the won
// stage's required fields must be present.
absl::StatusOr<Transition> PlanWon(const PipelineDef& p,
                                   const StagePosition& at,
                                   const std::string& contract_ref,
                                   const PresentFields& present);

// MarkLost: open only. The loss reason code is checked against the
// configured list by the caller; the note is at most 500 bytes.
absl::StatusOr<Transition> PlanLost(const PipelineDef& p,
                                    const StagePosition& at,
                                    const std::string& note);

// Reopen: won or lost only (FAILED_PRECONDITION otherwise); reason
// required (1..300 bytes); a won opportunity only by a manager
// (PERMISSION_DENIED); target an open stage ("" = closed_from_stage) whose
// cumulative required fields (stages 0..target) are present.
absl::StatusOr<Transition> PlanReopen(const PipelineDef& p,
                                      const StagePosition& at,
                                      const std::string& target,
                                      const std::string& reason,
                                      bool caller_is_manager,
                                      const PresentFields& present);

}  // namespace crm::opportunities
