#include "services/identity/sessions.h"

#include <sodium.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/identity/domain/user_rules.h"
#include "services/identity/proto_convert.h"

namespace crm::identity {
namespace {

std::string RandomBytes(size_t n) {
  std::string raw(n, '\0');
  randombytes_buf(raw.data(), raw.size());
  return raw;
}

std::string RandomToken(size_t bytes) {
  return absl::WebSafeBase64Escape(RandomBytes(bytes));
}

absl::Status BadCredentials() {
  return absl::UnauthenticatedError("invalid username or password");
}

}  // namespace

Sessions::Sessions(std::shared_ptr<UserStore> users,
                   std::shared_ptr<TokenStore> tokens,
                   std::shared_ptr<const auth::TokenCodec> codec,
                   std::shared_ptr<const Clock> clock, SessionConfig config)
    : users_(std::move(users)),
      tokens_(std::move(tokens)),
      codec_(std::move(codec)),
      clock_(std::move(clock)),
      config_(config) {
  if (sodium_init() < 0) log::Error("libsodium failed to initialize");
  dummy_hash_ = HashPassword("dummy-password-for-timing", config_.password_cost)
                    .value_or("");
}

std::string Sessions::HashRefreshToken(const std::string& token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest,
                     reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

Session Sessions::WithAccessToken(const UserRecord& user) const {
  Session s;
  const auto access = codec_->Issue(PrincipalOf(user), config_.access_ttl);
  s.access_token = access.token;
  s.access_expires_at = access.expires_at;
  s.user = user;
  return s;
}

absl::StatusOr<Session> Sessions::Login(std::string username,
                                        const std::string& password) {
  if (username.empty()) return InvalidField("username", "required");
  if (password.empty()) return InvalidField("password", "required");
  if (password.size() > 1024) return BadCredentials();
  if (!NormalizeUsername(&username).ok()) {
    (void)VerifyPassword(password, dummy_hash_);
    return BadCredentials();
  }
  ASSIGN_OR_RETURN(std::optional<UserRecord> user,
                   users_->FindByUsername(username));
  if (!user.has_value()) {
    (void)VerifyPassword(password, dummy_hash_);
    return BadCredentials();
  }
  const absl::Time now = clock_->Now();
  if (IsLocked(user->locked_until, now)) {
    const int64_t wait = absl::ToInt64Seconds(*user->locked_until - now) + 1;
    return absl::ResourceExhaustedError(absl::StrCat(
        "account locked after ", config_.login_policy.max_failed_logins,
        " failed logins; retry after ",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *user->locked_until,
                         absl::UTCTimeZone()),
        " (in ", wait, " s)"));
  }
  if (!VerifyPassword(password, user->password_hash)) {
    RETURN_IF_ERROR(users_->RecordFailedLogin(user->id, config_.login_policy));
    log::Warn("login failed", {{"user", user->id}});
    return BadCredentials();
  }
  if (user->status != UserStatus::kActive) {
    return absl::UnauthenticatedError("account is deactivated");
  }
  std::optional<std::string> rehash;
  if (NeedsRehash(user->password_hash, config_.password_cost)) {
    auto h = HashPassword(password, config_.password_cost);
    if (h.ok()) rehash = *h;
  }
  if (user->failed_logins != 0 || user->locked_until.has_value() ||
      rehash.has_value()) {
    RETURN_IF_ERROR(users_->RecordSuccessfulLogin(user->id, rehash));
  }
  Session s = WithAccessToken(*user);
  s.refresh_token = RandomToken(32);
  s.refresh_expires_at = now + config_.refresh_ttl;
  // A new login starts a new token family; rotations stay in it.
  RETURN_IF_ERROR(tokens_->Insert(HashRefreshToken(s.refresh_token), user->id,
                                  absl::BytesToHexString(RandomBytes(16)),
                                  s.refresh_expires_at));
  return s;
}

absl::StatusOr<Session> Sessions::Refresh(const std::string& refresh_token) {
  if (refresh_token.empty()) return InvalidField("refresh_token", "required");
  if (refresh_token.size() > 256)
    return absl::UnauthenticatedError("unknown refresh token");
  const std::string next = RandomToken(32);
  const absl::Time expires = clock_->Now() + config_.refresh_ttl;
  ASSIGN_OR_RETURN(int64_t user_id,
                   tokens_->Rotate(HashRefreshToken(refresh_token),
                                   HashRefreshToken(next), expires));
  ASSIGN_OR_RETURN(UserRecord user, users_->Get(user_id));
  Session s = WithAccessToken(user);
  s.refresh_token = next;
  s.refresh_expires_at = expires;
  return s;
}

absl::Status Sessions::Logout(const std::string& refresh_token) {
  if (refresh_token.empty()) return InvalidField("refresh_token", "required");
  return tokens_->RevokeFamily(HashRefreshToken(refresh_token));
}

}  // namespace crm::identity
