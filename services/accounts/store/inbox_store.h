// The message center's table, inbox_messages (issue 10). SQL only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/connection.h"
#include "services/accounts/domain/inbox_rules.h"

namespace crm::accounts::inbox_store {

// Inserts `m` on `c` (inside the caller's transaction) unless the user
// already has a message with its dedupe_key; true when inserted. A zero
// created_at takes `now`.
absl::StatusOr<bool> Post(db::Connection& c, InboxMessage m, absl::Time now);

struct ListFilter {
  int64_t user_id = 0;
  bool unread_only = false;
  std::string kind;       // "" = any
  int64_t before_id = 0;  // keyset, newest first; 0 = from the newest
  int limit = 50;
};
absl::StatusOr<std::vector<InboxMessage>> List(db::Connection& c,
                                               const ListFilter& f);

// Unread messages of the user per kind.
absl::StatusOr<std::map<std::string, int64_t>> UnreadByKind(db::Connection& c,
                                                            int64_t user_id);

// Marks the user's message read (keeps the first read_at); NOT_FOUND
// "message <id> not found" when it is not theirs.
absl::StatusOr<InboxMessage> MarkRead(db::Connection& c, int64_t user_id,
                                      int64_t id, absl::Time now);
// Marks all of the user's unread messages read; returns how many.
absl::StatusOr<int64_t> MarkAllRead(db::Connection& c, int64_t user_id,
                                    absl::Time now);

}  // namespace crm::accounts::inbox_store
