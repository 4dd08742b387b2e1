// Payments (idempotent by reference, allocated to installments, refunds),
// overdue detection and the pending-collection list.
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "services/orders/domain/payment_plan.h"
#include "services/orders/domain/periods.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_overdue_job.h"
#include "services/orders/orders_service.h"
#include "services/orders/proto_convert.h"
#include "services/orders/store/contract_audit.h"
#include "services/orders/store/contract_store.h"
#include "services/orders/store/payment_store.h"

namespace crm::orders {
namespace {

constexpr int kDefaultPageSize = 50;

// The owner's rank (1-based, 0 = not on it) on the month's individual
// "received" board; nullopt without leaderboards or when Redis fails.
std::optional<int64_t> OwnerRank(Leaderboards* boards, const Period& month,
                                 int64_t owner_id) {
  if (boards == nullptr || owner_id <= 0) return std::nullopt;
  absl::StatusOr<Leaderboards::Board> b = boards->Read(
      BoardMetric::kReceived, month, "", 1, absl::StrCat(owner_id));
  if (!b.ok()) return std::nullopt;
  return b->me.rank;
}

// LeaderboardRankChanged, right after the leaderboard update (Redis is not
// part of the payment's transaction; ADR 0091). Best effort: a lost event
// costs one notification, never a payment.
void AppendRankChanged(db::ConnectionPool& pool, const PaymentRecord& pay,
                       const Period& month, int64_t old_rank, int64_t new_rank,
                       absl::Time now) {
  nlohmann::json payload = {{"owner_id", pay.owner_id},
                            {"metric", "received"},
                            {"period", month.key},
                            {"old_rank", old_rank},
                            {"new_rank", new_rank},
                            {"payment_id", pay.id},
                            {"contract_id", absl::StrCat(pay.contract_id)}};
  absl::Status s = db::RunInTransaction(pool, [&](db::Connection& c) {
    return events::AppendToOutbox(c, events::StreamFor(kServiceName),
                                  "LeaderboardRankChanged",
                                  absl::StrCat(pay.owner_id), payload, now)
        .status();
  });
  if (!s.ok()) {
    log::Warn("orders: rank change event not recorded",
              {{"error", s.ToString()}, {"owner", pay.owner_id}});
  }
}
constexpr int kMaxPageSize = 500;

// The first payment with this reference, as a retry answer, or
// ALREADY_EXISTS when the reference was used for a different payment.
absl::Status ReplayOrClash(const PaymentRecord& prior,
                           const pb::RecordPaymentRequest& req, int64_t amount,
                           pb::Payment* resp) {
  if (prior.contract_id == req.contract_id() && prior.amount_minor == amount) {
    ToProto(prior, resp);
    return absl::OkStatus();
  }
  return absl::AlreadyExistsError(
      absl::StrCat("reference: payment ", prior.id,
                   " already uses this reference (contract ", prior.contract_id,
                   ", amount ", prior.amount_minor, ")"));
}

}  // namespace

grpc::Status OrdersServiceImpl::RecordPayment(
    grpc::ServerContext* ctx, const pb::RecordPaymentRequest* req,
    pb::Payment* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    audit::ActorScope audit_actor(p, req->reference());
    RETURN_IF_ERROR(RequireFinance(p, "record payments"));
    if (req->contract_id() <= 0)
      return InvalidField("contract_id", "must be a positive contract id");
    if (req->reference().empty() || req->reference().size() > 100)
      return InvalidField("reference", "required, at most 100 bytes");
    if (req->method().size() > 40)
      return InvalidField("method", "at most 40 bytes");
    ASSIGN_OR_RETURN(int64_t amount, MinorOf("amount", req->amount()));
    if (amount == 0) return InvalidField("amount", "must not be zero");
    if (amount < -kMaxAmountMinor || amount > kMaxAmountMinor)
      return InvalidField("amount", "at most 10^15 minor units");
    if (amount < 0 && req->reason().empty())
      return InvalidField("reason", "required for a refund");
    if (req->reason().size() > 300)
      return InvalidField("reason", "at most 300 bytes");
    if (req->installment_number() < 0)
      return InvalidField("installment_number", "must not be negative");
    if (amount < 0 && req->installment_number() != 0) {
      return InvalidField("installment_number",
                          "refunds are taken back latest due first");
    }
    // No date: today on the business calendar (a payment at 23:30 Beijing
    // time on March 31 is received in March).
    absl::CivilDay received = config_.calendar.DayOf(clock_->Now());
    if (!req->received_date().empty()) {
      ASSIGN_OR_RETURN(received,
                       ParseDate("received_date", req->received_date()));
    }

    auto replay = [&]() -> absl::StatusOr<bool> {
      std::optional<PaymentRecord> prior;
      RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
        ASSIGN_OR_RETURN(prior,
                         payment_store::FindByReference(c, req->reference()));
        return absl::OkStatus();
      }));
      if (!prior.has_value()) return false;
      RETURN_IF_ERROR(ReplayOrClash(*prior, *req, amount, resp));
      return true;
    };
    ASSIGN_OR_RETURN(bool done, replay());
    if (done) return absl::OkStatus();

    const absl::Time now = clock_->Now();
    PaymentRecord pay;
    int64_t pending = 0;  // MarkBumpPending's row
    absl::Status s = db::RunInTransaction(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, req->contract_id(), true));
      if (r.status != ContractStatus::kSigned) {
        return absl::FailedPreconditionError(
            absl::StrCat("contract ", r.id,
                         " is not signed; payments need a signed "
                         "contract"));
      }
      std::vector<InstallmentBalance> plan;
      for (const InstallmentRecord& i : r.installments)
        plan.push_back({i.id, i.seq, i.due_date, i.amount_minor, i.paid_minor});
      std::vector<AllocationShare> shares;
      if (amount > 0) {
        ASSIGN_OR_RETURN(
            shares,
            AllocatePayment(plan, amount, req->installment_number() - 1));
      } else {
        ASSIGN_OR_RETURN(shares, AllocateRefund(plan, -amount));
      }
      pay = PaymentRecord{};
      pay.contract_id = r.id;
      pay.reference = req->reference();
      pay.amount_minor = amount;
      pay.received_date = received;
      pay.method = req->method();
      pay.reason = req->reason();
      pay.owner_id = r.owner_id;
      pay.owner_org_path = r.owner_org_path;
      pay.recorded_by = p.user_id;
      pay.created_at = now;
      for (const AllocationShare& a : shares)
        pay.allocations.push_back({a.installment_id, a.index, a.amount_minor});
      ASSIGN_OR_RETURN(pay.id, payment_store::Insert(c, pay, now));
      RETURN_IF_ERROR(AuditPayment(c, pay, now));
      ASSIGN_OR_RETURN(
          pending, MarkBumpPending(c, BoardMetric::kReceived, received, now));
      nlohmann::json payload = {
          {"payment_id", pay.id},
          {"contract_id", absl::StrCat(r.id)},
          {"account_id", r.account_id},
          {"amount_minor", amount},
          {"currency", "CNY"},
          {"received_date", FormatDate(received)},
          {"reference", pay.reference},
          {"refund", amount < 0},
          {"owner_id", r.owner_id},
          {"owner_org_path", r.owner_org_path},
          {"contract_received_minor", r.received_minor + amount},
          {"contract_amount_minor", r.amount_minor}};
      return events::AppendToOutbox(c, events::StreamFor(kServiceName),
                                    "PaymentReceived", absl::StrCat(r.id),
                                    payload, now)
          .status();
    });
    if (absl::IsAlreadyExists(s)) {
      // A concurrent request with the same reference committed first.
      ASSIGN_OR_RETURN(bool replayed, replay());
      if (replayed) return absl::OkStatus();
    }
    RETURN_IF_ERROR(s);
    // The payer's owner hears when their rank on this month's board moves.
    const Period month = PeriodContaining(PeriodKind::kMonth, received);
    const std::optional<int64_t> rank_before =
        OwnerRank(boards_.get(), month, pay.owner_id);
    BumpBoards(BoardMetric::kReceived, received, pay.owner_id,
               pay.owner_org_path, amount, pending);
    if (rank_before.has_value()) {
      const std::optional<int64_t> rank_after =
          OwnerRank(boards_.get(), month, pay.owner_id);
      if (rank_after.has_value() && *rank_after != *rank_before) {
        AppendRankChanged(*pool_, pay, month, *rank_before, *rank_after,
                          clock_->Now());
      }
    }
    ToProto(pay, resp);
    return absl::OkStatus();
  });
}

grpc::Status OrdersServiceImpl::ListPayments(grpc::ServerContext* ctx,
                                             const pb::ListPaymentsRequest* req,
                                             pb::ListPaymentsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(
        int limit,
        paging::PageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(int64_t after, paging::DecodePageToken("ListPayments",
                                                            req->page_token()));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(ContractRecord r,
                       VisibleContract(c, p, req->contract_id()));
      ASSIGN_OR_RETURN(std::vector<PaymentRecord> rows,
                       payment_store::ListByContract(c, r.id, after, limit));
      for (const PaymentRecord& pay : rows) ToProto(pay, resp->add_payments());
      resp->set_next_page_token(
          paging::NextPageToken("ListPayments", rows, limit));
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::RunOverdueCheck(
    grpc::ServerContext* ctx, const pb::RunOverdueCheckRequest* req,
    pb::RunOverdueCheckResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "run the overdue check"));
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(absl::Time as_of,
                     AsOf(&req->as_of(), req->has_as_of(), now));
    OverdueJobOptions options;
    options.batch = config_.overdue_batch;
    options.calendar = config_.calendar;
    auto n = RunOverdueUnderLock(*pool_, redis_, options, as_of, now);
    if (!n.ok() && absl::IsUnavailable(n.status()) && redis_ != nullptr) {
      // Redis down: the pass is idempotent in MySQL, run it unguarded.
      n = RunOverdueUnderLock(*pool_, nullptr, options, as_of, now);
    }
    RETURN_IF_ERROR(n.status());
    if (!n->has_value()) {
      return absl::AbortedError(
          "an overdue pass is already running (scheduled job); retry later");
    }
    resp->set_newly_overdue(**n);
    return absl::OkStatus();
  });
}

grpc::Status OrdersServiceImpl::ListPendingCollections(
    grpc::ServerContext* ctx, const pb::ListPendingCollectionsRequest* req,
    pb::ListPendingCollectionsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    payment_store::CollectionFilter f;
    ASSIGN_OR_RETURN(f.limit, paging::PageSize(req->page_size(),
                                               kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(
        f.after_id,
        paging::DecodePageToken("ListPendingCollections", req->page_token()));
    if (req->owner_id() < 0)
      return InvalidField("owner_id", "must not be negative");
    f.owner_id = req->owner_id();
    if (!req->org_path().empty() &&
        (req->org_path().front() != '/' || req->org_path().back() != '/')) {
      return InvalidField("org_path", "must be a path like /1/4/");
    }
    f.org_path = req->org_path();
    ASSIGN_OR_RETURN(absl::Time as_of,
                     AsOf(&req->as_of(), req->has_as_of(), clock_->Now()));
    const absl::CivilDay day = config_.calendar.DayOf(as_of);
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(std::vector<CollectionRecord> rows,
                       payment_store::PendingCollections(c, p, f));
      int64_t total = 0;
      for (const CollectionRecord& r : rows) {
        pb::PendingCollection* o = resp->add_items();
        o->set_contract_id(r.contract_id);
        o->set_installment_id(r.installment_id);
        o->set_installment_index(r.seq);
        o->set_account_id(r.account_id);
        o->set_owner_id(r.owner_id);
        o->set_owner_org_path(r.owner_org_path);
        o->set_due_date(FormatDate(r.due_date));
        SetMoney(r.amount_minor, o->mutable_amount());
        SetMoney(r.amount_minor - r.paid_minor, o->mutable_outstanding());
        o->set_days_overdue(DaysOverdue(r.due_date, day));
        total += r.amount_minor - r.paid_minor;
      }
      SetMoney(total, resp->mutable_total_outstanding());
      if (static_cast<int>(rows.size()) == f.limit && !rows.empty()) {
        resp->set_next_page_token(paging::EncodePageToken(
            "ListPendingCollections", rows.back().installment_id));
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace crm::orders
