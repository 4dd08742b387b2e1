#include "services/accounts/store/visit_review_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::accounts {

absl::StatusOr<std::vector<VisitRecord>> VisitReviewStore::ListSuspicious(
    const std::string& org_path_prefix, bool include_reviewed,
    int64_t before_id, int limit) {
  std::string sql = absl::StrCat(kVisitColumns, "WHERE v.suspicious = 1");
  std::vector<db::Param> params;
  if (!include_reviewed) sql += " AND v.review = 0";
  if (!org_path_prefix.empty()) {
    sql += " AND v.user_org_path LIKE ?";
    params.push_back(absl::StrCat(org_path_prefix, "%"));
  }
  if (before_id > 0) {
    sql += " AND v.id < ?";
    params.push_back(before_id);
  }
  sql += " ORDER BY v.id DESC LIMIT ?";
  params.push_back(limit);
  std::vector<VisitRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(db::Rows rows, c.Query(sql, params));
        for (const db::Row& r : rows) out.push_back(VisitFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<VisitRecord> VisitReviewStore::Review(
    int64_t visit_id, VisitReview verdict, int64_t reviewer_id,
    const std::string& note,
    const std::function<bool(const VisitRecord&)>& may_review) {
  const std::string missing = absl::StrCat("visit ", visit_id, " not found");
  return db::RunInTransactionFor<VisitRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<VisitRecord> {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kVisitColumns, "WHERE v.id = ? FOR UPDATE"),
                    {visit_id}));
        if (rows.empty()) return absl::NotFoundError(missing);
        VisitRecord v = VisitFromRow(rows.front());
        if (!may_review(v)) return absl::NotFoundError(missing);
        if (!v.suspicious) {
          return absl::FailedPreconditionError(absl::StrCat(
              "visit ", visit_id, " is not suspicious; nothing to review"));
        }
        if (v.review == verdict) return v;
        if (v.review != VisitReview::kPending) {
          return absl::FailedPreconditionError(
              absl::StrCat("visit ", visit_id, " was already reviewed by user ",
                           v.reviewed_by.value_or(0)));
        }
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(c.Exec("UPDATE visits SET review = ?, reviewed_by = ?,"
                               " reviewed_at = ?, review_note = ? WHERE id = ?",
                               {static_cast<int>(verdict), reviewer_id, now,
                                note, visit_id})
                            .status());
        v.review = verdict;
        v.reviewed_by = reviewer_id;
        v.reviewed_at = now;
        v.review_note = note;
        return v;
      });
}

}  // namespace crm::accounts
