#include "services/opportunities/opportunities_convert.h"

#include "services/opportunities/opportunities_util.h"

namespace crm::opportunities {

void ToProto(const PipelineDef& p, pb::Pipeline* out) {
  out->set_id(p.id);
  out->set_name(p.name);
  out->set_customer_type(static_cast<pb::CustomerType>(p.customer_type));
  out->set_deal_kind(static_cast<pb::DealKind>(p.deal_kind));
  for (const StageDef& s : p.stages) {
    pb::Stage* st = out->add_stages();
    st->set_code(s.code);
    st->set_name(s.name);
    st->set_kind(static_cast<pb::StageKind>(s.kind));
    st->set_probability_bp(s.probability_bp);
    st->set_skippable(s.skippable);
    for (const auto& f : s.required_fields) st->add_required_fields(f);
    for (const auto& sub : s.sub_stages) st->add_sub_stages(sub);
  }
  out->set_allow_backward(p.allow_backward);
  out->set_stale_days(p.stale_days);
  out->set_active(p.active);
  ToTimestamp(p.created_at, out->mutable_create_time());
}

PipelineDef PipelineFromProto(const pb::Pipeline& in) {
  PipelineDef p;
  p.name = in.name();
  p.customer_type = static_cast<CustomerType>(in.customer_type());
  p.deal_kind = static_cast<DealKind>(in.deal_kind());
  for (const pb::Stage& st : in.stages()) {
    StageDef s;
    s.code = st.code();
    s.name = st.name();
    s.kind = static_cast<StageKind>(st.kind());
    s.probability_bp = st.probability_bp();
    s.skippable = st.skippable();
    s.required_fields.assign(st.required_fields().begin(),
                             st.required_fields().end());
    s.sub_stages.assign(st.sub_stages().begin(), st.sub_stages().end());
    p.stages.push_back(std::move(s));
  }
  p.allow_backward = in.allow_backward();
  p.stale_days = in.stale_days();
  p.active = true;
  return p;
}

void ToProto(const LossReasonRecord& r, pb::LossReason* out) {
  out->set_code(r.code);
  out->set_label(r.label);
  out->set_active(r.active);
}

void ToProto(const OpportunityRecord& o, pb::Opportunity* out) {
  out->set_id(o.id);
  out->set_name(o.name);
  out->set_account_id(o.account_id);
  out->set_pipeline_id(o.pipeline_id);
  out->set_stage(o.stage_code);
  out->set_sub_stage(o.sub_stage);
  out->set_status(static_cast<pb::OpportunityStatus>(o.status));
  out->set_probability_bp(o.probability_bp);
  out->set_owner_id(o.owner_id);
  out->set_owner_org_path(o.owner_org_path);
  if (!o.currency.empty()) {
    out->mutable_amount()->set_currency_code(o.currency);
    out->mutable_amount()->set_amount_minor(o.amount_minor);
  }
  out->set_expected_close_date(o.expected_close_date);
  out->set_source_lead_id(o.source_lead_id.value_or(0));
  for (const auto& p : o.products) out->add_products(p);
  if (o.budget_minor.has_value()) {
    out->mutable_budget()->set_currency_code(o.budget_currency);
    out->mutable_budget()->set_amount_minor(*o.budget_minor);
  }
  out->set_decision_maker(o.decision_maker);
  out->set_description(o.description);
  out->set_contract_ref(o.contract_ref);
  out->set_loss_reason(o.loss_reason);
  out->set_loss_note(o.loss_note);
  ToTimestamp(o.stage_entered_at, out->mutable_stage_enter_time());
  ToTimestamp(o.last_activity_at, out->mutable_last_activity_time());
  if (o.closed_at.has_value())
    ToTimestamp(*o.closed_at, out->mutable_closed_time());
  ToTimestamp(o.created_at, out->mutable_create_time());
  ToTimestamp(o.updated_at, out->mutable_update_time());
  out->set_version(o.version);
  out->set_created_by(o.created_by);
}

void ToProto(const StageChangeRecord& h, pb::StageChange* out) {
  out->set_id(h.id);
  out->set_opportunity_id(h.opportunity_id);
  out->set_kind(h.kind);
  out->set_from_stage(h.from_stage);
  out->set_from_sub_stage(h.from_sub_stage);
  out->set_to_stage(h.to_stage);
  out->set_to_sub_stage(h.to_sub_stage);
  out->set_actor_id(h.actor_id);
  out->set_reason(h.reason);
  ToTimestamp(h.at, out->mutable_time());
  out->set_seconds_in_from_stage(h.seconds_in_from);
}

}  // namespace crm::opportunities
