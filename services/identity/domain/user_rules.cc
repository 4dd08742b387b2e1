#include "services/identity/domain/user_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/status.h"

namespace crm::identity {

absl::Status NormalizeUsername(std::string* username) {
  *username = absl::AsciiStrToLower(absl::StripAsciiWhitespace(*username));
  if (username->size() < 3 || username->size() > 64) {
    return InvalidField("username", "must be 3 to 64 characters");
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>((*username)[0]))) {
    return InvalidField("username", "must start with a letter or digit");
  }
  for (char c : *username) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
          c == '_' || c == '-')) {
      return InvalidField("username",
                          "may contain only a-z, 0-9, '.', '_' and '-'");
    }
  }
  return absl::OkStatus();
}

absl::Status NormalizeRoles(std::vector<std::string>* roles) {
  if (roles->empty())
    return InvalidField("roles", "at least one role is required");
  std::vector<std::string> out;
  for (const std::string& r : *roles) {
    if (!auth::IsKnownRole(r)) {
      // Echo at most 64 bytes (cut at a UTF-8 boundary): a 70 kB role
      // echoed whole overflowed gRPC's 8 KiB metadata limit (the client
      // saw RESOURCE_EXHAUSTED instead of this).
      size_t cut = std::min<size_t>(r.size(), 64);
      while (cut > 0 && cut < r.size() && (r[cut] & 0xC0) == 0x80) --cut;
      return InvalidField("roles",
                          absl::StrCat("unknown role \"", r.substr(0, cut),
                                       cut < r.size() ? "...\"" : "\""));
    }
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  *roles = std::move(out);
  return absl::OkStatus();
}

absl::Status ValidateEmail(const std::string& email) {
  if (email.empty()) return absl::OkStatus();
  const size_t at = email.find('@');
  if (email.size() > 254 || at == std::string::npos || at == 0 ||
      email.find('@', at + 1) != std::string::npos ||
      email.find('.', at + 2) == std::string::npos || email.back() == '.' ||
      email.find(' ') != std::string::npos) {
    return InvalidField("email", "is not a valid e-mail address");
  }
  return absl::OkStatus();
}

absl::Status ValidatePhone(const std::string& phone) {
  if (phone.empty()) return absl::OkStatus();
  if (phone.size() < 5 || phone.size() > 32)
    return InvalidField("phone", "must be 5 to 32 characters");
  for (char c : phone) {
    if (!(absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == ' ' ||
          c == '+' || c == '-' || c == '(' || c == ')')) {
      return InvalidField(
          "phone", "may contain only digits, spaces, '+', '-' and parentheses");
    }
  }
  return absl::OkStatus();
}

}  // namespace crm::identity
