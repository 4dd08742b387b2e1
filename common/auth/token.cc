#include "common/auth/token.h"

#include <algorithm>
#include <jwt/jwt.hpp>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace crm::auth {
namespace {

constexpr char kIssuer[] = "crm-identity";

std::string NewJti() {
  std::random_device rd;
  return absl::StrCat(
      absl::Hex(static_cast<uint64_t>(rd()) << 32 | rd(), absl::kZeroPad16));
}

}  // namespace

absl::StatusOr<TokenCodec> TokenCodec::Create(
    std::string key, std::shared_ptr<const Clock> clock) {
  if (key.size() < kMinTokenKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "token_key: must be at least ", kMinTokenKeyBytes, " bytes"));
  }
  return TokenCodec(std::move(key), std::move(clock));
}

absl::StatusOr<TokenCodec> TokenCodec::FromConfig(
    ConfigReader& config, std::shared_ptr<const Clock> clock) {
  std::string key = config.RequiredString("token_key", /*secret=*/true);
  if (key.empty()) return absl::InvalidArgumentError("token_key: required");
  return Create(std::move(key), std::move(clock));
}

TokenCodec::Issued TokenCodec::Issue(const Principal& p,
                                     absl::Duration ttl) const {
  using namespace jwt::params;
  const absl::Time now = clock_->Now();
  const absl::Time exp = now + ttl;
  jwt::jwt_object obj{algorithm("HS256"), secret(key_)};
  obj.add_claim("iss", kIssuer)
      .add_claim("typ", "access")
      .add_claim("sub", absl::StrCat(p.user_id))
      .add_claim("usr", p.username)
      .add_claim("org", p.org_unit_id)
      .add_claim("path", p.org_path)
      .add_claim("scope", std::string(DataScopeName(p.scope)))
      .add_claim("reg", p.region_code)
      .add_claim("iat", absl::ToUnixSeconds(now))
      .add_claim("exp", absl::ToUnixSeconds(exp))
      .add_claim("jti", NewJti());
  obj.payload().add_claim("roles", p.roles);
  return {obj.signature(), exp};
}

TokenCodec::Issued TokenCodec::IssueService(std::string_view service,
                                            absl::Duration ttl) const {
  using namespace jwt::params;
  const absl::Time now = clock_->Now();
  const absl::Time exp = now + ttl;
  jwt::jwt_object obj{algorithm("HS256"), secret(key_)};
  obj.add_claim("iss", kIssuer)
      .add_claim("typ", "service")
      .add_claim("svc", std::string(service))
      .add_claim("iat", absl::ToUnixSeconds(now))
      .add_claim("exp", absl::ToUnixSeconds(exp))
      .add_claim("jti", NewJti());
  return {obj.signature(), exp};
}

absl::StatusOr<Principal> TokenCodec::Verify(std::string_view token) const {
  // Expired by either clock is expired (as in Decode).
  const int64_t now = std::max(absl::ToUnixSeconds(clock_->Now()),
                               absl::ToUnixSeconds(absl::Now()));
  if (!token.empty() && token.size() <= 8192) {
    std::lock_guard<std::mutex> lock(verified_->mu);
    auto it =
        verified_->by_token.find(absl::string_view(token.data(), token.size()));
    if (it != verified_->by_token.end() && it->second.exp > now)
      return it->second.principal;
  }
  int64_t exp = 0;
  absl::StatusOr<Principal> p = Decode(token, &exp);
  if (!p.ok()) return p;
  std::lock_guard<std::mutex> lock(verified_->mu);
  // Bounded: a full cache starts over (tokens live 15 minutes; a service
  // sees far fewer distinct callers than this at a time).
  if (verified_->by_token.size() >= kMaxVerifiedTokens)
    verified_->by_token.clear();
  verified_->by_token.insert_or_assign(std::string(token),
                                       VerifiedTokens::Entry{*p, exp});
  return p;
}

absl::StatusOr<Principal> TokenCodec::Decode(std::string_view token,
                                             int64_t* exp) const {
  using namespace jwt::params;
  if (token.empty()) return absl::UnauthenticatedError("missing token");
  if (token.size() > 8192) return absl::UnauthenticatedError("malformed token");
  std::error_code ec;
  jwt::jwt_object obj;
  try {
    obj = jwt::decode(jwt::string_view(token.data(), token.size()),
                      algorithms({"HS256"}), ec, secret(key_), verify(true),
                      issuer(kIssuer));
  } catch (const std::exception&) {
    return absl::UnauthenticatedError("malformed token");
  }
  if (ec) {
    if (ec == jwt::VerificationErrc::TokenExpired)
      return absl::UnauthenticatedError("token expired");
    if (ec == jwt::VerificationErrc::InvalidSignature) {
      return absl::UnauthenticatedError("bad token signature");
    }
    return absl::UnauthenticatedError(
        absl::StrCat("invalid token: ", ec.message()));
  }
  try {
    const auto& payload = obj.payload().create_json_obj();
    const std::string typ = payload.value("typ", "");
    if (typ != "access" && typ != "service")
      return absl::UnauthenticatedError("not an access token");
    // The library checks expiry against the system clock; check it against
    // the injected clock too so time-travel tests mean what they say.
    *exp = payload.at("exp").get<int64_t>();
    if (*exp <= absl::ToUnixSeconds(clock_->Now())) {
      return absl::UnauthenticatedError("token expired");
    }
    Principal p;
    if (typ == "service") {
      p.service = payload.value("svc", "");
      if (p.service.empty())
        return absl::UnauthenticatedError("malformed token");
      p.username = absl::StrCat("service:", p.service);
      p.org_path = "/";
      p.roles = {std::string(kRoleService)};
      p.scope = DataScope::kAll;
      return p;
    }
    if (!absl::SimpleAtoi(payload.at("sub").get<std::string>(), &p.user_id) ||
        p.user_id <= 0) {
      return absl::UnauthenticatedError("malformed token");
    }
    p.username = payload.at("usr").get<std::string>();
    p.org_unit_id = payload.at("org").get<int64_t>();
    p.org_path = payload.at("path").get<std::string>();
    p.roles = payload.at("roles").get<std::vector<std::string>>();
    p.region_code = payload.value("reg", "");
    if (!ParseDataScope(payload.at("scope").get<std::string>(), &p.scope)) {
      return absl::UnauthenticatedError("malformed token");
    }
    return p;
  } catch (const std::exception&) {
    return absl::UnauthenticatedError("malformed token");
  }
}

}  // namespace crm::auth
