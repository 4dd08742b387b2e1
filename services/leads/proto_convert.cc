#include "services/leads/proto_convert.h"

#include "common/status/status.h"
#include "services/identity/proto_convert.h"

namespace crm::leads {

namespace pb = crm::leads::v1;
using identity::ToTimestamp;

void ToProto(const LeadRecord& r, pb::Lead* out) {
  out->set_id(r.id);
  out->set_kind(static_cast<pb::LeadKind>(r.d.kind));
  out->set_company_name(r.d.company_name);
  out->set_contact_name(r.d.contact_name);
  out->set_phone(r.d.phone);
  out->set_email(r.d.email);
  out->set_region_code(r.d.region_code);
  out->set_city(r.d.city);
  out->set_channel_id(r.channel_id);
  out->set_campaign_id(r.campaign_id);
  out->set_notes(r.d.notes);
  for (const auto& [k, v] : r.d.custom) (*out->mutable_custom())[k] = v;
  out->set_status(static_cast<pb::LeadStatus>(r.status));
  out->set_invalid_reason(r.invalid_reason);
  out->set_score(r.score.total);
  for (const Factor& f : r.score.factors) {
    pb::ScoreFactor* o = out->add_score_factors();
    o->set_name(f.name);
    o->set_points(f.points);
    o->set_weight(f.weight);
    o->set_detail(f.detail);
  }
  out->set_owner_id(r.owner_id.value_or(0));
  out->set_owner_org_path(r.owner_org_path);
  out->set_pool_id(r.pool_id.value_or(0));
  out->set_existing_customer(r.existing_customer);
  out->set_account_id(r.account_id);
  out->set_contact_id(r.contact_id);
  out->set_opportunity_id(r.opportunity_id);
  out->set_industry(r.d.industry);
  out->set_company_size(r.d.company_size);
  out->set_credit_code(r.d.credit_code);
  out->set_capture_count(r.capture_count);
  out->set_follow_up_count(r.follow_up_count);
  if (r.last_follow_up_at)
    ToTimestamp(*r.last_follow_up_at, out->mutable_last_follow_up_time());
  if (r.assigned_at) ToTimestamp(*r.assigned_at, out->mutable_assigned_time());
  ToTimestamp(r.created_at, out->mutable_create_time());
  ToTimestamp(r.updated_at, out->mutable_update_time());
}

LeadDraft DraftFromProto(const pb::Lead& in) {
  LeadDraft d;
  d.kind =
      in.kind() == pb::LEAD_KIND_UNSPECIFIED
          ? (in.company_name().empty() ? LeadKind::kPerson : LeadKind::kCompany)
          : static_cast<LeadKind>(in.kind());
  d.company_name = in.company_name();
  d.contact_name = in.contact_name();
  d.phone = in.phone();
  d.email = in.email();
  d.region_code = in.region_code();
  d.city = in.city();
  d.notes = in.notes();
  for (const auto& [k, v] : in.custom()) d.custom[k] = v;
  d.industry = in.industry();
  d.company_size = in.company_size();
  d.credit_code = in.credit_code();
  return d;
}

void ToProto(const ChannelRecord& r, pb::Channel* out) {
  out->set_id(r.id);
  out->set_name(r.name);
  out->set_quality(r.quality);
  out->mutable_cost()->set_currency_code(r.currency);
  out->mutable_cost()->set_amount_minor(r.cost_minor);
  out->set_active(r.active);
  ToTimestamp(r.created_at, out->mutable_create_time());
}

void ToProto(const CampaignRecord& r, pb::Campaign* out) {
  out->set_id(r.id);
  out->set_channel_id(r.channel_id);
  out->set_name(r.name);
  out->mutable_cost()->set_currency_code(r.currency);
  out->mutable_cost()->set_amount_minor(r.cost_minor);
  if (r.start_at) ToTimestamp(*r.start_at, out->mutable_start_time());
  if (r.end_at) ToTimestamp(*r.end_at, out->mutable_end_time());
  ToTimestamp(r.created_at, out->mutable_create_time());
  out->set_code(r.code);
  out->set_region_code(r.region_code);
}

void ToProto(const LeadPoolRecord& r, pb::LeadPool* out) {
  out->set_id(r.id);
  out->set_name(r.name);
  out->set_region_code(r.region_code);
  out->set_org_unit_id(r.org_unit_id);
  out->set_lead_count(r.lead_count);
  ToTimestamp(r.created_at, out->mutable_create_time());
}

void ToProto(const HistoryRecord& r, pb::LeadHistoryEntry* out) {
  out->set_id(r.id);
  out->set_lead_id(r.lead_id);
  out->set_kind(static_cast<pb::LeadEventKind>(r.kind));
  out->set_from_owner_id(r.from_owner_id);
  out->set_to_owner_id(r.to_owner_id);
  out->set_actor_id(r.actor_id);
  out->set_rule_id(r.rule_id);
  out->set_detail(r.detail);
  ToTimestamp(r.at, out->mutable_time());
}

void ToProto(const RuleSpec& r, pb::AssignmentRule* out) {
  out->set_id(r.id);
  out->set_org_unit_id(r.org_unit_id);
  out->set_name(r.name);
  out->set_position(r.position);
  out->set_enabled(r.enabled);
  for (const auto& s : r.region_codes) out->add_region_codes(s);
  for (const auto& s : r.cities) out->add_cities(s);
  out->set_min_score(r.min_score);
  out->set_max_score(r.max_score);
  out->set_strategy(static_cast<pb::AssignStrategy>(r.strategy));
  for (const RuleMember& m : r.members) out->add_member_user_ids(m.user_id);
  out->set_capacity(r.capacity);
}

RuleSpec RuleFromProto(const pb::AssignmentRule& in) {
  RuleSpec r;
  r.id = in.id();
  r.org_unit_id = in.org_unit_id();
  r.name = in.name();
  r.position = in.position();
  r.enabled = in.enabled();
  r.region_codes.assign(in.region_codes().begin(), in.region_codes().end());
  r.cities.assign(in.cities().begin(), in.cities().end());
  r.min_score = in.min_score();
  r.max_score = in.max_score();
  r.strategy = static_cast<Strategy>(in.strategy());
  for (int64_t id : in.member_user_ids()) r.members.push_back({id, ""});
  r.capacity = in.capacity();
  return r;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::StatusOr<absl::Time> ValidTime(const std::string& field,
                                     const google::protobuf::Timestamp& t) {
  if (t.seconds() <= 0 || t.seconds() > 253402300799 || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return InvalidField(field, "must be a valid time after 1970");
  }
  return FromTimestamp(t);
}

}  // namespace crm::leads
