// GrabTicket (pool), AssignTicket (manual), AutoAssign (least loaded).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/log/log.h"
#include "common/redis/lock.h"
#include "common/status/status.h"
#include "services/tickets/domain/auto_assign.h"
#include "services/tickets/domain/status_rules.h"
#include "services/tickets/store/config_store.h"
#include "services/tickets/tickets_assignment.h"
#include "services/tickets/tickets_convert.h"
#include "services/tickets/tickets_service.h"

namespace crm::tickets {
namespace {

// The active agent record of `user` in `group`, if any.
absl::StatusOr<std::optional<AgentRecord>> ActiveAgent(db::Connection& c,
                                                       int64_t group,
                                                       int64_t user) {
  ASSIGN_OR_RETURN(std::vector<AgentRecord> agents,
                   config_store::Agents(c, group));
  for (const AgentRecord& a : agents) {
    if (a.user_id == user && a.active) return std::optional<AgentRecord>(a);
  }
  return std::optional<AgentRecord>();
}

}  // namespace

grpc::Status TicketsServiceImpl::GrabTicket(grpc::ServerContext* ctx,
                                            const pb::GrabTicketRequest* req,
                                            pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (!p.HasRole(auth::kRoleSupportAgent)) {
      return absl::PermissionDeniedError(
          "only support agents grab tickets from a pool");
    }
    std::optional<db::PooledConnection> conn;
    {
      ASSIGN_OR_RETURN(db::PooledConnection c, pool_->Borrow());
      conn.emplace(std::move(c));
    }
    ASSIGN_OR_RETURN(TicketRecord r, VisibleTicket(**conn, p, req->id()));
    if (r.assignee_id == p.user_id) return Render(**conn, p, r, resp);
    if (r.assignee_id.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("ticket ", r.id, " is already assigned"));
    }
    ASSIGN_OR_RETURN(std::optional<AgentRecord> me,
                     ActiveAgent(**conn, r.group_id, p.user_id));
    conn.reset();  // one connection per call: the transaction takes its own
    if (!me.has_value()) {
      return absl::NotFoundError(absl::StrCat("ticket ", r.id, " not found"));
    }
    // The lock turns a stampede into one winner and fast ABORTED answers;
    // the conditional UPDATE alone guarantees no double grab (ADR 0062).
    std::optional<redis::LockHandle> lock;
    if (redis_ != nullptr) {
      redis::DistributedLock locks(redis_);
      auto got = locks.TryAcquire(absl::StrCat("lock:grab:ticket:", r.id),
                                  config_.grab_lock_ttl);
      if (!got.ok()) {
        log::Warn("grab lock unavailable; relying on the database",
                  {{"ticket", r.id}, {"error", got.status().ToString()}});
      } else if (!got->has_value()) {
        return absl::AbortedError(
            absl::StrCat("another agent is grabbing ticket ", r.id, "; retry"));
      } else {
        lock = std::move(**got);
      }
    }
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(
        db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(bool won, ticket_store::GrabIfUnassigned(
                                         c, r.id, p.user_id,
                                         static_cast<int>(Status::kAssigned),
                                         static_cast<int>(Status::kNew), now));
          if (!won) {
            return absl::AbortedError(
                absl::StrCat("ticket ", r.id, " was grabbed by another agent"));
          }
          TicketRecord after = r;
          after.assignee_id = p.user_id;
          return RecordAssignment(c, after, 0, p.user_id, "grab", now);
        }));
    ASSIGN_OR_RETURN(auto after, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord stored, ticket_store::Get(*after, r.id));
    return Render(*after, p, stored, resp);
  });
}

grpc::Status TicketsServiceImpl::AssignTicket(
    grpc::ServerContext* ctx, const pb::AssignTicketRequest* req,
    pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (!p.IsAdmin() && !p.HasRole(auth::kRoleSupportManager)) {
      return absl::PermissionDeniedError(
          "only support managers and admins assign tickets");
    }
    if (req->assignee_id() <= 0) {
      return InvalidField("assignee_id", "must be a positive user id");
    }
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(
        db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(TicketRecord r,
                           VisibleTicket(c, p, req->id(), true));
          if (!ManagesPath(p, r.group_org_path)) {
            return absl::NotFoundError(
                absl::StrCat("ticket ", r.id, " not found"));
          }
          RETURN_IF_ERROR(CheckAssignable(static_cast<Status>(r.status)));
          ASSIGN_OR_RETURN(std::optional<AgentRecord> agent,
                           ActiveAgent(c, r.group_id, req->assignee_id()));
          if (!agent.has_value()) {
            return InvalidField(
                "assignee_id",
                absl::StrCat("user ", req->assignee_id(),
                             " is not an active agent of group ", r.group_id));
          }
          if (r.assignee_id == req->assignee_id()) return absl::OkStatus();
          const int64_t previous = r.assignee_id.value_or(0);
          r.assignee_id = req->assignee_id();
          if (r.status == static_cast<int>(Status::kNew)) {
            r.status = static_cast<int>(Status::kAssigned);
          }
          r.updated_at = now;
          RETURN_IF_ERROR(ticket_store::UpdateState(c, r));
          return RecordAssignment(c, r, previous, p.user_id, "manual", now);
        }));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord stored, ticket_store::Get(*conn, req->id()));
    return Render(*conn, p, stored, resp);
  });
}

grpc::Status TicketsServiceImpl::AutoAssign(grpc::ServerContext* ctx,
                                            const pb::AutoAssignRequest* req,
                                            pb::Ticket* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p);
    if (!p.IsAdmin() && !p.IsService() &&
        !p.HasRole(auth::kRoleSupportManager)) {
      return absl::PermissionDeniedError(
          "only support managers and admins auto-assign tickets");
    }
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(
        db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(TicketRecord r,
                           VisibleTicket(c, p, req->id(), true));
          if (!ManagesPath(p, r.group_org_path)) {
            return absl::NotFoundError(
                absl::StrCat("ticket ", r.id, " not found"));
          }
          if (r.assignee_id.has_value() ||
              r.status != static_cast<int>(Status::kNew)) {
            return absl::FailedPreconditionError(
                absl::StrCat("ticket ", r.id, " is already assigned"));
          }
          // The group row lock serializes round-robin decisions.
          ASSIGN_OR_RETURN(GroupRecord g,
                           config_store::GetGroup(c, r.group_id, true));
          ASSIGN_OR_RETURN(std::string type_json,
                           config_store::GetType(c, r.type_key));
          ASSIGN_OR_RETURN(pb::TicketType type, TypeFromJson(type_json));
          ASSIGN_OR_RETURN(std::vector<AgentRecord> agents,
                           config_store::Agents(c, g.id));
          ASSIGN_OR_RETURN(auto loads, ticket_store::OpenLoads(c, g.id));
          std::vector<AgentLoad> candidates;
          for (const AgentRecord& a : agents) {
            int64_t open = 0;
            for (const auto& [user, n] : loads) {
              if (user == a.user_id) open = n;
            }
            candidates.push_back({a.user_id, a.skills, a.active, open});
          }
          ASSIGN_OR_RETURN(int64_t chosen,
                           PickAgent(candidates, type.required_skill(),
                                     g.last_auto_user_id));
          r.assignee_id = chosen;
          r.status = static_cast<int>(Status::kAssigned);
          r.updated_at = now;
          RETURN_IF_ERROR(ticket_store::UpdateState(c, r));
          RETURN_IF_ERROR(config_store::SetRoundRobin(c, g.id, chosen));
          return RecordAssignment(c, r, 0, p.user_id, "auto", now);
        }));
    ASSIGN_OR_RETURN(auto conn, pool_->Borrow());
    ASSIGN_OR_RETURN(TicketRecord stored, ticket_store::Get(*conn, req->id()));
    return Render(*conn, p, stored, resp);
  });
}

}  // namespace crm::tickets
