// Targets, achievement, the renewal list and the boss dashboard
// (GetBusinessSummary).
#include "absl/strings/str_cat.h"
#include "common/auth/call_context.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/orders/domain/periods.h"
#include "services/orders/handler_util.h"
#include "services/orders/orders_service.h"
#include "services/orders/proto_convert.h"
#include "services/orders/store/report_store.h"

namespace crm::orders {
namespace {

absl::Status ValidOrgPath(const std::string& field, const std::string& path) {
  if (path.size() < 3 || path.size() > 512 || path.front() != '/' ||
      path.back() != '/' ||
      path.find_first_not_of("0123456789/") != std::string::npos ||
      path.find("//") != std::string::npos) {
    return InvalidField(field, "must be an org path like /1/4/");
  }
  return absl::OkStatus();
}

// A reporting period: month, quarter or year.
absl::StatusOr<Period> ReportPeriod(const std::string& text) {
  ASSIGN_OR_RETURN(Period p, ParsePeriod("period", text));
  if (p.kind == PeriodKind::kDay || p.kind == PeriodKind::kWeek)
    return InvalidField("period", "must be a month, quarter or year");
  return p;
}

double Rate(int64_t actual, int64_t target) {
  return target > 0 ? static_cast<double>(actual) / static_cast<double>(target)
                    : 0.0;
}

absl::Status UnitNotFound(const std::string& path) {
  return absl::NotFoundError(absl::StrCat("org unit ", path, " not found"));
}

// The subject of an achievement / summary request, checked against the
// caller's scope.
absl::StatusOr<report_store::Subject> SubjectOf(const auth::Principal& p,
                                                int64_t user_id,
                                                const std::string& org_path) {
  report_store::Subject s;
  s.viewer = p;
  if ((user_id > 0) == !org_path.empty())
    return InvalidField("user_id", "set exactly one of user_id and org_path");
  if (user_id < 0) return InvalidField("user_id", "must be positive");
  if (user_id > 0) {
    if (p.scope == auth::DataScope::kSelf && user_id != p.user_id)
      return absl::NotFoundError(absl::StrCat("user ", user_id, " not found"));
    s.user_id = user_id;
    return s;
  }
  RETURN_IF_ERROR(ValidOrgPath("org_path", org_path));
  if (p.scope == auth::DataScope::kSelf || !auth::CanSeeUnit(p, org_path))
    return UnitNotFound(org_path);
  s.org_path = org_path;
  return s;
}

absl::StatusOr<int64_t> Actual(db::Connection& c,
                               const report_store::Subject& s,
                               const BusinessCalendar& cal,
                               const Period& period, pb::Metric metric) {
  switch (metric) {
    case pb::METRIC_SIGNED_AMOUNT: {
      ASSIGN_OR_RETURN(auto r, report_store::SumSigned(c, s, cal.Start(period),
                                                       cal.End(period), 0));
      return r.amount_minor;
    }
    case pb::METRIC_RECEIVED_AMOUNT:
      return report_store::SumReceived(c, s, period.first, period.end);
    case pb::METRIC_NEW_CUSTOMERS: {
      ASSIGN_OR_RETURN(auto r, report_store::SumSigned(c, s, cal.Start(period),
                                                       cal.End(period), 1));
      return r.customers;
    }
    case pb::METRIC_RENEWAL_AMOUNT: {
      ASSIGN_OR_RETURN(auto r, report_store::SumSigned(c, s, cal.Start(period),
                                                       cal.End(period), 2));
      return r.amount_minor;
    }
    default:
      return InvalidField("metric", "must be set");
  }
}

}  // namespace

grpc::Status OrdersServiceImpl::SetTarget(grpc::ServerContext* ctx,
                                          const pb::SetTargetRequest* req,
                                          pb::Target* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    RETURN_IF_ERROR(RequireManager(p, "set targets"));
    const pb::Target& t = req->target();
    ASSIGN_OR_RETURN(report_store::Subject s,
                     SubjectOf(p, t.user_id(), t.org_path()));
    ASSIGN_OR_RETURN(Period period, ReportPeriod(t.period()));
    if (t.metric() < pb::METRIC_SIGNED_AMOUNT ||
        t.metric() > pb::METRIC_RENEWAL_AMOUNT)
      return InvalidField("metric", "must be set");
    if (t.value() < 0 || t.value() > 1'000'000'000'000'000)
      return InvalidField("value", "must be 0..10^15");
    // The user or unit must exist and be in the caller's subtree (asked of
    // identity as the caller; NOT_FOUND otherwise, ADR 0002 / 0036).
    std::string user_org_path;
    if (s.user_id > 0) {
      ASSIGN_OR_RETURN(crm::identity::v1::User user,
                       LookupUser(ctx, s.user_id));
      user_org_path = user.org_path();
      if (user.id() != s.user_id ||
          !auth::CanSee(p, user.id(), user.org_path()))
        return absl::NotFoundError(
            absl::StrCat("user ", s.user_id, " not found"));
    } else {
      RETURN_IF_ERROR(CheckOrgUnit(ctx, s.org_path));
    }
    report_store::TargetRow row;
    row.user_id = s.user_id;
    row.org_path = s.org_path;
    row.period = period.key;
    row.metric = static_cast<int>(t.metric());
    row.value = t.value();
    row.user_org_path = user_org_path;
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(row, db::RunInTransactionFor<report_store::TargetRow>(
                              *pool_, [&](db::Connection& c) {
                                return report_store::UpsertTarget(
                                    c, row, p.user_id, now);
                              }));
    resp->set_id(row.id);
    resp->set_user_id(row.user_id);
    resp->set_org_path(row.org_path);
    resp->set_period(row.period);
    resp->set_metric(static_cast<pb::Metric>(row.metric));
    resp->set_value(row.value);
    return absl::OkStatus();
  });
}

grpc::Status OrdersServiceImpl::ListTargets(grpc::ServerContext* ctx,
                                            const pb::ListTargetsRequest* req,
                                            pb::ListTargetsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(Period period, ReportPeriod(req->period()));
    std::string path = req->org_path().empty() ? p.org_path : req->org_path();
    RETURN_IF_ERROR(ValidOrgPath("org_path", path));
    if (!auth::CanSeeUnit(p, path) && p.scope != auth::DataScope::kSelf)
      return UnitNotFound(path);
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(std::vector<report_store::TargetRow> rows,
                       report_store::ListTargets(c, period.key, path));
      ASSIGN_OR_RETURN(std::vector<report_store::TargetRow> users,
                       report_store::ListUserTargets(c, period.key, path));
      for (const auto& r : users) {
        // User targets in the caller's data scope (where the user sat when
        // the target was set); rows from before that was recorded only for
        // the user and whole-company viewers.
        const bool visible =
            r.user_org_path.empty()
                ? (r.user_id == p.user_id || p.scope == auth::DataScope::kAll)
                : auth::CanSee(p, r.user_id, r.user_org_path);
        if (visible) rows.push_back(r);
      }
      for (const auto& r : rows) {
        if (r.user_id == 0 && p.scope == auth::DataScope::kSelf) continue;
        pb::Target* o = resp->add_targets();
        o->set_id(r.id);
        o->set_user_id(r.user_id);
        o->set_org_path(r.org_path);
        o->set_period(r.period);
        o->set_metric(static_cast<pb::Metric>(r.metric));
        o->set_value(r.value);
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::GetAchievement(
    grpc::ServerContext* ctx, const pb::GetAchievementRequest* req,
    pb::Achievement* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(report_store::Subject s,
                     SubjectOf(p, req->user_id(), req->org_path()));
    ASSIGN_OR_RETURN(Period period, ReportPeriod(req->period()));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(int64_t actual,
                       Actual(c, s, config_.calendar, period, req->metric()));
      ASSIGN_OR_RETURN(auto target,
                       report_store::GetTarget(c, s.user_id, s.org_path,
                                               period.key, req->metric()));
      const int64_t t = target.has_value() ? target->value : 0;
      resp->set_target(t);
      resp->set_actual(actual);
      resp->set_rate(Rate(actual, t));
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::GetBusinessSummary(
    grpc::ServerContext* ctx, const pb::GetBusinessSummaryRequest* req,
    pb::BusinessSummary* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    const std::string path =
        req->org_path().empty() ? p.org_path : req->org_path();
    ASSIGN_OR_RETURN(report_store::Subject s, SubjectOf(p, 0, path));
    ASSIGN_OR_RETURN(Period period, ReportPeriod(req->period()));
    ASSIGN_OR_RETURN(absl::Time as_of,
                     AsOf(&req->as_of(), req->has_as_of(), clock_->Now()));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      const absl::Time a = config_.calendar.Start(period),
                       b = config_.calendar.End(period);
      ASSIGN_OR_RETURN(auto by_type, report_store::SumSignedByType(c, s, a, b));
      const report_store::Signed& all = by_type.all;
      const report_store::Signed& fresh = by_type.fresh;
      const report_store::Signed& renewal = by_type.renewal;
      ASSIGN_OR_RETURN(int64_t received, report_store::SumReceived(
                                             c, s, period.first, period.end));
      ASSIGN_OR_RETURN(
          auto due, report_store::RenewalsDue(c, s, period.first, period.end));
      ASSIGN_OR_RETURN(auto overdue, report_store::OverdueTotals(
                                         c, s, config_.calendar.DayOf(as_of)));
      ASSIGN_OR_RETURN(auto signed_target,
                       report_store::GetTarget(c, 0, path, period.key,
                                               pb::METRIC_SIGNED_AMOUNT));
      ASSIGN_OR_RETURN(auto received_target,
                       report_store::GetTarget(c, 0, path, period.key,
                                               pb::METRIC_RECEIVED_AMOUNT));
      const int64_t st = signed_target ? signed_target->value : 0;
      const int64_t rt = received_target ? received_target->value : 0;
      resp->set_org_path(path);
      resp->set_period(period.key);
      SetMoney(st, resp->mutable_signed_target());
      SetMoney(all.amount_minor, resp->mutable_signed_());
      resp->set_signed_rate(Rate(all.amount_minor, st));
      SetMoney(rt, resp->mutable_received_target());
      SetMoney(received, resp->mutable_received());
      resp->set_received_rate(Rate(received, rt));
      SetMoney(renewal.amount_minor, resp->mutable_renewal_amount());
      resp->set_renewals_due(due.due);
      resp->set_renewals_done(due.done);
      resp->set_renewal_rate(Rate(due.done, due.due));
      resp->set_new_customers(fresh.customers);
      resp->set_renewal_customers(renewal.customers);
      SetMoney(overdue.outstanding_minor, resp->mutable_overdue_outstanding());
      resp->set_overdue_installments(overdue.installments);
      resp->set_contracts_signed(all.contracts);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrdersServiceImpl::ListRenewalCandidates(
    grpc::ServerContext* ctx, const pb::ListRenewalCandidatesRequest* req,
    pb::ListRenewalCandidatesResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->page_size() < 0 || req->page_size() > 1000)
      return InvalidField("page_size", "must be 0..1000");
    const int limit = req->page_size() == 0 ? 100 : req->page_size();
    ASSIGN_OR_RETURN(absl::Time as_of,
                     AsOf(&req->as_of(), req->has_as_of(), clock_->Now()));
    const absl::CivilDay today = config_.calendar.DayOf(as_of);
    const absl::CivilDay until(absl::CivilDay(absl::CivilMonth(today) + 6) +
                               (today.day() - 1));
    const absl::Time since = config_.calendar.StartOf(
        absl::CivilDay(today.year() - 2, today.month(), today.day()));
    return db::WithConnection(*pool_, [&](db::Connection& c) {
      ASSIGN_OR_RETURN(auto rows, report_store::RenewalCandidates(
                                      c, p, today, until + 1, since,
                                      req->key_accounts_only(), limit));
      for (const auto& r : rows) {
        pb::RenewalCandidate* o = resp->add_candidates();
        o->set_account_id(r.account_id);
        o->set_customer_type(static_cast<pb::CustomerType>(r.customer_type));
        o->set_owner_id(r.owner_id);
        o->set_contract_id(r.contract_id);
        o->set_end_date(FormatDate(r.end_date));
        SetMoney(r.signed_recent_minor, o->mutable_signed_last_2_years());
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace crm::orders
