// Record sharing (issue 10, ADR 0080): SQL over record_share and
// record_share_request (schema.sql, linked into each owning service's
// migrations) plus the audit entries of shares and revokes, written in the
// same transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"
#include "common/sharing/rules.h"

namespace crm::sharing {

// A shareable entity type and the table of its records in this service's
// schema. The table must have id, name, owner_id (NULL allowed: unowned)
// and owner_org_path. `table` is a compile-time name chosen by the owning
// service (never input).
struct Target {
  std::string entity_type;  // "account"
  std::string table;        // "accounts"
  // The outbox stream for RecordShared / RecordShareRevoked events
  // (events::StreamFor("accounts")); empty: no events.
  std::string stream;
};

struct Share {
  int64_t id = 0;
  std::string entity_type;
  int64_t entity_id = 0;
  int64_t grantee_id = 0;
  Access access = Access::kNone;
  bool active = false;
  int64_t granted_by = 0;
  absl::Time granted_at = absl::UnixEpoch();
  int64_t revoked_by = 0;
  std::optional<absl::Time> revoked_at;
};

// A share with the record's name and owner (ListSharedWithMe).
struct SharedItem {
  Share share;
  std::string name;
  int64_t owner_id = 0;
};

// What the first ShareRecord/RevokeShare with a request_id did: the share
// as that call left it.
struct PriorRequest {
  std::string action;  // "share", "unshare"
  Share share;
};

inline constexpr char kActionShare[] = "share";
inline constexpr char kActionUnshare[] = "unshare";

class ShareStore {
 public:
  ShareStore(std::shared_ptr<db::ConnectionPool> pool,
             std::shared_ptr<const Clock> clock);

  // The access `user_id` holds on the record through an active share
  // (kNone when none). The one read the services' Get/Update make.
  absl::StatusOr<Access> AccessOf(std::string_view entity_type,
                                  int64_t entity_id, int64_t user_id);

  // The record's owner facts; NOT_FOUND "<type> <id> not found".
  absl::StatusOr<RecordRef> Record(const Target& target, int64_t id);

  absl::StatusOr<std::optional<Share>> Find(std::string_view entity_type,
                                            int64_t entity_id,
                                            int64_t grantee_id);

  absl::StatusOr<std::optional<PriorRequest>> FindRequest(
      const std::string& request_id);

  // Gives `grantee_id` `access` on the record (a new share, a changed
  // access or a revoked share turned back on) and appends the "share" audit
  // entry; no entry when the active share already has that access.
  // `checked` is the record as the rules saw it: if its owner changed
  // meanwhile, ABORTED (retry). Records `request_id`. A change also
  // appends a RecordShared event to target.stream (same transaction).
  absl::StatusOr<Share> Grant(const Target& target, const RecordRef& checked,
                              int64_t grantee_id, Access access,
                              int64_t granter, const std::string& request_id);

  // Ends the grantee's share and appends the "unshare" audit entry (none
  // when it was already revoked) and a RecordShareRevoked event. NOT_FOUND
  // when the grantee never had a share. Records `request_id`.
  absl::StatusOr<Share> Revoke(const Target& target, const RecordRef& checked,
                               int64_t grantee_id, int64_t revoker,
                               const std::string& request_id);

  // The record's shares by grantee (active only unless include_revoked).
  absl::StatusOr<std::vector<Share>> List(std::string_view entity_type,
                                          int64_t entity_id,
                                          bool include_revoked);

  // The grantee's active shares of `target`'s type with the records' names,
  // by entity id, after `after_entity_id`.
  absl::StatusOr<std::vector<SharedItem>> SharedWith(const Target& target,
                                                     int64_t grantee_id,
                                                     int64_t after_entity_id,
                                                     int limit);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::sharing
