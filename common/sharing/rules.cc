#include "common/sharing/rules.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::sharing {

const char* AccessName(Access access) {
  switch (access) {
    case Access::kRead:
      return "READ";
    case Access::kEdit:
      return "EDIT";
    case Access::kNone:
      break;
  }
  return "NONE";
}

Access AccessFromInt(int64_t value) {
  if (value == 1) return Access::kRead;
  if (value == 2) return Access::kEdit;
  return Access::kNone;
}

Standing StandingOf(const auth::Principal& p, const RecordRef& r) {
  if (p.IsService() || p.user_id <= 0) {
    return p.scope == auth::DataScope::kAll ? Standing::kManager
                                            : Standing::kNone;
  }
  if (r.owner_id != 0 && r.owner_id == p.user_id) return Standing::kOwner;
  if (r.owner_id == 0) {
    // An unowned record: only an admin-wide scope covers it here.
    return p.scope == auth::DataScope::kAll ? Standing::kManager
                                            : Standing::kNone;
  }
  if (p.scope != auth::DataScope::kSelf &&
      auth::CanSee(p, r.owner_id, r.owner_org_path)) {
    return Standing::kManager;
  }
  return Standing::kNone;
}

Access EffectiveAccess(const auth::Principal& p, const RecordRef& r,
                       Access share_held) {
  if (StandingOf(p, r) != Standing::kNone) return Access::kEdit;
  return share_held;
}

absl::Status NotFoundRecord(const RecordRef& r) {
  return absl::NotFoundError(
      absl::StrCat(r.entity_type, " ", r.entity_id, " not found"));
}

absl::Status CheckShare(const auth::Principal& p, const RecordRef& r,
                        Access share_held, int64_t grantee_id,
                        Access requested) {
  if (requested != Access::kRead && requested != Access::kEdit)
    return InvalidField("access", "must be READ or EDIT");
  if (grantee_id <= 0)
    return InvalidField("grantee_id", "must be a positive user id");
  if (p.IsService() || p.user_id <= 0) {
    return absl::PermissionDeniedError(
        "a service token cannot share records; a user shares");
  }
  // Unowned records (public pool accounts) are visible by region, not by
  // owner; they are not shared (checked before scope so a rep who sees the
  // pool gets the real reason).
  if (r.owner_id == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(r.entity_type, " ", r.entity_id,
                     " has no owner (it is in a public pool); only owned "
                     "records can be shared"));
  }
  const Standing standing = StandingOf(p, r);
  if (standing == Standing::kNone && share_held == Access::kNone)
    return NotFoundRecord(r);
  if (grantee_id == p.user_id)
    return InvalidField("grantee_id", "cannot share with yourself");
  if (grantee_id == r.owner_id) {
    return InvalidField(
        "grantee_id", absl::StrCat("user ", grantee_id, " owns ", r.entity_type,
                                   " ", r.entity_id));
  }
  if (standing == Standing::kNone) {
    if (requested > share_held) {
      return absl::PermissionDeniedError(absl::StrCat(
          "you hold ", AccessName(share_held), " access on ", r.entity_type,
          " ", r.entity_id, " and cannot grant ", AccessName(requested)));
    }
    return absl::PermissionDeniedError(
        absl::StrCat("only the owner of ", r.entity_type, " ", r.entity_id,
                     " or a manager over it may share it"));
  }
  return absl::OkStatus();
}

absl::Status CheckRevoke(const auth::Principal& p, const RecordRef& r,
                         Access share_held, int64_t granted_by) {
  const Standing standing = StandingOf(p, r);
  if (standing != Standing::kNone) return absl::OkStatus();
  if (!p.IsService() && p.user_id > 0 && granted_by == p.user_id)
    return absl::OkStatus();
  if (share_held == Access::kNone) return NotFoundRecord(r);
  return absl::PermissionDeniedError(
      absl::StrCat("only the granter, the owner of ", r.entity_type, " ",
                   r.entity_id, " or a manager over it may revoke a share"));
}

absl::Status CheckListShares(const auth::Principal& p, const RecordRef& r,
                             Access share_held) {
  if (StandingOf(p, r) != Standing::kNone) return absl::OkStatus();
  if (share_held == Access::kNone) return NotFoundRecord(r);
  return absl::PermissionDeniedError(
      absl::StrCat("only the owner of ", r.entity_type, " ", r.entity_id,
                   " or a manager over it may list its shares"));
}

absl::Status CheckSharedUpdate(const RecordRef& r, Access share_held) {
  if (share_held == Access::kEdit) return absl::OkStatus();
  if (share_held == Access::kRead) {
    return absl::PermissionDeniedError(absl::StrCat(
        r.entity_type, " ", r.entity_id, " is shared with you read-only"));
  }
  return NotFoundRecord(r);
}

}  // namespace crm::sharing
