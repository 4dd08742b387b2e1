#include "services/tickets/tickets_convert.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::tickets {
namespace {

using google::protobuf::util::TimeUtil;

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  *out = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(t));
}

struct Budget {
  int first_minutes;
  int resolution_minutes;
};
Budget DefaultBudget(int priority) {
  switch (priority) {
    case pb::PRIORITY_URGENT:
      return {30, 4 * 60};
    case pb::PRIORITY_HIGH:
      return {60, 8 * 60};
    case pb::PRIORITY_LOW:
      return {8 * 60, 72 * 60};
    default:
      return {4 * 60, 24 * 60};
  }
}
const pb::SlaTarget* TargetOf(const pb::TicketType& t, int priority) {
  for (const pb::SlaTarget& s : t.sla()) {
    if (s.priority() == priority) return &s;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<pb::TicketType> NormalizeType(const pb::TicketType& in) {
  static const std::regex kKey("[a-z0-9_]{1,32}");
  if (!std::regex_match(in.key(), kKey)) {
    return InvalidField("key", "must match [a-z0-9_]{1,32}");
  }
  if (in.name().empty() || in.name().size() > 100) {
    return InvalidField("name", "required, at most 100 bytes");
  }
  pb::TicketType t = in;
  for (const std::string& f : t.required_fields()) {
    if (!std::regex_match(f, kKey)) {
      return InvalidField("required_fields", "keys must match [a-z0-9_]{1,32}");
    }
  }
  for (const pb::SlaTarget& s : t.sla()) {
    if (s.priority() <= 0 || !pb::Priority_IsValid(s.priority())) {
      return InvalidField("sla.priority", "must be LOW..URGENT");
    }
    if (s.first_response_minutes() <= 0 || s.resolution_minutes() <= 0 ||
        s.first_response_minutes() > s.resolution_minutes()) {
      return InvalidField("sla",
                          "need 0 < first_response_minutes <= "
                          "resolution_minutes");
    }
  }
  pb::BusinessHours* h = t.mutable_hours();
  if (h->work_days().empty()) {
    for (int d = 1; d <= 5; ++d) h->add_work_days(d);
  }
  if (h->start_minute() == 0 && h->end_minute() == 0) {
    h->set_start_minute(9 * 60);
    h->set_end_minute(18 * 60);
  }
  if (!h->offset_set()) {
    h->set_utc_offset_minutes(8 * 60);
    h->set_offset_set(true);
  }
  RETURN_IF_ERROR(ValidateHours(HoursOf(t)));
  if (t.reopen_days() < 0 || t.reopen_days() > 365) {
    return InvalidField("reopen_days", "must be 0..365");
  }
  if (t.reopen_days() == 0) t.set_reopen_days(7);
  if (t.near_breach_percent() < 0 || t.near_breach_percent() >= 100) {
    return InvalidField("near_breach_percent", "must be 1..99");
  }
  if (t.near_breach_percent() == 0) t.set_near_breach_percent(80);
  if (t.required_skill().size() > 32) {
    return InvalidField("required_skill", "at most 32 bytes");
  }
  return t;
}

std::string TypeToJson(const pb::TicketType& t) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(t, &out);
  return out;
}

absl::StatusOr<pb::TicketType> TypeFromJson(const std::string& json) {
  pb::TicketType t;
  if (!google::protobuf::util::JsonStringToMessage(json, &t).ok()) {
    return absl::InternalError("stored ticket type is not valid JSON");
  }
  return t;
}

Hours HoursOf(const pb::TicketType& t) {
  Hours h;
  h.work_days.clear();
  for (int d : t.hours().work_days()) h.work_days.insert(d);
  h.start_minute = t.hours().start_minute();
  h.end_minute = t.hours().end_minute();
  h.utc_offset_minutes = t.hours().utc_offset_minutes();
  return h;
}

int64_t FirstResponseBudget(const pb::TicketType& t, int priority) {
  const pb::SlaTarget* s = TargetOf(t, priority);
  return 60LL * (s ? s->first_response_minutes()
                   : DefaultBudget(priority).first_minutes);
}
int64_t ResolutionBudget(const pb::TicketType& t, int priority) {
  const pb::SlaTarget* s = TargetOf(t, priority);
  return 60LL * (s ? s->resolution_minutes()
                   : DefaultBudget(priority).resolution_minutes);
}
int NearPercent(const pb::TicketType& t) {
  return t.near_breach_percent() > 0 ? t.near_breach_percent() : 80;
}

SlaClock FirstResponseClock(const TicketRecord& r) {
  // Waiting on the customer pauses this clock too -- but every pause starts
  // at or after the first response (moving to waiting_on_customer is one),
  // so once the clock has stopped no pause belongs to it: later waits (and
  // a reopen) must not shift the first response time or its due time.
  if (r.first_response_at.has_value()) {
    return SlaClock{r.created_at, r.first_response_budget_s, 0,
                    absl::InfinitePast(), *r.first_response_at};
  }
  return SlaClock{r.created_at, r.first_response_budget_s, r.paused_s,
                  r.paused_since.value_or(absl::InfinitePast()),
                  absl::InfiniteFuture()};
}
SlaClock ResolutionClock(const TicketRecord& r) {
  return SlaClock{r.created_at, r.resolution_budget_s, r.paused_s,
                  r.paused_since.value_or(absl::InfinitePast()),
                  r.resolved_at.value_or(absl::InfiniteFuture())};
}

void ToProto(const TicketRecord& r, const Hours& hours, absl::Time now,
             pb::Ticket* out) {
  out->set_id(r.id);
  out->set_type_key(r.type_key);
  out->set_priority(static_cast<pb::Priority>(r.priority));
  out->set_account_id(r.account_id);
  out->set_contract_id(r.contract_id);
  out->set_product_id(r.product_id);
  out->set_product_sku(r.product_sku);
  out->set_title(r.title);
  out->set_description(r.description);
  out->set_channel(static_cast<pb::Channel>(r.channel));
  out->set_status(static_cast<pb::TicketStatus>(r.status));
  out->set_assignee_id(r.assignee_id.value_or(0));
  out->set_group_id(r.group_id);
  out->set_group_org_path(r.group_org_path);
  out->set_creator_id(r.creator_id);
  out->set_billable(r.billable);
  out->set_billable_reason(r.billable_reason);
  nlohmann::json fields = nlohmann::json::parse(r.fields_json, nullptr, false);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (it->is_string()) (*out->mutable_fields())[it.key()] = *it;
    }
  }
  AttachmentsFromJson(r.attachments_json, out->mutable_attachments());
  SetTime(DueAt(hours, FirstResponseClock(r), now),
          out->mutable_first_response_due());
  SetTime(DueAt(hours, ResolutionClock(r), now), out->mutable_resolution_due());
  if (r.first_response_at) {
    SetTime(*r.first_response_at, out->mutable_first_response_at());
  }
  if (r.resolved_at) SetTime(*r.resolved_at, out->mutable_resolved_at());
  if (r.closed_at) SetTime(*r.closed_at, out->mutable_closed_at());
  out->set_breached(r.breached);
  out->set_satisfaction(r.satisfaction);
  out->set_paused_seconds(r.paused_s);
  SetTime(r.created_at, out->mutable_create_time());
  SetTime(r.updated_at, out->mutable_update_time());
}

void ToProto(const CommentRecord& r, pb::Comment* out) {
  out->set_id(r.id);
  out->set_ticket_id(r.ticket_id);
  out->set_author_id(r.author_id);
  out->set_body(r.body);
  out->set_customer_visible(r.customer_visible);
  AttachmentsFromJson(r.attachments_json, out->mutable_attachments());
  SetTime(r.created_at, out->mutable_create_time());
}

void ToProto(const HistoryRecord& r, pb::HistoryEntry* out) {
  out->set_id(r.id);
  out->set_ticket_id(r.ticket_id);
  out->set_actor_id(r.actor_id);
  out->set_action(r.action);
  out->set_detail(r.detail);
  SetTime(r.created_at, out->mutable_create_time());
}

absl::StatusOr<std::string> AttachmentsJson(
    const google::protobuf::RepeatedPtrField<pb::Attachment>& list,
    const std::string& field) {
  if (list.size() > 20) return InvalidField(field, "at most 20 attachments");
  nlohmann::json arr = nlohmann::json::array();
  for (const pb::Attachment& a : list) {
    if (a.uri().empty() || a.uri().size() > 500) {
      return InvalidField(absl::StrCat(field, ".uri"),
                          "required, at most 500 bytes");
    }
    if (a.name().size() > 200 || a.size_bytes() < 0) {
      return InvalidField(field, "name at most 200 bytes, size_bytes >= 0");
    }
    arr.push_back(
        {{"uri", a.uri()}, {"name", a.name()}, {"size_bytes", a.size_bytes()}});
  }
  return arr.dump();
}

void AttachmentsFromJson(
    const std::string& json,
    google::protobuf::RepeatedPtrField<pb::Attachment>* out) {
  nlohmann::json arr = nlohmann::json::parse(json, nullptr, false);
  if (!arr.is_array()) return;
  for (const auto& a : arr) {
    pb::Attachment* x = out->Add();
    x->set_uri(a.value("uri", ""));
    x->set_name(a.value("name", ""));
    x->set_size_bytes(a.value("size_bytes", int64_t{0}));
  }
}

}  // namespace crm::tickets
