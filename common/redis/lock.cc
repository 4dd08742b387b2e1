#include "common/redis/lock.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace crm::redis {
namespace {

constexpr size_t kTokenBytes = 16;
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(5);
constexpr absl::Duration kMaxBackoff = absl::Milliseconds(100);

}  // namespace

absl::StatusOr<std::string> NewLockToken() {
  unsigned char bytes[kTokenBytes];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    const ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(
          absl::StrCat("getrandom failed: ", std::strerror(errno)));
    }
    got += static_cast<size_t>(n);
  }
  return absl::BytesToHexString(
      std::string(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

bool IsLockToken(std::string_view token) {
  return token.size() == 2 * kTokenBytes &&
         std::all_of(token.begin(), token.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

absl::StatusOr<int64_t> TtlMillis(absl::Duration ttl) {
  const int64_t ms = absl::ToInt64Milliseconds(ttl);
  if (ms < 1) return InvalidField("ttl", "must be at least 1ms");
  return ms;
}

// --- LockHandle -------------------------------------------------------------

LockHandle::LockHandle(RedisPool* pool, std::string key, std::string token)
    : pool_(pool), key_(std::move(key)), token_(std::move(token)) {}

LockHandle::LockHandle(LockHandle&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      key_(std::move(other.key_)),
      token_(std::move(other.token_)) {}

LockHandle& LockHandle::operator=(LockHandle&& other) noexcept {
  if (this != &other) {
    ReleaseAndLog();
    pool_ = std::exchange(other.pool_, nullptr);
    key_ = std::move(other.key_);
    token_ = std::move(other.token_);
  }
  return *this;
}

LockHandle::~LockHandle() { ReleaseAndLog(); }

void LockHandle::ReleaseAndLog() {
  if (!held()) return;
  absl::StatusOr<bool> released = Release();
  if (!released.ok()) {
    // Not fatal: the key expires at its ttl. Worth knowing, since others
    // wait for that long.
    log::Warn("redis: lock release failed; it will expire at its ttl",
              {{"key", key_}, {"error", released.status().ToString()}});
  } else if (!*released) {
    // The ttl ran out while we held it: the guarded work took too long and
    // may have overlapped with the next holder.
    log::Warn("redis: lock had expired before release", {{"key", key_}});
  }
}

absl::StatusOr<bool> LockHandle::Extend(absl::Duration ttl) {
  if (!held()) return absl::FailedPreconditionError("lock is not held");
  ASSIGN_OR_RETURN(const int64_t ms, TtlMillis(ttl));
  ASSIGN_OR_RETURN(Reply reply,
                   pool_->Command({"EVAL", std::string(kExtendScript), "1",
                                   key_, token_, absl::StrCat(ms)}));
  ASSIGN_OR_RETURN(const int64_t extended, reply.AsInteger());
  return extended == 1;
}

absl::StatusOr<bool> LockHandle::Release() {
  if (!held()) return absl::FailedPreconditionError("lock is not held");
  RedisPool* pool = std::exchange(pool_, nullptr);
  ASSIGN_OR_RETURN(
      Reply reply,
      pool->Command({"EVAL", std::string(kReleaseScript), "1", key_, token_}));
  ASSIGN_OR_RETURN(const int64_t deleted, reply.AsInteger());
  return deleted == 1;
}

// --- DistributedLock --------------------------------------------------------

absl::StatusOr<std::optional<LockHandle>> DistributedLock::TryAcquire(
    std::string_view key, absl::Duration ttl) {
  ASSIGN_OR_RETURN(const int64_t ms, TtlMillis(ttl));
  ASSIGN_OR_RETURN(std::string token, NewLockToken());
  std::string full_key = pool_->Key(key);
  ASSIGN_OR_RETURN(Reply reply, pool_->Command({"SET", full_key, token, "NX",
                                                "PX", absl::StrCat(ms)}));
  // SET NX answers +OK when it set the key and nil when the key exists.
  if (reply.is_nil()) return std::optional<LockHandle>();
  if (reply.type != Reply::Type::kStatus || reply.str != "OK") {
    return absl::InternalError(
        absl::StrCat("redis: unexpected SET reply ", reply.DebugString()));
  }
  return std::optional<LockHandle>(
      LockHandle(pool_, std::move(full_key), std::move(token)));
}

absl::StatusOr<LockHandle> DistributedLock::Acquire(std::string_view key,
                                                    absl::Duration ttl,
                                                    absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  absl::BitGen jitter;  // spreads contenders apart; not security relevant
  absl::Duration backoff = kFirstBackoff;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<LockHandle> handle, TryAcquire(key, ttl));
    if (handle.has_value()) return *std::move(handle);
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::AbortedError(
          absl::StrCat("lock ", pool_->Key(key), " is held by another owner"));
    }
    const absl::Duration sleep =
        std::min(left, backoff * absl::Uniform(jitter, 0.5, 1.5));
    absl::SleepFor(sleep);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace crm::redis
