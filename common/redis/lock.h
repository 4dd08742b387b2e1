// A distributed lock on one Redis key (claims, job leadership).
//
// Acquire sets `key` to a random token with SET NX PX, so the lock expires by
// itself if its holder dies. Release and Extend run Lua scripts that act only
// while the key still holds our token: a holder whose lock expired and was
// taken by someone else can never delete or prolong the new holder's lock.
//
// This is a single-instance Redis lock, not Redlock: it assumes one Redis
// primary. The ttl must exceed the work done under it, or the work must
// Extend() the lock; a lock is a guard against duplicate work, and anything
// that must never happen twice is also made idempotent in MySQL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_pool.h"

namespace crm::redis {

// Deletes KEYS[1] only if it holds ARGV[1] (the token); returns 1 or 0.
inline constexpr std::string_view kReleaseScript =
    "if redis.call('get',KEYS[1])==ARGV[1] then "
    "return redis.call('del',KEYS[1]) else return 0 end";

// Sets the ttl of KEYS[1] to ARGV[2] ms only if it holds ARGV[1]; 1 or 0.
inline constexpr std::string_view kExtendScript =
    "if redis.call('get',KEYS[1])==ARGV[1] then "
    "return redis.call('pexpire',KEYS[1],ARGV[2]) else return 0 end";

// 128 bits from the kernel CSPRNG (getrandom) as 32 lowercase hex digits.
// Unguessable, so no other client can forge our ownership.
absl::StatusOr<std::string> NewLockToken();

// True for exactly the strings NewLockToken() can return.
bool IsLockToken(std::string_view token);

// Whole milliseconds of `ttl` for PX/PEXPIRE; INVALID_ARGUMENT below 1ms.
absl::StatusOr<int64_t> TtlMillis(absl::Duration ttl);

// Ownership of one lock. Move-only; releases on destruction (best effort: if
// Redis is unreachable then, the lock simply expires at its ttl). Not
// thread-safe; the pool must outlive it.
class LockHandle {
 public:
  LockHandle(LockHandle&& other) noexcept;
  LockHandle& operator=(LockHandle&& other) noexcept;
  LockHandle(const LockHandle&) = delete;
  LockHandle& operator=(const LockHandle&) = delete;
  ~LockHandle();

  // Resets the ttl to `ttl` from now. False when the lock is no longer ours
  // (it expired, perhaps taken by another), in which case stop the work.
  absl::StatusOr<bool> Extend(absl::Duration ttl);

  // Deletes the lock if it is still ours; returns whether it was. After the
  // call the handle holds nothing, whatever the outcome (on an error the
  // lock expires at its ttl).
  absl::StatusOr<bool> Release();

  // The full (prefixed) Redis key and our token.
  const std::string& key() const { return key_; }
  const std::string& token() const { return token_; }
  // False after Release() or a move.
  bool held() const { return pool_ != nullptr; }

 private:
  friend class DistributedLock;
  LockHandle(RedisPool* pool, std::string key, std::string token);
  // Release() for the destructor and move-assignment, which cannot return
  // an error: a failure is logged and the lock left to expire.
  void ReleaseAndLog();

  RedisPool* pool_ = nullptr;
  std::string key_;
  std::string token_;
};

class DistributedLock {
 public:
  // `pool` must outlive this object and every handle it returns.
  explicit DistributedLock(RedisPool* pool) : pool_(pool) {}

  // One attempt: the handle, or nullopt when someone else holds `key`.
  // `key` is prefixed with the pool's key prefix.
  absl::StatusOr<std::optional<LockHandle>> TryAcquire(std::string_view key,
                                                       absl::Duration ttl);

  // Retries TryAcquire with a growing, jittered backoff (5ms..100ms) for up
  // to `wait`. ABORTED when the lock stayed taken ("lost a race; retry"),
  // other errors as from Redis.
  absl::StatusOr<LockHandle> Acquire(std::string_view key, absl::Duration ttl,
                                     absl::Duration wait);

 private:
  RedisPool* pool_;
};

}  // namespace crm::redis
