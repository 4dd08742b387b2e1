#include "common/auth/service_credentials.h"

namespace crm::auth {

ServiceCredentials::ServiceCredentials(TokenCodec codec, std::string service,
                                       absl::Duration ttl,
                                       std::shared_ptr<const Clock> clock)
    : codec_(std::move(codec)),
      service_(std::move(service)),
      ttl_(ttl),
      clock_(std::move(clock)) {}

std::string ServiceCredentials::Token() {
  std::lock_guard<std::mutex> lock(mu_);
  if (clock_->Now() + ttl_ / 2 >= expires_at_) {
    TokenCodec::Issued issued = codec_.IssueService(service_, ttl_);
    token_ = std::move(issued.token);
    expires_at_ = issued.expires_at;
  }
  return token_;
}

}  // namespace crm::auth
