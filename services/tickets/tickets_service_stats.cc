// GetTicketStats: per agent / group / type over the tickets the caller sees,
// in business time on the SLA clocks (ADR 0065).
#include <map>

#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/status/status.h"
#include "services/tickets/domain/stats.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/tickets_convert.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {

grpc::Status TicketsServiceImpl::GetTicketStats(
    grpc::ServerContext* ctx, const pb::GetTicketStatsRequest* req,
    pb::TicketStats* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    const auto by = req->group_by();
    if (by == pb::GetTicketStatsRequest::GROUP_BY_UNSPECIFIED ||
        !pb::GetTicketStatsRequest::GroupBy_IsValid(by)) {
      return InvalidField("group_by", "must be AGENT, GROUP or TYPE");
    }
    const absl::Time now = clock_->Now();
    // Default window: the last 30 days up to now, including tickets created
    // this very second.
    absl::Time from = now - absl::Hours(24 * 30), to = now + absl::Seconds(1);
    if (req->has_from()) from = absl::FromUnixSeconds(req->from().seconds());
    if (req->has_to()) to = absl::FromUnixSeconds(req->to().seconds());
    if (to <= from) return InvalidField("to", "must be after from");
    if (to - from > absl::Hours(24 * 366)) {
      return InvalidField("from", "the window is at most 366 days");
    }
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(ticket_store::Scope scope, ScopeOf(*conn, p));
    ASSIGN_OR_RETURN(std::vector<TicketRecord> rows,
                     ticket_store::CreatedBetween(*conn, scope, from, to));
    // Each ticket on its type's SLA clocks (business time, pauses out).
    std::map<std::string, Hours> hours;
    {
      ASSIGN_OR_RETURN(auto types, config_store::AllTypes(*conn));
      for (const auto& [key, json] : types) {
        ASSIGN_OR_RETURN(pb::TicketType type, TypeFromJson(json));
        hours[key] = HoursOf(type);
      }
    }
    std::vector<StatsInput> in;
    for (const TicketRecord& r : rows) {
      std::string key;
      if (by == pb::GetTicketStatsRequest::GROUP_BY_AGENT) {
        key = absl::StrCat(r.assignee_id.value_or(0));
      } else if (by == pb::GetTicketStatsRequest::GROUP_BY_GROUP) {
        key = absl::StrCat(r.group_id);
      } else {
        key = r.type_key;
      }
      auto h = hours.find(r.type_key);
      in.push_back(Measure(std::move(key),
                           h != hours.end() ? h->second : Hours{},
                           FirstResponseClock(r), ResolutionClock(r),
                           r.breached, r.satisfaction, now));
    }
    for (const auto& [key, s] : Summarize(in)) {
      pb::StatsRow* row = resp->add_rows();
      row->set_key(key);
      row->set_volume(s.volume);
      row->set_first_response_median_seconds(s.first_response_median);
      row->set_first_response_p90_seconds(s.first_response_p90);
      row->set_resolution_median_seconds(s.resolution_median);
      row->set_resolution_p90_seconds(s.resolution_p90);
      row->set_breach_rate(s.breach_rate);
      row->set_satisfaction_avg(s.satisfaction_avg);
      row->set_rated(s.rated);
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::tickets
