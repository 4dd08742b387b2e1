// Stage changes (MoveStage, MarkWon, MarkLost, Reopen), activity and the
// stage history. The rules are in domain/stage_rules; this file loads,
// authorizes and turns a planned Transition into a stored mutation with
// its history entry and events.
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/customfields/entity_fields.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "services/opportunities/domain/event_payloads.h"
#include "services/opportunities/opportunities_convert.h"
#include "services/opportunities/opportunities_service.h"
#include "services/opportunities/opportunities_util.h"

namespace crm::opportunities {
namespace {

EventSubject SubjectOf(const OpportunityRecord& o) {
  EventSubject s;
  s.opportunity_id = o.id;
  s.account_id = o.account_id;
  s.owner_id = o.owner_id;
  s.owner_org_path = o.owner_org_path;
  s.name = o.name;
  s.pipeline_id = o.pipeline_id;
  s.amount_minor = o.amount_minor;
  s.currency = o.currency;
  return s;
}

// The stored mutation for a planned transition.
OpportunityStore::Mutation Apply(const PipelineDef& pl,
                                 const OpportunityRecord& cur,
                                 const Transition& t, int64_t actor,
                                 const std::string& reason, absl::Time now) {
  OpportunityStore::Mutation m;
  OpportunityRecord& n = m.next;
  n = cur;
  n.stage_pos = t.next.stage;
  n.stage_code = pl.stages[t.next.stage].code;
  n.sub_stage = t.next.sub_stage;
  n.status = t.next.status;
  n.probability_bp = pl.stages[t.next.stage].probability_bp;
  n.max_open_pos = t.next.max_open_stage;
  n.closed_from_pos = t.next.closed_from_stage;
  n.last_activity_at = now;
  StageChangeRecord h;
  h.kind = t.kind;
  h.from_pos = cur.stage_pos;
  h.from_stage = cur.stage_code;
  h.from_sub_stage = cur.sub_stage;
  h.to_pos = n.stage_pos;
  h.to_stage = n.stage_code;
  h.to_sub_stage = n.sub_stage;
  h.actor_id = actor;
  h.reason = reason;
  if (n.stage_pos != cur.stage_pos) {
    n.stage_entered_at = now;
    // A stay in an open stage ends; time in won/lost is not a stay.
    if (cur.status == OppStatus::kOpen) {
      h.ends_stay = true;
      h.seconds_in_from = std::max<int64_t>(
          0, absl::ToInt64Seconds(now - cur.stage_entered_at));
    }
  }
  if (t.kind == "won" || t.kind == "lost") n.closed_at = now;
  if (t.kind == "reopen") {
    n.closed_at.reset();
    n.contract_ref.clear();
    n.loss_reason.clear();
    n.loss_note.clear();
    n.stale_alerted_for.reset();
  }
  m.change = h;
  m.events.push_back(
      {kEventStageChanged,
       StageChangedPayload(SubjectOf(n), t.kind, cur.stage_code, cur.sub_stage,
                           n.stage_code, n.sub_stage, actor, now)});
  return m;
}

}  // namespace

absl::StatusOr<OpportunityRecord> OpportunitiesServiceImpl::RunTransition(
    const auth::Principal& p, int64_t id, int64_t expected_version,
    const std::string& reason, const std::string& note,
    const TransitionPlanner& plan) {
  ASSIGN_OR_RETURN(OpportunityRecord seen, VisibleOpportunity(p, id));
  // A pipeline's stages never change (ADR 0010), so reading it outside the
  // row lock is safe.
  ASSIGN_OR_RETURN(PipelineDef pipeline, pipelines_->Get(seen.pipeline_id));
  return opportunities_->Mutate(
      id, expected_version,
      [&](const OpportunityRecord& cur) {
        return auth::CanSee(p, cur.owner_id, cur.owner_org_path);
      },
      [&](const OpportunityRecord& cur,
          absl::Time now) -> absl::StatusOr<OpportunityStore::Mutation> {
        ASSIGN_OR_RETURN(Transition t, plan(pipeline, cur));
        OpportunityStore::Mutation m =
            Apply(pipeline, cur, t, p.user_id, reason, now);
        if (t.kind == "won") {
          m.next.contract_ref = reason;
          m.events.push_back(
              {kEventWon, WonPayload(SubjectOf(m.next), reason, now)});
        } else if (t.kind == "lost") {
          m.next.loss_reason = reason;
          m.next.loss_note = note;
          m.events.push_back(
              {kEventLost, LostPayload(SubjectOf(m.next), reason, note, now)});
        }
        return m;
      });
}

grpc::Status OpportunitiesServiceImpl::MoveStage(
    grpc::ServerContext* ctx, const pb::MoveStageRequest* req,
    pb::Opportunity* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (req->stage().empty() && req->sub_stage().empty())
      return InvalidField("stage", "required (or a sub_stage)");
    ASSIGN_OR_RETURN(
        OpportunityRecord o,
        RunTransition(p, req->opportunity_id(), req->expected_version(), "", "",
                      [&](const PipelineDef& pl, const OpportunityRecord& cur) {
                        return PlanMove(pl, PositionOf(cur), req->stage(),
                                        req->sub_stage(), PresentOf(cur));
                      }));
    ToProto(o, resp);
    return customfields::EntityFields(pool_, clock_)
        .Present("opportunity", p, {{o.id, resp}});
  });
}

grpc::Status OpportunitiesServiceImpl::MarkWon(grpc::ServerContext* ctx,
                                               const pb::MarkWonRequest* req,
                                               pb::Opportunity* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (req->create_contract() && !req->contract_ref().empty()) {
      return InvalidField("create_contract",
                          "not together with contract_ref (give one)");
    }
    if (!req->create_contract() && (!req->contract_start_date().empty() ||
                                    !req->contract_end_date().empty())) {
      return InvalidField("contract_start_date",
                          "contract dates need create_contract");
    }
    std::string contract_ref = req->contract_ref();
    if (req->create_contract()) {
      // Orders first: if it fails the opportunity stays open, and a retry
      // finds the same contract (request id opp-<id>-contract).
      ASSIGN_OR_RETURN(contract_ref, CreateDraftContract(ctx, p, *req));
    }
    ASSIGN_OR_RETURN(
        OpportunityRecord o,
        RunTransition(
            p, req->opportunity_id(), req->expected_version(), contract_ref, "",
            [&](const PipelineDef& pl, const OpportunityRecord& cur) {
              return PlanWon(pl, PositionOf(cur), contract_ref, PresentOf(cur));
            }));
    ToProto(o, resp);
    return customfields::EntityFields(pool_, clock_)
        .Present("opportunity", p, {{o.id, resp}});
  });
}

grpc::Status OpportunitiesServiceImpl::MarkLost(grpc::ServerContext* ctx,
                                                const pb::MarkLostRequest* req,
                                                pb::Opportunity* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    RETURN_IF_ERROR(VisibleOpportunity(p, req->opportunity_id()).status());
    if (req->loss_reason().empty())
      return InvalidField("loss_reason", "required (see ListLossReasons)");
    auto reason = IsCode(req->loss_reason())
                      ? pipelines_->GetReason(req->loss_reason())
                      : absl::NotFoundError("");
    if (!reason.ok() && !absl::IsNotFound(reason.status()))
      return reason.status();
    if (!reason.ok() || !reason->active) {
      return InvalidField("loss_reason",
                          absl::StrCat("\"", req->loss_reason(),
                                       "\" is not an active loss reason (see "
                                       "ListLossReasons)"));
    }
    ASSIGN_OR_RETURN(
        OpportunityRecord o,
        RunTransition(p, req->opportunity_id(), req->expected_version(),
                      req->loss_reason(), req->note(),
                      [&](const PipelineDef& pl, const OpportunityRecord& cur)
                          -> absl::StatusOr<Transition> {
                        return PlanLost(pl, PositionOf(cur), req->note());
                      }));
    ToProto(o, resp);
    return customfields::EntityFields(pool_, clock_)
        .Present("opportunity", p, {{o.id, resp}});
  });
}

grpc::Status OpportunitiesServiceImpl::Reopen(grpc::ServerContext* ctx,
                                              const pb::ReopenRequest* req,
                                              pb::Opportunity* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    ASSIGN_OR_RETURN(
        OpportunityRecord o,
        RunTransition(
            p, req->opportunity_id(), req->expected_version(), req->reason(),
            "", [&](const PipelineDef& pl, const OpportunityRecord& cur) {
              return PlanReopen(pl, PositionOf(cur), req->stage(),
                                req->reason(), IsManager(p), PresentOf(cur));
            }));
    ToProto(o, resp);
    return customfields::EntityFields(pool_, clock_)
        .Present("opportunity", p, {{o.id, resp}});
  });
}

grpc::Status OpportunitiesServiceImpl::RecordActivity(
    grpc::ServerContext* ctx, const pb::RecordActivityRequest* req,
    pb::Opportunity* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (req->note().size() > 500)
      return InvalidField("note", "at most 500 bytes");
    const int64_t id = req->opportunity_id();
    RETURN_IF_ERROR(VisibleOpportunity(p, id).status());
    ASSIGN_OR_RETURN(
        OpportunityRecord o,
        opportunities_->Mutate(
            id, 0,
            [&](const OpportunityRecord& cur) {
              return auth::CanSee(p, cur.owner_id, cur.owner_org_path);
            },
            [&](const OpportunityRecord& cur,
                absl::Time now) -> absl::StatusOr<OpportunityStore::Mutation> {
              if (cur.status != OppStatus::kOpen) {
                return absl::FailedPreconditionError(
                    "opportunity is closed; reopen it first");
              }
              OpportunityStore::Mutation m;
              m.next = cur;
              m.next.last_activity_at = now;
              return m;
            }));
    ToProto(o, resp);
    return customfields::EntityFields(pool_, clock_)
        .Present("opportunity", p, {{o.id, resp}});
  });
}

grpc::Status OpportunitiesServiceImpl::ListStageHistory(
    grpc::ServerContext* ctx, const pb::ListStageHistoryRequest* req,
    pb::ListStageHistoryResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(VisibleOpportunity(p, req->opportunity_id()).status());
    ASSIGN_OR_RETURN(int limit, paging::PageSize(req->page_size(), 100, 500));
    ASSIGN_OR_RETURN(int64_t after, paging::DecodePageToken("ListStageHistory",
                                                            req->page_token()));
    ASSIGN_OR_RETURN(
        std::vector<StageChangeRecord> page,
        opportunities_->History(req->opportunity_id(), after, limit));
    for (const StageChangeRecord& h : page) ToProto(h, resp->add_changes());
    resp->set_next_page_token(
        paging::NextPageToken("ListStageHistory", page, limit));
    return absl::OkStatus();
  });
}

}  // namespace crm::opportunities
