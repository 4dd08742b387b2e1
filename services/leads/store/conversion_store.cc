#include "services/leads/store/conversion_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/leads/store/lead_audit.h"
#include "services/leads/store/lead_events.h"
#include "services/leads/store/lead_store.h"

namespace crm::leads {
namespace {

absl::StatusOr<ConversionRecord> GetOn(db::Connection& c, int64_t lead_id) {
  ASSIGN_OR_RETURN(
      db::Row r,
      c.QueryOne("SELECT lead_id, step, account_id, account_created, "
                 "contact_id, opportunity_id FROM lead_conversions WHERE "
                 "lead_id = ?",
                 {lead_id}, absl::StrCat("conversion of lead ", lead_id)));
  return ConversionRecord{
      r.Int("lead_id"),    static_cast<ConvertStep>(r.Int("step")),
      r.Int("account_id"), r.Bool("account_created"),
      r.Int("contact_id"), r.Int("opportunity_id")};
}

}  // namespace

absl::StatusOr<ConversionRecord> ConversionStore::Start(int64_t lead_id,
                                                        int64_t actor_id) {
  return db::RunInTransactionFor<ConversionRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<ConversionRecord> {
        const absl::Time now = clock_->Now();
        RETURN_IF_ERROR(
            c.Exec("INSERT IGNORE INTO lead_conversions (lead_id, step, "
                   "started_by, started_at, updated_at) VALUES (?, 0, ?, ?, ?)",
                   {lead_id, actor_id, now, now})
                .status());
        return GetOn(c, lead_id);
      });
}

absl::Status ConversionStore::SaveAccount(int64_t lead_id, int64_t account_id,
                                          bool created) {
  return db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
    return c
        .Exec(
            "UPDATE lead_conversions SET step = ?, account_id = ?, "
            "account_created = ?, updated_at = ? WHERE lead_id = ? AND step "
            "< ?",
            {static_cast<int>(ConvertStep::kAccount), account_id, created,
             clock_->Now(), lead_id, static_cast<int>(ConvertStep::kAccount)})
        .status();
  });
}

absl::Status ConversionStore::SaveContact(int64_t lead_id, int64_t contact_id) {
  return db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
    return c
        .Exec(
            "UPDATE lead_conversions SET step = ?, contact_id = ?, "
            "updated_at = ? WHERE lead_id = ? AND step < ?",
            {static_cast<int>(ConvertStep::kContact), contact_id, clock_->Now(),
             lead_id, static_cast<int>(ConvertStep::kContact)})
        .status();
  });
}

absl::Status ConversionStore::SaveOpportunity(int64_t lead_id,
                                              int64_t opportunity_id) {
  return db::RunInTransaction(*pool_, [&](db::Connection& c) -> absl::Status {
    return c
        .Exec(
            "UPDATE lead_conversions SET step = ?, opportunity_id = ?, "
            "updated_at = ? WHERE lead_id = ? AND step < ?",
            {static_cast<int>(ConvertStep::kOpportunity), opportunity_id,
             clock_->Now(), lead_id,
             static_cast<int>(ConvertStep::kOpportunity)})
        .status();
  });
}

absl::StatusOr<LeadRecord> ConversionStore::Finish(int64_t lead_id,
                                                   int64_t actor_id) {
  return db::RunInTransactionFor<
      LeadRecord>(*pool_, [&](db::Connection& c) -> absl::StatusOr<LeadRecord> {
    ASSIGN_OR_RETURN(LeadRecord cur, GetLeadOn(c, lead_id, true));
    if (cur.status == LeadStatus::kConverted) return cur;
    RETURN_IF_ERROR(CheckConvertible(cur.status));
    ASSIGN_OR_RETURN(ConversionRecord saga, GetOn(c, lead_id));
    const absl::Time now = clock_->Now();
    RETURN_IF_ERROR(
        c.Exec("UPDATE leads SET status = ?, account_id = ?, contact_id = "
               "?, opportunity_id = ?, updated_at = ? WHERE id = ?",
               {static_cast<int>(LeadStatus::kConverted), saga.account_id,
                saga.contact_id, saga.opportunity_id, now, lead_id})
            .status());
    RETURN_IF_ERROR(
        c.Exec("DELETE FROM lead_keys WHERE lead_id = ?", {lead_id}).status());
    RETURN_IF_ERROR(c.Exec("UPDATE lead_conversions SET step = ?, "
                           "updated_at = ? WHERE lead_id = ?",
                           {static_cast<int>(ConvertStep::kDone), now, lead_id})
                        .status());
    HistoryRecord h;
    h.lead_id = lead_id;
    h.kind = HistoryKind::kConvert;
    h.from_owner_id = h.to_owner_id = cur.owner_id.value_or(0);
    h.actor_id = actor_id;
    h.detail = absl::StrCat("account ", saga.account_id, ", contact ",
                            saga.contact_id);
    if (saga.opportunity_id > 0)
      absl::StrAppend(&h.detail, ", opportunity ", saga.opportunity_id);
    h.at = now;
    RETURN_IF_ERROR(InsertHistory(c, h));
    ASSIGN_OR_RETURN(LeadRecord done, GetLeadOn(c, lead_id, false));
    RETURN_IF_ERROR(AuditLead(c, "convert", &cur, &done, now));
    RETURN_IF_ERROR(AppendLeadConverted(c, done, saga.account_created, now));
    return done;
  });
}

}  // namespace crm::leads
