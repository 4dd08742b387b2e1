#include "services/tickets/tickets_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/customfields/entity_fields.h"
#include "common/status/status.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/tickets_convert.h"

namespace crm::tickets {

TicketsServiceImpl::TicketsServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool, redis::RedisPool* redis,
    std::shared_ptr<crm::accounts::v1::AccountsService::StubInterface> accounts,
    std::shared_ptr<crm::orders::v1::OrdersService::StubInterface> orders,
    std::shared_ptr<auth::ServiceCredentials> credentials,
    std::shared_ptr<const Clock> clock, TicketsConfig config)
    : pool_(std::move(pool)),
      redis_(redis),
      accounts_(std::move(accounts)),
      orders_(std::move(orders)),
      credentials_(std::move(credentials)),
      clock_(std::move(clock)),
      config_(config) {}

bool TicketsServiceImpl::ManagesPath(const auth::Principal& p,
                                     const std::string& org_path) {
  if (p.IsAdmin() || p.IsService()) return true;
  if (!p.HasRole(auth::kRoleSupportManager) && !p.HasRole(auth::kRoleBoss)) {
    return false;
  }
  return auth::PathWithin(org_path, p.org_path);
}

absl::StatusOr<ticket_store::Scope> TicketsServiceImpl::ScopeOf(
    db::Connection& c, const auth::Principal& p) {
  ticket_store::Scope s;
  if (p.IsAdmin() || p.IsService()) {
    s.all = true;
    return s;
  }
  s.user_id = p.user_id;
  if (p.HasRole(auth::kRoleSupportManager) || p.HasRole(auth::kRoleBoss)) {
    s.org_prefix = p.org_path;
  }
  if (p.HasRole(auth::kRoleSupportAgent)) {
    ASSIGN_OR_RETURN(s.pool_groups, config_store::GroupsOf(c, p.user_id));
  }
  return s;
}

absl::StatusOr<TicketRecord> TicketsServiceImpl::VisibleTicket(
    db::Connection& c, const auth::Principal& p, int64_t id, bool for_update) {
  if (id <= 0) return InvalidField("id", "must be a positive ticket id");
  absl::StatusOr<TicketRecord> r = ticket_store::Get(c, id, for_update);
  if (!r.ok() && !absl::IsNotFound(r.status())) return r.status();
  if (r.ok()) {
    ASSIGN_OR_RETURN(ticket_store::Scope s, ScopeOf(c, p));
    const bool visible = s.all ||
                         (!s.org_prefix.empty() &&
                          auth::PathWithin(r->group_org_path, s.org_prefix)) ||
                         r->assignee_id == p.user_id ||
                         r->creator_id == p.user_id ||
                         (!r->assignee_id.has_value() &&
                          std::find(s.pool_groups.begin(), s.pool_groups.end(),
                                    r->group_id) != s.pool_groups.end());
    if (visible) return r;
  }
  return absl::NotFoundError(absl::StrCat("ticket ", id, " not found"));
}

absl::Status TicketsServiceImpl::Render(db::Connection& c,
                                        const auth::Principal& p,
                                        const TicketRecord& r,
                                        pb::Ticket* out) {
  ASSIGN_OR_RETURN(std::string json, config_store::GetType(c, r.type_key));
  ASSIGN_OR_RETURN(pb::TicketType type, TypeFromJson(json));
  ToProto(r, HoursOf(type), clock_->Now(), out);
  return customfields::EntityFields(pool_, clock_)
      .PresentOn(c, "ticket", p, {{r.id, out}});
}

void TicketsServiceImpl::PrepareCall(grpc::ClientContext* call,
                                     grpc::ServerContext* ctx,
                                     const auth::Principal& p) {
  const bool support = p.IsAdmin() || p.HasRole(auth::kRoleSupportAgent) ||
                       p.HasRole(auth::kRoleSupportManager);
  if (support && credentials_ != nullptr) {
    client::Prepare(call, credentials_->Token(), absl::Seconds(5));
  } else {
    client::PrepareOnBehalf(call, *ctx);
  }
}

}  // namespace crm::tickets
