#include "common/audit/audit_service.h"

#include "absl/strings/str_cat.h"
#include "common/audit/audit_store.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"

namespace crm::audit {

namespace {
constexpr char kList[] = "audit";
}

AuditServiceImpl::AuditServiceImpl(std::shared_ptr<db::ConnectionPool> pool)
    : pool_(std::move(pool)) {}

void ToProto(const AuditEntry& e, crm::audit::v1::AuditEntry* out) {
  out->set_id(e.id);
  out->set_entity_type(e.entity_type);
  out->set_entity_id(e.entity_id);
  out->set_action(e.action);
  out->set_actor_id(e.actor_id);
  out->set_actor_service(e.actor_service);
  out->set_request_id(e.request_id);
  const int64_t micros = absl::ToUnixMicros(e.at);
  out->mutable_at()->set_seconds(micros / 1000000);
  out->mutable_at()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  out->set_owner_id(e.owner_id);
  out->set_owner_org_path(e.owner_org_path);
  out->set_note(e.note);
  for (const FieldChange& c : e.changes) {
    crm::audit::v1::FieldChange* fc = out->add_changes();
    fc->set_field(c.field);
    fc->set_has_old(c.old_value.has_value());
    fc->set_has_new(c.new_value.has_value());
    if (c.old_value) fc->set_old_value(*c.old_value);
    if (c.new_value) fc->set_new_value(*c.new_value);
  }
}

grpc::Status AuditServiceImpl::ListAudit(
    grpc::ServerContext* ctx, const crm::audit::v1::ListAuditRequest* req,
    crm::audit::v1::ListAuditResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    AuditQuery q;
    const bool by_entity =
        !req->entity_type().empty() || !req->entity_id().empty();
    if (by_entity && req->actor_id() != 0) {
      return InvalidField("actor_id",
                          "give either entity_type + entity_id or actor_id");
    }
    if (by_entity) {
      if (req->entity_type().empty() || req->entity_type().size() > 32)
        return InvalidField("entity_type", "required, at most 32 bytes");
      if (req->entity_id().empty() || req->entity_id().size() > 64)
        return InvalidField("entity_id", "required, at most 64 bytes");
      q.entity_type = req->entity_type();
      q.entity_id = req->entity_id();
    } else if (req->actor_id() > 0) {
      q.actor_id = req->actor_id();
    } else if (req->actor_id() < 0) {
      return InvalidField("actor_id", "must be positive");
    } else {
      return InvalidField("entity_type",
                          "give either entity_type + entity_id or actor_id");
    }
    ASSIGN_OR_RETURN(q.limit, paging::PageSize(req->page_size(), 50, 200));
    ASSIGN_OR_RETURN(q.before_id,
                     paging::DecodePageToken(kList, req->page_token()));
    std::vector<AuditEntry> entries;
    RETURN_IF_ERROR(
        db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(entries, QueryAudit(c, q, p));
          return absl::OkStatus();
        }));
    for (const AuditEntry& e : entries) ToProto(e, resp->add_entries());
    resp->set_next_page_token(paging::NextPageToken(kList, entries, q.limit));
    return absl::OkStatus();
  });
}

}  // namespace crm::audit
