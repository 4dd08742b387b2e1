// SQL for follow-ups (an account's timeline), visit check-ins and the
// nearby-accounts search. Writing a follow-up or a visit also moves the
// account's last_follow_up_at forward (never backward) and a NEW account to
// FOLLOWING, in the same transaction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/validate/geo.h"
#include "services/accounts/store/contact_store.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

enum class FollowUpKind { kCall = 1, kVisit = 2, kMessage = 3, kMeeting = 4 };

struct FollowUpRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t author_id = 0;
  FollowUpKind kind = FollowUpKind::kCall;
  std::string content;
  absl::Time at;  // when it happened
  std::optional<absl::Time> next_at;
  std::optional<int64_t> visit_id;
  absl::Time created_at;
};

// A manager's verdict on a suspicious check-in (values of the proto enum).
enum class VisitReview { kPending = 0, kGenuine = 1, kFraud = 2 };

struct VisitRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t user_id = 0;
  std::string user_org_path;  // where the user sat when checking in
  double lat = 0, lng = 0;
  double accuracy_m = 0;
  std::string device_id;
  double distance_m = 0;
  bool suspicious = false;
  std::string suspicious_reason;
  std::string note;
  absl::Time at;
  VisitReview review = VisitReview::kPending;
  std::optional<int64_t> reviewed_by;
  std::optional<absl::Time> reviewed_at;
  std::string review_note;
};

// "SELECT <every visits column> FROM visits v " and its row reader, for the
// stores that query visits.
extern const char kVisitColumns[];
VisitRecord VisitFromRow(const db::Row& r);

class ActivityStore {
 public:
  ActivityStore(std::shared_ptr<db::ConnectionPool> pool,
                std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  // Inserts the follow-up and touches the account (see the file comment).
  // The same non-empty request_id returns the follow-up created first by
  // the same author (ALREADY_EXISTS when another author used it).
  absl::StatusOr<FollowUpRecord> AddFollowUp(const FollowUpRecord& f,
                                             const std::string& request_id,
                                             const AccountGuard& guard);

  // Newest first by (time, id); `after_id` is the last follow-up of the
  // previous page (0 for the first page); INVALID_ARGUMENT page_token when
  // it is not one of this account's.
  absl::StatusOr<std::vector<FollowUpRecord>> ListFollowUps(int64_t account_id,
                                                            int64_t after_id,
                                                            int limit);

  // The visit created with this request_id, if any.
  absl::StatusOr<std::optional<VisitRecord>> FindVisitByRequestId(
      const std::string& request_id);
  // The user's latest check-in, if any.
  absl::StatusOr<std::optional<VisitRecord>> LastVisitOf(int64_t user_id);
  // Another account where the user checked in at exactly (lat, lng).
  absl::StatusOr<std::optional<int64_t>> SamePointElsewhere(int64_t user_id,
                                                            double lat,
                                                            double lng,
                                                            int64_t account_id);

  // Inserts the visit and its VISIT follow-up (content `follow_up_content`),
  // touching the account. A request_id already used returns that visit.
  absl::StatusOr<VisitRecord> AddVisit(const VisitRecord& v,
                                       const std::string& follow_up_content,
                                       const std::string& request_id,
                                       const AccountGuard& guard);

  struct NearbyQuery {
    validate::LatLngBox box;
    double center_lat = 0, center_lng = 0;
    int64_t user_id = 0;  // the caller's own accounts
    // Public-pool accounts of pools selling in this region, or open to one
    // of these org units (pool members), are claimable by the caller.
    std::string region_code;
    std::vector<int64_t> org_unit_ids;
    bool all_pools = false;  // admins: every pooled account
    int candidates = 250;
  };
  struct NearbyRow {
    AccountRecord account;
    bool claimable = false;
  };
  // Accounts in the box, the `candidates` nearest by an equirectangular
  // approximation (the caller computes exact distances and re-sorts).
  absl::StatusOr<std::vector<NearbyRow>> Nearby(const NearbyQuery& q);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::accounts
