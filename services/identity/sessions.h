// Login, refresh-token rotation and logout: the flow between the user store,
// the password and lockout rules, and the token codec. No protobuf here.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth/token.h"
#include "common/clock/clock.h"
#include "services/identity/domain/login_policy.h"
#include "services/identity/domain/password.h"
#include "services/identity/store/token_store.h"
#include "services/identity/store/user_store.h"

namespace crm::identity {

struct SessionConfig {
  absl::Duration access_ttl = absl::Minutes(15);
  absl::Duration refresh_ttl = absl::Hours(24 * 30);
  PasswordCost password_cost;
  LoginPolicy login_policy;
};

struct Session {
  std::string access_token;
  absl::Time access_expires_at;
  std::string refresh_token;
  absl::Time refresh_expires_at;
  UserRecord user;
};

class Sessions {
 public:
  Sessions(std::shared_ptr<UserStore> users, std::shared_ptr<TokenStore> tokens,
           std::shared_ptr<const auth::TokenCodec> codec,
           std::shared_ptr<const Clock> clock, SessionConfig config);

  // UNAUTHENTICATED "invalid username or password" for an unknown user or a
  // wrong password (the same answer, so usernames cannot be probed);
  // RESOURCE_EXHAUSTED with the retry time while the account is locked.
  absl::StatusOr<Session> Login(std::string username,
                                const std::string& password);
  absl::StatusOr<Session> Refresh(const std::string& refresh_token);
  absl::Status Logout(const std::string& refresh_token);

  const SessionConfig& config() const { return config_; }

  // SHA-256 hex of a refresh token, the form stored in the database.
  static std::string HashRefreshToken(const std::string& token);

 private:
  Session WithAccessToken(const UserRecord& user) const;

  std::shared_ptr<UserStore> users_;
  std::shared_ptr<TokenStore> tokens_;
  std::shared_ptr<const auth::TokenCodec> codec_;
  std::shared_ptr<const Clock> clock_;
  SessionConfig config_;
  std::string
      dummy_hash_;  // verified against for unknown users, to even out timing
};

}  // namespace crm::identity
