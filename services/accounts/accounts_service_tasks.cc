// Task center: CreateTask, DispatchTasks, ListMyTasks, CompleteTask.
//
// Who may give whom a task: anyone may give themself one; a manager may
// give one to any active user their data scope covers (identity resolves
// the user with the caller's token, so users outside the scope are
// NOT_FOUND). A linked account must be visible to the caller.
#include <map>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/auth/data_scope.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/validate/request_id.h"
#include "common/validate/text.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/domain/dispatch.h"
#include "services/accounts/handler_util.h"
#include "services/accounts/store/task_store.h"
#include "services/identity/proto_convert.h"

namespace crm::accounts {
namespace {

namespace idpb = crm::identity::v1;

constexpr int kDefaultTaskPageSize = 50;
constexpr int kMaxTaskPageSize = 500;
constexpr size_t kMaxTitleChars = 200;

absl::Status ValidateTitle(const std::string& field, const std::string& title) {
  if (absl::StripAsciiWhitespace(title).empty())
    return InvalidField(field, "required");
  if (validate::Utf8Length(title) > kMaxTitleChars)
    return InvalidField(field, "at most 200 characters");
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ValidateDue(const std::string& field, bool has,
                                       const google::protobuf::Timestamp& t) {
  if (!has) return InvalidField(field, "required");
  return ValidTime(field, t);
}

void ToProto(const TaskRecord& t, absl::Time now, pb::Task* out) {
  out->set_id(t.id);
  out->set_assignee_id(t.assignee_id);
  out->set_title(t.title);
  out->set_account_id(t.account_id.value_or(0));
  identity::ToTimestamp(t.due_at, out->mutable_due_time());
  out->set_status(static_cast<pb::TaskStatus>(static_cast<int>(t.status)));
  out->set_overdue(t.status == TaskStatus::kOpen && t.due_at < now);
  out->set_kind(t.kind);
  identity::ToTimestamp(t.created_at, out->mutable_create_time());
}

}  // namespace

grpc::Status AccountsServiceImpl::CreateTask(grpc::ServerContext* ctx,
                                             const pb::CreateTaskRequest* req,
                                             pb::Task* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    const pb::Task& in = req->task();
    RETURN_IF_ERROR(ValidateTitle("task.title", in.title()));
    ASSIGN_OR_RETURN(
        absl::Time due,
        ValidateDue("task.due_time", in.has_due_time(), in.due_time()));
    if (!in.kind().empty() && in.kind() != kTaskManual) {
      return InvalidField("task.kind",
                          "only \"manual\" tasks can be created directly");
    }
    if (in.assignee_id() < 0)
      return InvalidField("task.assignee_id", "must be a user id or 0 (me)");
    TaskRecord t;
    t.title = in.title();
    t.due_at = due;
    t.kind = kTaskManual;
    t.created_by = p.user_id;
    t.assignee_id = in.assignee_id() == 0 ? p.user_id : in.assignee_id();
    t.assignee_org_path = p.org_path;
    if (t.assignee_id != p.user_id) {
      if (!IsManager(p)) {
        return absl::PermissionDeniedError(
            "only managers and admins may give tasks to other users");
      }
      ASSIGN_OR_RETURN(idpb::User user, LookupUser(ctx, t.assignee_id));
      if (!auth::CanSee(p, user.id(), user.org_path())) {
        return absl::NotFoundError(
            absl::StrCat("user ", t.assignee_id, " not found"));
      }
      t.assignee_org_path = user.org_path();
    }
    if (in.account_id() != 0) {
      ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, in.account_id()));
      t.account_id = a.id;
    }
    if (!req->request_id().empty())
      t.dedupe_key = absl::StrCat("req:", p.user_id, ":", req->request_id());
    TaskStore tasks(pool_, clock_);
    ASSIGN_OR_RETURN(TaskRecord created, tasks.Create(t));
    ToProto(created, clock_->Now(), resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::DispatchTasks(
    grpc::ServerContext* ctx, const pb::DispatchTasksRequest* req,
    pb::DispatchTasksResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!IsManager(p)) {
      return absl::PermissionDeniedError(
          "only managers and admins may dispatch tasks");
    }
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    RETURN_IF_ERROR(ValidateTitle("title", req->title()));
    ASSIGN_OR_RETURN(
        absl::Time due,
        ValidateDue("due_time", req->has_due_time(), req->due_time()));
    std::vector<int64_t> account_ids(req->account_ids().begin(),
                                     req->account_ids().end());
    std::vector<int64_t> assignee_ids(req->assignee_ids().begin(),
                                      req->assignee_ids().end());
    RETURN_IF_ERROR(ValidateDispatch(account_ids, assignee_ids));
    TaskStore tasks(pool_, clock_);
    const std::string key_prefix =
        absl::StrCat("dispatch:", p.user_id, ":", req->request_id(), ":");
    if (!req->request_id().empty()) {
      // A retry returns the first attempt's tasks (created all at once).
      ASSIGN_OR_RETURN(std::vector<TaskRecord> prior,
                       tasks.FindByKeyPrefix(key_prefix));
      const absl::Time now = clock_->Now();
      for (const TaskRecord& t : prior) {
        int64_t account = 0;
        if (t.dedupe_key.has_value() &&
            absl::SimpleAtoi(
                absl::string_view(*t.dedupe_key).substr(key_prefix.size()),
                &account)) {
          ToProto(t, now, resp->add_tasks());
        }
      }
      if (resp->tasks_size() > 0) return absl::OkStatus();
    }
    std::map<int64_t, std::string> paths;
    for (int64_t id : assignee_ids) {
      auto user = LookupUser(ctx, id);
      if (!user.ok()) {
        if (absl::IsNotFound(user.status()))
          return absl::NotFoundError(
              absl::StrCat("assignee_ids: user ", id, " not found"));
        return user.status();
      }
      if (!auth::CanSee(p, user->id(), user->org_path())) {
        return absl::NotFoundError(
            absl::StrCat("assignee_ids: user ", id, " not found"));
      }
      paths[id] = user->org_path();
    }
    for (int64_t id : account_ids) {
      auto a = VisibleAccount(p, id);
      if (absl::IsNotFound(a.status()))
        return absl::NotFoundError(
            absl::StrCat("account_ids: account ", id, " not found"));
      RETURN_IF_ERROR(a.status());
    }
    std::vector<TaskRecord> drafts;
    for (const DispatchItem& item : SplitEvenly(account_ids, assignee_ids)) {
      TaskRecord t;
      t.assignee_id = item.assignee_id;
      t.assignee_org_path = paths[item.assignee_id];
      t.title = req->title();
      t.account_id = item.account_id;
      t.due_at = due;
      t.kind = kTaskDispatch;
      t.created_by = p.user_id;
      if (!req->request_id().empty())
        t.dedupe_key = absl::StrCat(key_prefix, item.account_id);
      drafts.push_back(std::move(t));
    }
    ASSIGN_OR_RETURN(std::vector<TaskRecord> created, tasks.CreateAll(drafts));
    const absl::Time now = clock_->Now();
    for (const TaskRecord& t : created) ToProto(t, now, resp->add_tasks());
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::ListMyTasks(grpc::ServerContext* ctx,
                                              const pb::ListMyTasksRequest* req,
                                              pb::ListTasksResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(int limit,
                     paging::PageSize(req->page_size(), kDefaultTaskPageSize,
                                      kMaxTaskPageSize));
    ASSIGN_OR_RETURN(int64_t after,
                     paging::DecodePageToken("ListMyTasks", req->page_token()));
    TaskStore tasks(pool_, clock_);
    ASSIGN_OR_RETURN(
        std::vector<TaskRecord> page,
        tasks.ListFor(p.user_id, req->include_done(), after, limit));
    const absl::Time now = clock_->Now();
    for (const TaskRecord& t : page) ToProto(t, now, resp->add_tasks());
    resp->set_next_page_token(
        paging::NextPageToken("ListMyTasks", page, limit));
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::CompleteTask(
    grpc::ServerContext* ctx, const pb::CompleteTaskRequest* req,
    pb::Task* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->id() <= 0) return InvalidField("id", "must be a positive task id");
    TaskStore tasks(pool_, clock_);
    auto t = tasks.Get(req->id());
    if (absl::IsNotFound(t.status()) ||
        (t.ok() && t->assignee_id != p.user_id &&
         !auth::CanSee(p, t->assignee_id, t->assignee_org_path))) {
      return absl::NotFoundError(
          absl::StrCat("task ", req->id(), " not found"));
    }
    RETURN_IF_ERROR(t.status());
    if (t->assignee_id != p.user_id) {
      return absl::PermissionDeniedError(
          absl::StrCat("only the assignee may complete task ", req->id()));
    }
    ASSIGN_OR_RETURN(TaskRecord done, tasks.Complete(t->id));
    ToProto(done, clock_->Now(), resp);
    return absl::OkStatus();
  });
}

}  // namespace crm::accounts
