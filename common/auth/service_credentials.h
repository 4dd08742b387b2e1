// A service's own token for calls that no user made (event consumers,
// scheduled jobs), minted locally with the shared token key and reissued
// before it expires. Thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "common/auth/token.h"

namespace crm::auth {

class ServiceCredentials {
 public:
  ServiceCredentials(TokenCodec codec, std::string service,
                     absl::Duration ttl = absl::Minutes(10),
                     std::shared_ptr<const Clock> clock = DefaultClock());

  // A token valid for at least half the ttl.
  std::string Token();
  const std::string& service() const { return service_; }

 private:
  TokenCodec codec_;
  std::string service_;
  absl::Duration ttl_;
  std::shared_ptr<const Clock> clock_;
  std::mutex mu_;
  std::string token_;
  absl::Time expires_at_ = absl::InfinitePast();
};

}  // namespace crm::auth
