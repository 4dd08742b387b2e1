// Password hashing with argon2id (libsodium's crypto_pwhash_str, algorithm
// ARGON2ID13). The encoded hash carries its own salt and cost, so the cost
// can be raised later: NeedsRehash() tells when a stored hash is weaker than
// the current setting, and identity rehashes on the next successful login.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace crm::identity {

struct PasswordCost {
  unsigned long long ops = 2;  // crypto_pwhash_OPSLIMIT_INTERACTIVE
  size_t mem_bytes =
      64ull << 20;  // crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB)
  // The smallest cost libsodium allows; for tests only.
  static PasswordCost Minimum();
};

// Rules a new password must meet: 8..128 bytes, not all one character.
// INVALID_ARGUMENT naming `field` and the rule.
absl::Status ValidateNewPassword(const std::string& password,
                                 const std::string& field);

absl::StatusOr<std::string> HashPassword(const std::string& password,
                                         const PasswordCost& cost);
// Constant-time check of a password against an encoded hash.
bool VerifyPassword(const std::string& password,
                    const std::string& encoded_hash);
bool NeedsRehash(const std::string& encoded_hash, const PasswordCost& cost);

}  // namespace crm::identity
