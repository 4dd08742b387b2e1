// Follow-ups, visit check-ins and nearby accounts.
//
// Who may do what:
//   * read the timeline (ListFollowUps): whoever can see the account. The
//     timeline belongs to the account, not to its owner, so a new owner
//     (claim, assignment, transfer) sees the whole history;
//   * write (AddFollowUp, CheckInVisit): on a privately owned account its
//     owner side (the owner, or a manager/admin whose data scope covers the
//     owner); on an account in a public pool only managers and admins - a
//     rep claims it first (FAILED_PRECONDITION), since following up a pool
//     account without owning it would protect it from nobody's recycling.
//     The check is repeated on the locked account row inside the writing
//     transaction.
//
// Follow-ups: `time` defaults to now and may be back-dated by at most
// kMaxBackdate (a call logged the next morning), never in the future;
// next_follow_up_time must be in the future (at most a year ahead).
//
// Check-ins: see domain/visit_rules.h for the radius, work hours and the
// suspicious-check-in rules. A request_id retry returns the first visit
// before any rule is evaluated again (the retry may arrive after 20:00).
//
// Nearby: the caller's own accounts plus the public-pool accounts the
// caller may claim (pools selling in the caller's region or open to one of
// the caller's org units; admins also see every other pooled account, with
// claimable=false). `claimable` says the pool admits the caller; capacity,
// the daily limit and the former-owner cooldown are decided by
// ClaimAccount. Search: an indexed bounding box (idx_accounts_geo), the
// limit + kNearbyMargin nearest by an equirectangular approximation in SQL,
// then exact Haversine distances, filtered by the radius and sorted here.
// Measured (MariaDB 10.11, 2 cores, 500,000 accounts spread uniformly over
// lat 22..40 / lng 100..122, a 50 km box holding ~1,200 of them): the query
// below takes ~10-30 ms with idx_accounts_geo (EXPLAIN: range on lat, lng
// checked by index condition pushdown, ~45k index entries visited for the
// latitude band) against ~260-380 ms with the index ignored (full scan).
// The index range is on lat only, so cost grows with the accounts in the
// latitude band, not in the box; good enough at this size, and it needs no
// second copy of the data to keep in sync as a Redis GEO index would. If
// the band gets too dense, a geohash column is the next step.

#include <algorithm>
#include <cmath>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/call_context.h"
#include "common/client/manager_lookup.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/validate/geo.h"
#include "common/validate/request_id.h"
#include "common/validate/text.h"
#include "common/validate/utf8.h"
#include "services/accounts/accounts_service.h"
#include "services/accounts/accounts_service_present.h"
#include "services/accounts/domain/visit_rules.h"
#include "services/accounts/handler_util.h"
#include "services/accounts/proto_convert.h"
#include "services/accounts/store/activity_store.h"
#include "services/identity/proto_convert.h"

namespace crm::accounts {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr size_t kMaxContentChars = 2000;
constexpr absl::Duration kMaxBackdate = absl::Hours(24 * 30);
constexpr absl::Duration kClockSkew = absl::Minutes(5);
constexpr absl::Duration kMaxNextFollowUp = absl::Hours(24 * 366);
constexpr double kMaxNearbyRadiusM = 50'000;
constexpr int kDefaultNearbyLimit = 50;
constexpr int kMaxNearbyLimit = 200;
// Rows asked from SQL beyond `limit`: the approximate order can only differ
// from the exact one for near-ties, so a margin suffices.
constexpr int kNearbyMargin = 50;
constexpr char kDefaultVisitContent[] = "拜访签到";

// The caller may log follow-ups and visits on this account (file comment).
absl::Status MayLogActivity(const auth::Principal& p, const AccountRecord& a,
                            bool visible) {
  if (!visible) return NotFoundAccount(a.id);
  if (!a.owner_id.has_value() && !IsManager(p)) {
    return absl::FailedPreconditionError(
        absl::StrCat("account ", a.id,
                     " is in a public pool; claim it before following it up"));
  }
  return absl::OkStatus();
}

void ToProto(const FollowUpRecord& r, pb::FollowUp* out) {
  out->set_id(r.id);
  out->set_account_id(r.account_id);
  out->set_author_id(r.author_id);
  out->set_kind(static_cast<pb::FollowUpKind>(r.kind));
  out->set_content(r.content);
  identity::ToTimestamp(r.at, out->mutable_time());
  if (r.next_at.has_value())
    identity::ToTimestamp(*r.next_at, out->mutable_next_follow_up_time());
}

}  // namespace

grpc::Status AccountsServiceImpl::AddFollowUp(grpc::ServerContext* ctx,
                                              const pb::AddFollowUpRequest* req,
                                              pb::FollowUp* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    const pb::FollowUp& in = req->follow_up();
    if (in.account_id() <= 0) {
      return InvalidField("follow_up.account_id",
                          "must be a positive account id");
    }
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    FollowUpRecord f;
    switch (in.kind()) {
      case pb::FOLLOW_UP_KIND_CALL:
      case pb::FOLLOW_UP_KIND_VISIT:
      case pb::FOLLOW_UP_KIND_MESSAGE:
      case pb::FOLLOW_UP_KIND_MEETING:
        f.kind = static_cast<FollowUpKind>(in.kind());
        break;
      default:
        return InvalidField("follow_up.kind",
                            "required: CALL, VISIT, MESSAGE or MEETING");
    }
    f.content = in.content();
    RETURN_IF_ERROR(validate::ValidateFreeText(&f.content, "follow_up.content",
                                               kMaxContentChars, true));
    const absl::Time now = clock_->Now();
    f.at = now;
    if (in.has_time()) {
      f.at = FromTimestamp(in.time());
      if (f.at > now + kClockSkew)
        return InvalidField("follow_up.time", "must not be in the future");
      if (f.at < now - kMaxBackdate) {
        return InvalidField("follow_up.time",
                            "may be back-dated by at most 30 days");
      }
    }
    if (in.has_next_follow_up_time()) {
      f.next_at = FromTimestamp(in.next_follow_up_time());
      if (*f.next_at <= now) {
        return InvalidField("follow_up.next_follow_up_time",
                            "must be in the future");
      }
      if (*f.next_at > now + kMaxNextFollowUp) {
        return InvalidField("follow_up.next_follow_up_time",
                            "must be within a year");
      }
    }
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, in.account_id()));
    RETURN_IF_ERROR(MayLogActivity(p, a, true));
    f.account_id = a.id;
    f.author_id = p.user_id;
    ActivityStore store(pool_, clock_);
    ASSIGN_OR_RETURN(FollowUpRecord added,
                     store.AddFollowUp(f, req->request_id(),
                                       [&](const AccountRecord& locked) {
                                         return MayLogActivity(
                                             p, locked, Visible(p, locked));
                                       }));
    ToProto(added, resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::ListFollowUps(
    grpc::ServerContext* ctx, const pb::ListFollowUpsRequest* req,
    pb::ListFollowUpsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, req->account_id()));
    ASSIGN_OR_RETURN(
        int limit,
        paging::PageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
    ASSIGN_OR_RETURN(int64_t after, paging::DecodePageToken("ListFollowUps",
                                                            req->page_token()));
    ActivityStore store(pool_, clock_);
    ASSIGN_OR_RETURN(std::vector<FollowUpRecord> page,
                     store.ListFollowUps(a.id, after, limit));
    for (const FollowUpRecord& f : page) ToProto(f, resp->add_follow_ups());
    resp->set_next_page_token(
        paging::NextPageToken("ListFollowUps", page, limit));
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::CheckInVisit(
    grpc::ServerContext* ctx, const pb::CheckInVisitRequest* req,
    pb::Visit* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (req->account_id() <= 0)
      return InvalidField("account_id", "must be a positive account id");
    if (!req->has_location()) return InvalidField("location", "required");
    RETURN_IF_ERROR(validate::ValidateLatLng(
        req->location().lat(), req->location().lng(), "location"));
    const double accuracy = req->accuracy_m();
    if (!std::isfinite(accuracy) || accuracy < 0 || accuracy > kMaxAccuracyM) {
      return InvalidField(
          "accuracy_m",
          absl::StrCat("must be between 0 and ",
                       static_cast<int>(kMaxAccuracyM), " meters"));
    }
    const std::string& device = req->device_id();
    if (device.size() > 128 ||
        !std::all_of(device.begin(), device.end(),
                     [](char c) { return c > 0x20 && c < 0x7f; })) {
      return InvalidField("device_id",
                          "at most 128 printable ASCII characters");
    }
    std::string note = req->note();
    RETURN_IF_ERROR(
        validate::ValidateFreeText(&note, "note", kMaxContentChars, false));
    RETURN_IF_ERROR(validate::ValidateRequestId(req->request_id()));
    ASSIGN_OR_RETURN(AccountRecord a, VisibleAccount(p, req->account_id()));
    ActivityStore store(pool_, clock_);
    if (!req->request_id().empty()) {
      ASSIGN_OR_RETURN(std::optional<VisitRecord> prior,
                       store.FindVisitByRequestId(req->request_id()));
      if (prior.has_value()) {
        if (prior->user_id != p.user_id || prior->account_id != a.id) {
          return absl::AlreadyExistsError(
              absl::StrCat("request_id: already used for visit ", prior->id));
        }
        ToProto(*prior, resp);
        return absl::OkStatus();
      }
    }
    RETURN_IF_ERROR(MayLogActivity(p, a, true));
    if (!a.lat.has_value() || !a.lng.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "account ", a.id, " has no location; set it before checking in"));
    }
    const VisitPolicy& policy = config_.visit_policy;
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(CheckWorkHours(now, policy));
    VisitRecord v;
    v.account_id = a.id;
    v.user_id = p.user_id;
    v.user_org_path = p.org_path;
    v.lat = req->location().lat();
    v.lng = req->location().lng();
    v.accuracy_m = accuracy;
    v.device_id = device;
    v.note = note;
    v.at = now;
    v.distance_m = validate::HaversineMeters(v.lat, v.lng, *a.lat, *a.lng);
    RETURN_IF_ERROR(CheckVisitDistance(v.distance_m, accuracy, policy));

    ASSIGN_OR_RETURN(std::optional<VisitRecord> last,
                     store.LastVisitOf(p.user_id));
    std::optional<CheckInFix> previous;
    if (last.has_value()) {
      previous = CheckInFix{last->at, last->lat, last->lng, last->account_id,
                            last->device_id};
    }
    ASSIGN_OR_RETURN(std::optional<int64_t> repeated,
                     store.SamePointElsewhere(p.user_id, v.lat, v.lng, a.id));
    std::optional<std::string> reason = SuspiciousReason(
        CheckInFix{v.at, v.lat, v.lng, v.account_id, v.device_id}, previous,
        repeated, policy);
    if (reason.has_value()) {
      v.suspicious = true;
      v.suspicious_reason = *reason;
    }
    ASSIGN_OR_RETURN(
        VisitRecord added,
        store.AddVisit(v, note.empty() ? kDefaultVisitContent : note,
                       req->request_id(), [&](const AccountRecord& locked) {
                         return MayLogActivity(p, locked, Visible(p, locked));
                       }));
    ToProto(added, resp);
    return absl::OkStatus();
  });
}

grpc::Status AccountsServiceImpl::ListNearbyAccounts(
    grpc::ServerContext* ctx, const pb::ListNearbyAccountsRequest* req,
    pb::ListNearbyAccountsResponse* resp) {
  return HandleRpc([&]() -> absl::Status {
    ASSIGN_OR_RETURN(auth::Principal p, auth::CallerOf(ctx));
    if (!req->has_center()) return InvalidField("center", "required");
    const double lat = req->center().lat(), lng = req->center().lng();
    RETURN_IF_ERROR(validate::ValidateLatLng(lat, lng, "center"));
    const double radius = req->radius_m();
    if (!std::isfinite(radius) || radius <= 0 || radius > kMaxNearbyRadiusM) {
      return InvalidField("radius_m", "must be in (0, 50000] meters");
    }
    if (req->limit() < 0) return InvalidField("limit", "must not be negative");
    const int limit = req->limit() == 0
                          ? kDefaultNearbyLimit
                          : std::min<int>(req->limit(), kMaxNearbyLimit);
    ActivityStore::NearbyQuery q;
    q.box = validate::BoundingBox(lat, lng, radius);
    q.center_lat = lat;
    q.center_lng = lng;
    q.user_id = p.user_id;
    q.region_code = p.region_code;
    q.org_unit_ids = client::OrgPathUnitIds(p.org_path);
    q.all_pools = p.scope == auth::DataScope::kAll;
    q.candidates = limit + kNearbyMargin;
    ActivityStore store(pool_, clock_);
    ASSIGN_OR_RETURN(std::vector<ActivityStore::NearbyRow> rows,
                     store.Nearby(q));
    struct Hit {
      const ActivityStore::NearbyRow* row;
      double distance_m;
    };
    std::vector<Hit> hits;
    for (const ActivityStore::NearbyRow& r : rows) {
      const double d =
          validate::HaversineMeters(lat, lng, *r.account.lat, *r.account.lng);
      if (d <= radius) hits.push_back(Hit{&r, d});
    }
    std::sort(hits.begin(), hits.end(), [](const Hit& x, const Hit& y) {
      if (x.distance_m != y.distance_m) return x.distance_m < y.distance_m;
      return x.row->account.id < y.row->account.id;
    });
    if (static_cast<int>(hits.size()) > limit) hits.resize(limit);
    std::vector<std::pair<const AccountRecord*, pb::Account*>> present;
    for (const Hit& h : hits) {
      pb::NearbyAccount* out = resp->add_accounts();
      present.push_back({&h.row->account, out->mutable_account()});
      out->set_distance_m(h.distance_m);
      out->set_claimable(h.row->claimable);
    }
    return PresentAccounts(pool_, clock_, p, present);
  });
}

}  // namespace crm::accounts
