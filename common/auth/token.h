// Signed access tokens (JWT, HS256, via the cpp-jwt library from Debian).
//
// Identity issues them; every service verifies them locally with the same
// key (config `token_key`, at least 32 bytes), so no call to identity is
// needed per request. Claims: iss=crm-identity, typ=access, sub=user id,
// usr, org (unit id), path (org path), roles, scope, reg (region), iat,
// exp, jti.
// Access tokens are short-lived (default 15 min); revocation is done on the
// refresh token, which identity keeps server-side.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/clock/clock.h"
#include "common/config/config.h"

namespace crm::auth {

inline constexpr size_t kMinTokenKeyBytes = 32;

class TokenCodec {
 public:
  // INVALID_ARGUMENT when the key is shorter than kMinTokenKeyBytes.
  static absl::StatusOr<TokenCodec> Create(
      std::string key, std::shared_ptr<const Clock> clock = DefaultClock());
  // Reads config `token_key` (env CRM_TOKEN_KEY).
  static absl::StatusOr<TokenCodec> FromConfig(
      ConfigReader& config,
      std::shared_ptr<const Clock> clock = DefaultClock());

  struct Issued {
    std::string token;
    absl::Time expires_at;
  };
  Issued Issue(const Principal& principal, absl::Duration ttl) const;
  // A token for service `service` itself (typ=service, svc claim, role
  // "service", scope ALL, org path "/"), for calls no user made: event
  // consumers and scheduled jobs. See docs/adr/0007.
  Issued IssueService(std::string_view service, absl::Duration ttl) const;

  // UNAUTHENTICATED with a reason ("token expired", "bad signature",
  // "malformed token") for anything but a valid, unexpired access or service
  // token.
  // A token verified before is answered from a cache until it expires (by
  // the injected clock and by the system clock, as the full check): the
  // JWT decoding and HMAC were a tenth of a busy service's CPU. Copies of
  // the codec share the cache.
  absl::StatusOr<Principal> Verify(std::string_view token) const;

 private:
  static constexpr size_t kMaxVerifiedTokens = 4096;
  struct VerifiedTokens {
    struct Entry {
      Principal principal;
      int64_t exp = 0;  // unix seconds
    };
    std::mutex mu;
    absl::flat_hash_map<std::string, Entry> by_token;  // guarded by mu
  };

  TokenCodec(std::string key, std::shared_ptr<const Clock> clock)
      : key_(std::move(key)),
        clock_(std::move(clock)),
        verified_(std::make_shared<VerifiedTokens>()) {}
  // The full check; sets *exp on success.
  absl::StatusOr<Principal> Decode(std::string_view token, int64_t* exp) const;

  std::string key_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<VerifiedTokens> verified_;
};

}  // namespace crm::auth
