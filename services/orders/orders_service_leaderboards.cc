// Leaderboards: read (top N + my rank + rank change) and rebuild from
// MySQL.
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/orders/domain/periods.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_service.h"
#include "services/orders/store/report_store.h"

namespace crm::orders {
namespace {

absl::StatusOr<BoardMetric> MetricOf(pb::Metric m) {
  if (m == pb::METRIC_SIGNED_AMOUNT) return BoardMetric::kSigned;
  if (m == pb::METRIC_RECEIVED_AMOUNT) return BoardMetric::kReceived;
  return InvalidField("metric", "must be SIGNED_AMOUNT or RECEIVED_AMOUNT");
}

absl::StatusOr<PeriodKind> BoardKindOf(pb::PeriodKind k) {
  if (k == pb::PERIOD_KIND_DAY) return PeriodKind::kDay;
  if (k == pb::PERIOD_KIND_WEEK) return PeriodKind::kWeek;
  if (k == pb::PERIOD_KIND_MONTH) return PeriodKind::kMonth;
  return InvalidField("period_kind", "must be DAY, WEEK or MONTH");
}

void EntryToProto(const Leaderboards::Entry& e, pb::LeaderboardEntry* out) {
  out->set_member(e.member);
  out->set_score(e.score);
  out->set_rank(e.rank);
  out->set_rank_change(e.rank_change);
  out->set_is_new(e.is_new);
}

absl::Status NoRedis() {
  return absl::UnavailableError(
      "leaderboards need Redis, which is not configured");
}

}  // namespace

grpc::Status OrdersServiceImpl::GetLeaderboard(
    grpc::ServerContext* ctx, const pb::GetLeaderboardRequest* req,
    pb::Leaderboard* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(BoardMetric metric, MetricOf(req->metric()));
    ASSIGN_OR_RETURN(PeriodKind kind, BoardKindOf(req->period_kind()));
    Period period =
        PeriodContaining(kind, config_.calendar.DayOf(clock_->Now()));
    if (!req->period().empty()) {
      ASSIGN_OR_RETURN(period, ParsePeriod("period", req->period()));
      if (period.kind != kind)
        return InvalidField("period", "does not match period_kind");
    }
    if (req->top_n() < 0 || req->top_n() > 200)
      return InvalidField("top_n", "must be 0..200 (0 = 50)");
    const int top_n = req->top_n() == 0 ? 50 : req->top_n();
    const std::string& parent = req->parent_org_path();
    if (!parent.empty() &&
        (parent.size() < 3 || parent.size() > 512 || parent.front() != '/' ||
         parent.back() != '/' ||
         parent.find_first_not_of("0123456789/") != std::string::npos ||
         parent.find("//") != std::string::npos))
      return InvalidField("parent_org_path", "must be an org path like /1/4/");
    if (boards_ == nullptr) return NoRedis();
    const bool individuals = parent.empty() || req->individuals();
    const std::string me = individuals ? absl::StrCat(p.user_id) : "";
    ASSIGN_OR_RETURN(
        Leaderboards::Board board,
        boards_->Read(metric, period, parent, top_n, me, req->individuals()));
    resp->set_period(period.key);
    for (const auto& e : board.top) EntryToProto(e, resp->add_entries());
    if (individuals) {
      EntryToProto(board.me, resp->mutable_me());
      resp->mutable_me()->set_member(me);
    }
    return absl::OkStatus();
  });
}

grpc::Status OrdersServiceImpl::RebuildLeaderboards(
    grpc::ServerContext* ctx, const pb::RebuildLeaderboardsRequest* req,
    pb::RebuildLeaderboardsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireAdmin(p, "rebuild leaderboards"));
    ASSIGN_OR_RETURN(absl::Time as_of,
                     AsOf(&req->as_of(), req->has_as_of(), clock_->Now()));
    std::vector<Period> periods;
    if (!req->period().empty()) {
      ASSIGN_OR_RETURN(Period one, ParsePeriod("period", req->period()));
      if (one.kind == PeriodKind::kQuarter || one.kind == PeriodKind::kYear)
        return InvalidField("period", "must be a day, week or month");
      periods.push_back(one);
    } else {
      std::vector<PeriodKind> kinds = BoardPeriodKinds();
      if (req->period_kind() != pb::PERIOD_KIND_UNSPECIFIED) {
        ASSIGN_OR_RETURN(PeriodKind k, BoardKindOf(req->period_kind()));
        kinds = {k};
      }
      for (PeriodKind k : kinds) {
        Period cur = PeriodContaining(k, config_.calendar.DayOf(as_of));
        periods.push_back(PreviousPeriod(cur));
        periods.push_back(cur);
      }
    }
    if (boards_ == nullptr) return NoRedis();
    int64_t boards = 0;
    for (const Period& period : periods) {
      std::vector<Leaderboards::OwnerTotal> signed_totals, received_totals;
      RETURN_IF_ERROR(db::WithConnection(*pool_, [&](db::Connection& c) {
        ASSIGN_OR_RETURN(signed_totals, report_store::SignedByOwner(
                                            c, config_.calendar.Start(period),
                                            config_.calendar.End(period)));
        ASSIGN_OR_RETURN(received_totals, report_store::ReceivedByOwner(
                                              c, period.first, period.end));
        return absl::OkStatus();
      }));
      ASSIGN_OR_RETURN(int64_t a, boards_->Rebuild(BoardMetric::kSigned, period,
                                                   signed_totals));
      ASSIGN_OR_RETURN(int64_t b, boards_->Rebuild(BoardMetric::kReceived,
                                                   period, received_totals));
      boards += a + b;
    }
    resp->set_boards(boards);
    return absl::OkStatus();
  });
}

}  // namespace crm::orders
