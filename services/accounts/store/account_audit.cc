#include "services/accounts/store/account_audit.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/status/status.h"
#include "services/accounts/proto_convert.h"
#include "services/accounts/store/account_store.h"

namespace crm::accounts {

std::string MoveAction(MoveKind kind) {
  switch (kind) {
    case MoveKind::kCreate:
      return "create";
    case MoveKind::kClaim:
      return "claim";
    case MoveKind::kRelease:
      return "release";
    case MoveKind::kAssign:
      return "assign";
    case MoveKind::kTransfer:
      return "transfer";
    case MoveKind::kRecycle:
      return "recycle";
    case MoveKind::kImport:
      return "import";
  }
  return "pool_move";
}

absl::Status AuditAccount(db::Connection& c, const std::string& action,
                          const AccountRecord* before,
                          const AccountRecord* after, absl::Time now,
                          const std::string& note) {
  std::optional<crm::accounts::v1::Account> b, a;
  if (before != nullptr)
    ToProto(*before, /*show_sensitive=*/true, &b.emplace());
  if (after != nullptr) ToProto(*after, /*show_sensitive=*/true, &a.emplace());
  const int64_t id = after != nullptr ? after->id : before->id;
  audit::AuditEntry e = audit::Change("account", id, action, b ? &*b : nullptr,
                                      a ? &*a : nullptr, now);
  e.note = note;
  return audit::Append(c, std::move(e));
}

namespace {

audit::Fields ContactFields(const ContactRecord& r) {
  audit::Fields f = {{"account_id", absl::StrCat(r.account_id)},
                     {"name", r.name},
                     {"primary", r.primary ? "true" : "false"}};
  if (!r.title.empty()) f["title"] = r.title;
  if (!r.phone.empty()) f["phone"] = r.phone;
  if (!r.email.empty()) f["email"] = r.email;
  return f;
}

}  // namespace

absl::Status AuditContact(db::Connection& c, const std::string& action,
                          const ContactRecord* before,
                          const ContactRecord* after, absl::Time now) {
  const ContactRecord& any = after != nullptr ? *after : *before;
  audit::AuditEntry e;
  e.entity_type = "contact";
  e.entity_id = absl::StrCat(any.id);
  e.action = action;
  e.at = now;
  e.changes = audit::Diff(before ? ContactFields(*before) : audit::Fields{},
                          after ? ContactFields(*after) : audit::Fields{});
  ASSIGN_OR_RETURN(AccountRecord account,
                   GetAccountOn(c, any.account_id, false));
  e.owner_id = account.owner_id.value_or(0);
  e.owner_org_path = account.owner_org_path;
  e.note = absl::StrCat("account ", any.account_id);
  return audit::Append(c, std::move(e));
}

absl::StatusOr<std::vector<AccountRecord>> OwnedAccountsOn(db::Connection& c,
                                                           int64_t owner_id) {
  ASSIGN_OR_RETURN(db::Rows rows,
                   c.Query(absl::StrCat("SELECT ", kAccountColumns,
                                        " FROM accounts a WHERE a.owner_id = ?"
                                        " ORDER BY a.id FOR UPDATE"),
                           {owner_id}));
  std::vector<AccountRecord> out;
  out.reserve(rows.size());
  for (const db::Row& r : rows) out.push_back(AccountFromRow(r));
  return out;
}

absl::Status AuditMoved(db::Connection& c, const std::string& action,
                        const std::vector<AccountRecord>& before,
                        absl::Time now, const std::string& note) {
  for (const AccountRecord& b : before) {
    ASSIGN_OR_RETURN(AccountRecord after, GetAccountOn(c, b.id, false));
    RETURN_IF_ERROR(AuditAccount(c, action, &b, &after, now, note));
  }
  return absl::OkStatus();
}

}  // namespace crm::accounts
