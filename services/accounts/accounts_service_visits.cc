// Review of suspicious check-ins (seed 004 拜访签到: the system flags, a
// manager decides). Only managers and admins; each sees the check-ins of
// reps in their own subtree (ADR 0002: others are NOT_FOUND).
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/validate/text.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/handler_util.h"
#include "services/accounts/proto_convert.h"
#include "services/accounts/store/visit_review_store.h"

namespace crm::accounts {
namespace {

constexpr int kDefaultVisitPageSize = 50;
constexpr int kMaxVisitPageSize = 500;
constexpr size_t kMaxReviewNoteChars = 500;

// The org path prefix a manager's list is limited to ("" = all).
std::string ScopePrefix(const auth::Principal& p) {
  return p.scope == auth::DataScope::kAll ? "" : p.org_path;
}

}  // namespace

grpc::Status AccountsServiceImpl::ListSuspiciousVisits(
    grpc::ServerContext* ctx, const pb::ListSuspiciousVisitsRequest* req,
    pb::ListVisitsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "review visits"));
    ASSIGN_OR_RETURN(int limit,
                     paging::PageSize(req->page_size(), kDefaultVisitPageSize,
                                      kMaxVisitPageSize));
    ASSIGN_OR_RETURN(
        int64_t before,
        paging::DecodePageToken("ListSuspiciousVisits", req->page_token()));
    VisitReviewStore store(pool_, clock_);
    ASSIGN_OR_RETURN(
        std::vector<VisitRecord> page,
        store.ListSuspicious(ScopePrefix(p), req->include_reviewed(), before,
                             limit));
    for (const VisitRecord& v : page) ToProto(v, resp->add_visits());
    resp->set_next_page_token(
        paging::NextPageToken("ListSuspiciousVisits", page, limit));
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::ReviewVisit(grpc::ServerContext* ctx,
                                              const pb::ReviewVisitRequest* req,
                                              pb::Visit* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "review visits"));
    if (req->visit_id() <= 0) return InvalidField("visit_id", "required");
    if (req->verdict() != pb::VISIT_REVIEW_GENUINE &&
        req->verdict() != pb::VISIT_REVIEW_FRAUD) {
      return InvalidField("verdict", "must be GENUINE or FRAUD");
    }
    std::string note = req->note();
    RETURN_IF_ERROR(
        validate::ValidateFreeText(&note, "note", kMaxReviewNoteChars, false));
    if (req->verdict() == pb::VISIT_REVIEW_FRAUD && note.empty()) {
      return InvalidField("note", "required when the verdict is FRAUD");
    }
    VisitReviewStore store(pool_, clock_);
    ASSIGN_OR_RETURN(
        VisitRecord v,
        store.Review(req->visit_id(), static_cast<VisitReview>(req->verdict()),
                     p.user_id, note, [&](const VisitRecord& visit) {
                       return auth::CanSee(p, visit.user_id,
                                           visit.user_org_path);
                     }));
    ToProto(v, resp);
    return absl::OkStatus();
  });
}

}  // namespace crm::accounts
