#include "services/accounts/proto_convert.h"

#include "common/status/status.h"
#include "services/accounts/domain/recycle_rules.h"
#include "services/identity/proto_convert.h"

namespace crm::accounts {

namespace pb = crm::accounts::v1;
using identity::ToTimestamp;

void ToProto(const AccountRecord& r, bool show_sensitive, pb::Account* out) {
  out->set_id(r.id);
  out->set_kind(static_cast<pb::AccountKind>(r.kind));
  out->set_name(r.name);
  out->set_credit_code(r.credit_code.value_or(""));
  out->set_phone(r.phone.value_or(""));
  if (r.id_number.has_value()) {
    // ID numbers are shown in full only to the owner's side (field-level
    // permissions come with the cross-cutting issue); others see a mask.
    const std::string& id = *r.id_number;
    out->set_id_number(show_sensitive || id.size() < 8
                           ? id
                           : id.substr(0, 3) + std::string(id.size() - 7, '*') +
                                 id.substr(id.size() - 4));
  }
  out->set_industry(r.industry);
  out->set_address(r.address);
  if (r.lat.has_value()) {
    out->mutable_location()->set_lat(*r.lat);
    out->mutable_location()->set_lng(*r.lng);
  }
  out->set_region_code(r.region_code);
  out->set_type(static_cast<pb::CustomerType>(r.type));
  out->set_status(static_cast<pb::AccountStatus>(r.status));
  out->set_tier(static_cast<pb::Tier>(r.tier));
  out->set_pool_id(r.pool_id.value_or(0));
  out->set_owner_id(r.owner_id.value_or(0));
  out->set_owner_org_path(r.owner_org_path);
  if (r.last_follow_up_at)
    ToTimestamp(*r.last_follow_up_at, out->mutable_last_follow_up_time());
  if (r.owned_since) ToTimestamp(*r.owned_since, out->mutable_owned_since());
  if (r.IsLocked()) {
    out->set_locked(true);
    ToTimestamp(*r.locked_at, out->mutable_lock_time());
  }
  out->set_renewal_customer(r.first_signed_at.has_value());
  ToTimestamp(r.created_at, out->mutable_create_time());
  ToTimestamp(r.updated_at, out->mutable_update_time());
  out->mutable_signed_amount()->set_currency_code("CNY");
  out->mutable_signed_amount()->set_amount_minor(r.signed_amount_minor);
}

AccountRecord DraftFromProto(const pb::Account& in) {
  AccountRecord a;
  a.kind = static_cast<AccountKind>(in.kind());
  a.name = in.name();
  if (!in.credit_code().empty()) a.credit_code = in.credit_code();
  if (!in.phone().empty()) a.phone = in.phone();
  if (!in.id_number().empty()) a.id_number = in.id_number();
  a.industry = in.industry();
  a.address = in.address();
  if (in.has_location()) {
    a.lat = in.location().lat();
    a.lng = in.location().lng();
  }
  a.region_code = in.region_code();
  a.type = in.type() == pb::CUSTOMER_TYPE_KA ? CustomerType::kKa
                                             : CustomerType::kSmb;
  return a;
}

void ToProto(const PoolRecord& r, pb::Pool* out) {
  out->set_id(r.id);
  out->set_name(r.name);
  out->set_region_code(r.region_code);
  pb::ClaimRules* rules = out->mutable_claim_rules();
  rules->set_daily_claim_limit(r.rules.daily_claim_limit);
  rules->set_former_owner_cooldown_days(r.rules.former_owner_cooldown_days);
  rules->set_private_capacity(r.rules.private_capacity);
  rules->set_capacity_counts_signed(r.rules.capacity_counts_signed);
  rules->set_locked_capacity(r.rules.locked_capacity);
  for (int64_t id : r.member_org_unit_ids) out->add_member_org_unit_ids(id);
  for (int64_t id : r.admin_user_ids) out->add_admin_user_ids(id);
  out->set_account_count(r.account_count);
  // Stored rules were validated on the way in; "[]" means the defaults,
  // which are shown as such.
  auto recycle = ParseRecycleRules(r.recycle_rules_json);
  if (recycle.ok()) {
    for (const RecycleRule& rule : *recycle) {
      pb::RecycleRule* p = out->add_recycle_rules();
      p->set_name(rule.name);
      p->set_no_follow_up_days(rule.no_follow_up_days);
      p->set_no_opportunity_days(rule.no_opportunity_days);
      p->set_not_won_days(rule.not_won_days);
      p->set_tier(rule.tier ? static_cast<pb::Tier>(*rule.tier)
                            : pb::TIER_UNSPECIFIED);
      p->set_include_signed(rule.include_signed);
      p->set_include_protected(rule.include_protected);
      p->set_target_pool_id(rule.target_pool_id);
      p->set_warn_days_before(rule.warn_days_before);
    }
  }
  ToTimestamp(r.created_at, out->mutable_create_time());
}

ClaimRules RulesFromProto(const pb::ClaimRules& in) {
  ClaimRules r;
  r.daily_claim_limit = in.daily_claim_limit();
  r.former_owner_cooldown_days = in.former_owner_cooldown_days();
  r.private_capacity = in.private_capacity();
  r.capacity_counts_signed = in.capacity_counts_signed();
  r.locked_capacity = in.locked_capacity();
  return r;
}

absl::StatusOr<std::string> RecycleRulesJsonFromProto(
    const google::protobuf::RepeatedPtrField<pb::RecycleRule>& in) {
  std::vector<RecycleRule> rules;
  for (int i = 0; i < in.size(); ++i) {
    const pb::RecycleRule& p = in.Get(i);
    RecycleRule r;
    r.name = p.name();
    r.no_follow_up_days = p.no_follow_up_days();
    r.no_opportunity_days = p.no_opportunity_days();
    r.not_won_days = p.not_won_days();
    if (p.tier() != pb::TIER_UNSPECIFIED) r.tier = static_cast<Tier>(p.tier());
    r.include_signed = p.include_signed();
    r.include_protected = p.include_protected();
    r.target_pool_id = p.target_pool_id();
    r.warn_days_before = p.warn_days_before();
    RETURN_IF_ERROR(ValidateRecycleRule(r, i));
    rules.push_back(std::move(r));
  }
  return RecycleRulesToJson(rules);
}

void ToProto(const PoolMoveRecord& r, pb::PoolMove* out) {
  out->set_id(r.id);
  out->set_account_id(r.account_id);
  out->set_kind(static_cast<pb::PoolMoveKind>(r.kind));
  out->set_from_owner_id(r.from_owner_id.value_or(0));
  out->set_from_pool_id(r.from_pool_id.value_or(0));
  out->set_to_owner_id(r.to_owner_id.value_or(0));
  out->set_to_pool_id(r.to_pool_id.value_or(0));
  out->set_actor_id(r.actor_id);
  out->set_reason(r.reason);
  ToTimestamp(r.at, out->mutable_time());
}

void ToProto(const Candidate& c, bool show_owner, pb::DuplicateCandidate* out) {
  out->set_account_id(c.account_id);
  out->set_name(c.name);
  out->set_match(c.match);
  out->set_score(c.score);
  out->set_exact(c.exact);
  out->set_owner_id(show_owner ? c.owner_id.value_or(0) : 0);
}

void ToProto(const VisitRecord& r, crm::accounts::v1::Visit* out) {
  out->set_id(r.id);
  out->set_account_id(r.account_id);
  out->set_user_id(r.user_id);
  out->mutable_location()->set_lat(r.lat);
  out->mutable_location()->set_lng(r.lng);
  out->set_accuracy_m(r.accuracy_m);
  out->set_device_id(r.device_id);
  out->set_distance_m(r.distance_m);
  out->set_suspicious(r.suspicious);
  out->set_suspicious_reason(r.suspicious_reason);
  ToTimestamp(r.at, out->mutable_time());
  out->set_review(static_cast<crm::accounts::v1::VisitReview>(r.review));
  if (r.reviewed_by.has_value()) out->set_reviewed_by(*r.reviewed_by);
  if (r.reviewed_at.has_value())
    ToTimestamp(*r.reviewed_at, out->mutable_review_time());
  out->set_review_note(r.review_note);
}

}  // namespace crm::accounts
