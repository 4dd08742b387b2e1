// Leaderboards: read (top N + my rank + rank change) and rebuild from
// MySQL.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/orders/domain/periods.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_leaderboard_job.h"
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

absl::Status OrdersServiceImpl::EnsureBoardsBuilt(const Period& period) {
  const std::vector<Period> periods = {PreviousPeriod(period), period};
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<int64_t> rebuilt,
                     RebuildMissingUnderLock(*pool_, redis_, *boards_,
                                             config_.calendar, periods));
    if (rebuilt.has_value()) return absl::OkStatus();
    // Another replica (or the job) holds the lock: the read retries once
    // it is done, within the deadline; else UNAVAILABLE from the read.
    if (absl::Now() > deadline) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(50));
  }
}

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
    auto read = [&] {
      return boards_->Read(metric, period, parent, top_n, me,
                           req->individuals());
    };
    absl::StatusOr<Leaderboards::Board> read_board = read();
    if (IsBoardNotBuilt(read_board.status())) {
      // Redis lost the boards (ADR 0095): rebuild this period and the
      // previous one now, or wait briefly for the replica that is.
      RETURN_IF_ERROR(EnsureBoardsBuilt(period));
      read_board = read();
    }
    ASSIGN_OR_RETURN(Leaderboards::Board board, std::move(read_board));
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
    ASSIGN_OR_RETURN(
        int64_t boards,
        RebuildBoardPeriods(*pool_, *boards_, config_.calendar, periods));
    resp->set_boards(boards);
    return absl::OkStatus();
  });
}

}  // namespace crm::orders
