#include "services/accounts/accounts_service_messages.h"

#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "services/accounts/domain/inbox_rules.h"
#include "services/accounts/store/inbox_store.h"

namespace crm::accounts {

namespace mpb = crm::messages::v1;

namespace {

constexpr char kList[] = "messages";

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  out->set_seconds(micros / 1000000);
  out->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

void ToProto(const InboxMessage& m, mpb::Message* out) {
  out->set_id(m.id);
  out->set_user_id(m.user_id);
  out->set_kind(m.kind);
  out->set_title(m.title);
  out->set_body(m.body);
  out->set_entity_type(m.entity_type);
  out->set_entity_id(m.entity_id);
  SetTime(m.created_at, out->mutable_created_at());
  out->set_read(m.read_at.has_value());
  if (m.read_at) SetTime(*m.read_at, out->mutable_read_at());
  out->set_source_event_id(m.source_event_id);
}

// The caller's user id: every user has an inbox; a service token has none.
absl::StatusOr<int64_t> InboxOwner(const grpc::ServerContext* ctx) {
  ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
  if (p.user_id <= 0) {
    return absl::PermissionDeniedError("only users have an inbox");
  }
  return p.user_id;
}

}  // namespace

MessagesServiceImpl::MessagesServiceImpl(
    std::shared_ptr<db::ConnectionPool> pool,
    std::shared_ptr<const Clock> clock)
    : pool_(std::move(pool)), clock_(std::move(clock)) {}

grpc::Status MessagesServiceImpl::ListMessages(
    grpc::ServerContext* ctx, const mpb::ListMessagesRequest* req,
    mpb::ListMessagesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(int64_t user, InboxOwner(ctx));
    inbox_store::ListFilter f;
    f.user_id = user;
    f.unread_only = req->unread_only();
    if (req->kind().size() > 32)
      return InvalidField("kind", "at most 32 characters");
    f.kind = req->kind();
    ASSIGN_OR_RETURN(f.limit, paging::PageSize(req->page_size(), 50, 200));
    ASSIGN_OR_RETURN(f.before_id,
                     paging::DecodePageToken(kList, req->page_token()));
    std::vector<InboxMessage> page;
    RETURN_IF_ERROR(
        db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(page, inbox_store::List(c, f));
          return absl::OkStatus();
        }));
    for (const InboxMessage& m : page) ToProto(m, resp->add_messages());
    resp->set_next_page_token(paging::NextPageToken(kList, page, f.limit));
    return absl::OkStatus();
  });
}

grpc::Status MessagesServiceImpl::GetUnreadCount(
    grpc::ServerContext* ctx, const mpb::GetUnreadCountRequest*,
    mpb::UnreadCount* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(int64_t user, InboxOwner(ctx));
    std::map<std::string, int64_t> by_kind;
    RETURN_IF_ERROR(
        db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
          ASSIGN_OR_RETURN(by_kind, inbox_store::UnreadByKind(c, user));
          return absl::OkStatus();
        }));
    int64_t total = 0;
    for (const auto& [kind, n] : by_kind) {
      (*resp->mutable_by_kind())[kind] = n;
      total += n;
    }
    resp->set_total(total);
    return absl::OkStatus();
  });
}

grpc::Status MessagesServiceImpl::MarkRead(grpc::ServerContext* ctx,
                                           const mpb::MarkReadRequest* req,
                                           mpb::Message* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(int64_t user, InboxOwner(ctx));
    if (req->id() <= 0) return InvalidField("id", "must be positive");
    ASSIGN_OR_RETURN(
        InboxMessage m,
        db::RunInTransactionFor<InboxMessage>(*pool_, [&](db::Connection& c) {
          return inbox_store::MarkRead(c, user, req->id(), clock_->Now());
        }));
    ToProto(m, resp);
    return absl::OkStatus();
  });
}

grpc::Status MessagesServiceImpl::MarkAllRead(grpc::ServerContext* ctx,
                                              const mpb::MarkAllReadRequest*,
                                              mpb::MarkAllReadResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(int64_t user, InboxOwner(ctx));
    ASSIGN_OR_RETURN(
        int64_t n,
        db::RunInTransactionFor<int64_t>(*pool_, [&](db::Connection& c) {
          return inbox_store::MarkAllRead(c, user, clock_->Now());
        }));
    resp->set_marked(n);
    return absl::OkStatus();
  });
}

InboxConsumers::InboxConsumers(std::shared_ptr<db::ConnectionPool> pool,
                               redis::RedisPool* redis,
                               std::shared_ptr<const Clock> clock,
                               std::string consumer_name,
                               absl::Duration idle_wait)
    : clock_(std::move(clock)), idle_wait_(idle_wait) {
  if (consumer_name.empty())
    consumer_name = events::DefaultConsumerName("accounts");
  for (const char* svc : {"leads", "orders", "tickets", "opportunities"}) {
    events::ConsumerOptions o;
    o.group = kInboxGroup;
    o.consumer = consumer_name;
    o.stream = events::StreamFor(svc);
    consumers_.push_back(std::make_unique<events::StreamConsumer>(
        pool, redis, o,
        [this](const events::Event& e, db::Connection& tx) {
          return Handle(e, tx);
        },
        clock_));
  }
}

InboxConsumers::~InboxConsumers() { Stop(); }

void InboxConsumers::Start() {
  loop_.Start([this] {
    while (true) {
      absl::StatusOr<int> n = PollOnce();
      if (!n.ok()) {
        log::Warn("inbox: poll failed", {{"error", n.status().ToString()}});
      }
      if (!loop_.WaitFor(n.ok() && *n > 0 ? absl::ZeroDuration() : idle_wait_))
        return;
    }
  });
}

void InboxConsumers::Stop() { loop_.Stop(); }

absl::StatusOr<int> InboxConsumers::PollOnce() {
  int total = 0;
  absl::Status first;
  for (auto& c : consumers_) {
    absl::StatusOr<int> n = c->PollOnce();
    if (n.ok()) {
      total += *n;
    } else if (first.ok()) {
      first = n.status();  // the other streams still get their turn
    }
  }
  if (!first.ok()) return first;
  return total;
}

absl::Status InboxConsumers::Handle(const events::Event& e,
                                    db::Connection& tx) {
  if (e.type != "ApprovalStepWaiting") return Apply(e, tx, clock_->Now());
  std::optional<StepWaiting> step = ParseStepWaiting(e);
  if (!step.has_value()) {
    log::Warn("inbox: unusable ApprovalStepWaiting skipped",
              {{"event_id", e.event_id}});
    return absl::OkStatus();
  }
  if (approvers_ == nullptr) {
    log::Warn(
        "inbox: no approver lookup configured; ApprovalStepWaiting "
        "skipped",
        {{"event_id", e.event_id}});
    return absl::OkStatus();
  }
  // Identity unavailable: the error leaves the event pending for a retry.
  ASSIGN_OR_RETURN(std::vector<int64_t> users,
                   approvers_->UsersCovering(step->owner_org_path, step->role,
                                             step->owner_id));
  const absl::Time now = clock_->Now();
  for (const InboxMessage& m : ApprovalWaiting(e, *step, users))
    RETURN_IF_ERROR(inbox_store::Post(tx, m, now).status());
  return absl::OkStatus();
}

absl::Status InboxConsumers::Apply(const events::Event& e, db::Connection& tx,
                                   absl::Time now) {
  for (const InboxMessage& m : MessagesForEvent(e))
    RETURN_IF_ERROR(inbox_store::Post(tx, m, now).status());
  return absl::OkStatus();
}

}  // namespace crm::accounts
