#include "services/identity/domain/password.h"

#include <sodium.h>

#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::identity {
namespace {

bool SodiumReady() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

PasswordCost PasswordCost::Minimum() {
  PasswordCost c;
  c.ops = crypto_pwhash_OPSLIMIT_MIN;
  c.mem_bytes = crypto_pwhash_MEMLIMIT_MIN;
  return c;
}

absl::Status ValidateNewPassword(const std::string& password,
                                 const std::string& field) {
  if (password.size() < 8)
    return InvalidField(field, "must be at least 8 characters");
  if (password.size() > 128)
    return InvalidField(field, "must be at most 128 bytes");
  if (password.find_first_not_of(password[0]) == std::string::npos) {
    return InvalidField(field, "must not repeat a single character");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HashPassword(const std::string& password,
                                         const PasswordCost& cost) {
  if (!SodiumReady())
    return absl::InternalError("libsodium failed to initialize");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops,
                            cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& password,
                    const std::string& encoded_hash) {
  if (!SodiumReady() || encoded_hash.empty()) return false;
  return crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(),
                                  password.size()) == 0;
}

bool NeedsRehash(const std::string& encoded_hash, const PasswordCost& cost) {
  if (!SodiumReady()) return false;
  return crypto_pwhash_str_needs_rehash(encoded_hash.c_str(), cost.ops,
                                        cost.mem_bytes) != 0;
}

}  // namespace crm::identity
