// Record sharing (issue 10, ADR 0080): the pure rules, no I/O.
//
// A record (an account, an opportunity) is reached in one of two ways:
// through the org-tree data scope (its owner, or a manager/admin whose scope
// covers the owner; both services let everyone who sees a record in scope
// edit it), or through an active share naming the caller (READ or EDIT).
// Shares never change ownership and never widen what the scope-based verbs
// (claim, release, transfer, stage moves) allow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/auth/principal.h"

namespace crm::sharing {

// Ordered: a larger access includes the smaller ones.
enum class Access { kNone = 0, kRead = 1, kEdit = 2 };

// "NONE", "READ", "EDIT".
const char* AccessName(Access access);
// The stored / wire number (1 read, 2 edit) -> Access; kNone for anything
// else.
Access AccessFromInt(int64_t value);

// The facts about one record the rules need.
struct RecordRef {
  std::string entity_type;  // "account", "opportunity"
  int64_t entity_id = 0;
  int64_t owner_id = 0;  // 0: no owner (an account in a public pool)
  std::string owner_org_path;
};

// How the caller reaches the record without shares.
enum class Standing {
  kNone,     // out of scope
  kOwner,    // owns it
  kManager,  // a manager/admin (scope SUBTREE/ALL) whose scope covers it
};
Standing StandingOf(const auth::Principal& p, const RecordRef& r);

// The caller's effective access: EDIT through ownership or scope, else the
// access of the caller's active share (kNone when none).
Access EffectiveAccess(const auth::Principal& p, const RecordRef& r,
                       Access share_held);

// NOT_FOUND "<entity_type> <id> not found" (ADR 0002).
absl::Status NotFoundRecord(const RecordRef& r);

// May `p` (holding `share_held` on the record through a share) share `r`
// with `grantee_id` at `requested` (kRead or kEdit)?
//   - a record the caller cannot reach at all: NOT_FOUND;
//   - service tokens: PERMISSION_DENIED (a share needs a granter);
//   - an unowned record (public pool): FAILED_PRECONDITION;
//   - the caller or the owner as grantee: INVALID_ARGUMENT on grantee_id;
//   - EDIT asked by someone who holds only READ, and any share asked by a
//     grantee rather than the owner or a manager over the record:
//     PERMISSION_DENIED.
absl::Status CheckShare(const auth::Principal& p, const RecordRef& r,
                        Access share_held, int64_t grantee_id,
                        Access requested);

// May `p` revoke the share `granted_by` gave? The granter, the owner and a
// manager over the record may; a grantee (who can see the record) is
// PERMISSION_DENIED; anyone else NOT_FOUND.
absl::Status CheckRevoke(const auth::Principal& p, const RecordRef& r,
                         Access share_held, int64_t granted_by);

// May `p` list the record's shares? The owner and managers over it;
// grantees PERMISSION_DENIED; anyone else NOT_FOUND.
absl::Status CheckListShares(const auth::Principal& p, const RecordRef& r,
                             Access share_held);

// Whether an update through the record's normal Update RPC is allowed to a
// caller who reaches it only through a share: OK for EDIT;
// PERMISSION_DENIED "<type> <id> is shared with you read-only" for READ
// (the grantee knows the record exists, so NOT_FOUND would mislead);
// NOT_FOUND for no share.
absl::Status CheckSharedUpdate(const RecordRef& r, Access share_held);

}  // namespace crm::sharing
