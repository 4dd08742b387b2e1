// SQL for refresh tokens. Only SHA-256 digests of tokens are stored, so a
// leaked table does not leak usable tokens.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "common/db/pool.h"

namespace crm::identity {

class TokenStore {
 public:
  TokenStore(std::shared_ptr<db::ConnectionPool> pool,
             std::shared_ptr<const Clock> clock)
      : pool_(std::move(pool)), clock_(std::move(clock)) {}

  absl::Status Insert(const std::string& token_hash, int64_t user_id,
                      const std::string& family_id, absl::Time expires_at);

  // Spends `old_hash` and stores `new_hash` in the same family, atomically.
  // Returns the user id. UNAUTHENTICATED when the token is unknown, expired
  // or revoked. A token presented a second time means it was stolen (or the
  // client misbehaves): the whole family is revoked, and that revocation is
  // committed even though the call fails.
  absl::StatusOr<int64_t> Rotate(const std::string& old_hash,
                                 const std::string& new_hash,
                                 absl::Time new_expires_at);

  // Revokes the token's family. Unknown tokens are fine (logout is idempotent).
  absl::Status RevokeFamily(const std::string& token_hash);

 private:
  std::shared_ptr<db::ConnectionPool> pool_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace crm::identity
