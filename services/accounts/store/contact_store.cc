#include "services/accounts/store/contact_store.h"

#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/status/status.h"
#include "services/accounts/store/account_audit.h"
#include "services/accounts/store/account_store.h"

namespace crm::accounts {
namespace {

constexpr char kContactColumns[] =
    "SELECT c.id, c.account_id, c.name, c.title, c.phone, c.email, "
    "c.is_primary, c.created_at FROM contacts c ";

ContactRecord ContactFromRow(const db::Row& r) {
  ContactRecord c;
  c.id = r.Int("id");
  c.account_id = r.Int("account_id");
  c.name = r.String("name");
  c.title = r.String("title");
  c.phone = r.String("phone");
  c.email = r.String("email");
  c.primary = r.Bool("is_primary");
  c.created_at = r.Time("created_at");
  return c;
}

absl::StatusOr<ContactRecord> GetContactOn(db::Connection& c, int64_t id) {
  ASSIGN_OR_RETURN(db::Row row,
                   c.QueryOne(absl::StrCat(kContactColumns, "WHERE c.id = ?"),
                              {id}, absl::StrCat("contact ", id)));
  return ContactFromRow(row);
}

// Locks the account row (serializing every primary change of the account)
// and lets the guard re-check the caller's right to change it.
absl::Status LockAccount(db::Connection& c, int64_t account_id,
                         const AccountGuard& guard) {
  ASSIGN_OR_RETURN(AccountRecord a, GetAccountOn(c, account_id, true));
  return guard(a);
}

absl::Status CheckPhoneFree(db::Connection& c, const ContactRecord& next) {
  if (next.phone.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      db::Rows same,
      c.Query("SELECT id FROM contacts WHERE phone = ? AND account_id = ? "
              "AND id <> ? LIMIT 1",
              {next.phone, next.account_id, next.id}));
  if (same.empty()) return absl::OkStatus();
  return absl::AlreadyExistsError(
      absl::StrCat("phone: contact ", same.front().Int("id"), " of account ",
                   next.account_id, " already has this phone"));
}

absl::Status ClearPrimary(db::Connection& c, int64_t account_id) {
  return c
      .Exec(
          "UPDATE contacts SET is_primary = 0 WHERE account_id = ? AND "
          "is_primary = 1",
          {account_id})
      .status();
}

}  // namespace

absl::StatusOr<ContactRecord> ContactStore::Add(const ContactRecord& in,
                                                const std::string& request_id,
                                                const AccountGuard& guard) {
  return db::RunInTransactionFor<ContactRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<ContactRecord> {
        RETURN_IF_ERROR(LockAccount(c, in.account_id, guard));
        if (!request_id.empty()) {
          ASSIGN_OR_RETURN(
              db::Rows prior,
              c.Query(absl::StrCat(kContactColumns,
                                   "WHERE c.create_request_id = ?"),
                      {request_id}));
          if (!prior.empty()) {
            ContactRecord first = ContactFromRow(prior.front());
            if (first.account_id != in.account_id) {
              return absl::AlreadyExistsError(
                  absl::StrCat("request_id: already used for contact ",
                               first.id, " of another account"));
            }
            return first;
          }
        }
        RETURN_IF_ERROR(CheckPhoneFree(c, in));
        ASSIGN_OR_RETURN(db::Row count,
                         c.QueryOne("SELECT COUNT(*) AS n FROM contacts WHERE "
                                    "account_id = ?",
                                    {in.account_id}, "contact count"));
        const bool primary = in.primary || count.Int("n") == 0;
        if (primary) RETURN_IF_ERROR(ClearPrimary(c, in.account_id));
        RETURN_IF_ERROR(
            c.Exec(
                 "INSERT INTO contacts (account_id, name, title, phone, "
                 "email, is_primary, create_request_id, created_at)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 {in.account_id, in.name, in.title, in.phone, in.email, primary,
                  request_id.empty() ? db::Param(nullptr)
                                     : db::Param(request_id),
                  clock_->Now()})
                .status());
        ASSIGN_OR_RETURN(int64_t id, c.LastInsertId());
        ASSIGN_OR_RETURN(ContactRecord added, GetContactOn(c, id));
        RETURN_IF_ERROR(
            AuditContact(c, "create", nullptr, &added, clock_->Now()));
        return added;
      });
}

absl::StatusOr<ContactRecord> ContactStore::Get(int64_t id) {
  std::optional<ContactRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(out, GetContactOn(c, id));
        return absl::OkStatus();
      }));
  return *out;
}

absl::StatusOr<ContactRecord> ContactStore::Update(const ContactRecord& next,
                                                   const AccountGuard& guard) {
  return db::RunInTransactionFor<ContactRecord>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<ContactRecord> {
        RETURN_IF_ERROR(LockAccount(c, next.account_id, guard));
        ASSIGN_OR_RETURN(ContactRecord current, GetContactOn(c, next.id));
        if (current.account_id != next.account_id) {
          return absl::AbortedError(
              absl::StrCat("contact ", next.id, " changed; retry"));
        }
        if (current.primary && !next.primary) {
          return absl::FailedPreconditionError(absl::StrCat(
              "contact ", next.id,
              " is the primary contact; make another contact primary "
              "instead"));
        }
        RETURN_IF_ERROR(CheckPhoneFree(c, next));
        if (next.primary && !current.primary)
          RETURN_IF_ERROR(ClearPrimary(c, next.account_id));
        RETURN_IF_ERROR(
            c.Exec("UPDATE contacts SET name = ?, title = ?, phone = ?, "
                   "email = ?, is_primary = ? WHERE id = ?",
                   {next.name, next.title, next.phone, next.email, next.primary,
                    next.id})
                .status());
        ASSIGN_OR_RETURN(ContactRecord after, GetContactOn(c, next.id));
        RETURN_IF_ERROR(
            AuditContact(c, "update", &current, &after, clock_->Now()));
        return after;
      });
}

absl::StatusOr<std::optional<int64_t>> ContactStore::Delete(
    int64_t id, const AccountGuard& guard) {
  return db::RunInTransactionFor<std::optional<int64_t>>(
      *pool_, [&](db::Connection& c) -> absl::StatusOr<std::optional<int64_t>> {
        ASSIGN_OR_RETURN(ContactRecord current, GetContactOn(c, id));
        RETURN_IF_ERROR(LockAccount(c, current.account_id, guard));
        // Read again under the account lock: a concurrent change of the
        // primary flag is now excluded.
        ASSIGN_OR_RETURN(current, GetContactOn(c, id));
        RETURN_IF_ERROR(
            c.Exec("DELETE FROM contacts WHERE id = ?", {id}).status());
        RETURN_IF_ERROR(
            AuditContact(c, "delete", &current, nullptr, clock_->Now()));
        if (!current.primary) return std::optional<int64_t>();
        ASSIGN_OR_RETURN(
            db::Rows oldest,
            c.Query("SELECT id FROM contacts WHERE account_id = ? ORDER BY "
                    "created_at, id LIMIT 1",
                    {current.account_id}));
        if (oldest.empty()) return std::optional<int64_t>();
        const int64_t promoted = oldest.front().Int("id");
        RETURN_IF_ERROR(
            c.Exec("UPDATE contacts SET is_primary = 1 WHERE id = ?",
                   {promoted})
                .status());
        return std::optional<int64_t>(promoted);
      });
}

absl::StatusOr<std::vector<ContactRecord>> ContactStore::List(
    int64_t account_id) {
  std::vector<ContactRecord> out;
  RETURN_IF_ERROR(
      db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
        ASSIGN_OR_RETURN(
            db::Rows rows,
            c.Query(absl::StrCat(kContactColumns,
                                 "WHERE c.account_id = ? ORDER BY "
                                 "c.is_primary DESC, c.created_at, c.id"),
                    {account_id}));
        for (const db::Row& r : rows) out.push_back(ContactFromRow(r));
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace crm::accounts
