#include "common/validate/email.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "common/status/status.h"
#include "common/validate/text.h"

namespace crm::validate {
namespace {

constexpr size_t kMaxLength = 254;  // RFC 5321 path limit minus "<>".
constexpr size_t kMaxLocal = 64;
constexpr size_t kMaxLabel = 63;

bool IsAtext(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) !=
             std::string_view::npos;
}

std::string_view CheckLocal(std::string_view local) {
  if (local.empty() || local.size() > kMaxLocal) {
    return "local part must be 1 to 64 characters";
  }
  if (local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return "local part must not start or end with '.' or contain '..'";
  }
  for (char c : local) {
    if (c != '.' && !IsAtext(c)) {
      return "local part contains a character that is not allowed";
    }
  }
  return {};
}

std::string_view CheckDomain(std::string_view domain) {
  if (domain.empty()) return "domain must not be empty";
  if (domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return "domain must not start or end with '.' or contain '..'";
  }
  if (domain.find('.') == std::string_view::npos) {
    return "domain must contain a '.'";
  }
  std::vector<std::string_view> labels;
  for (size_t start = 0;;) {
    const size_t dot = domain.find('.', start);
    labels.push_back(domain.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (std::string_view label : labels) {
    if (label.size() > kMaxLabel) {
      return "domain labels must be at most 63 characters";
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return "domain may contain only letters, digits, '-' and '.'";
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return "domain labels must not start or end with '-'";
    }
  }
  if (labels.back().find_first_not_of("0123456789") == std::string_view::npos) {
    return "domain must end in a name, not a number";
  }
  return {};
}

}  // namespace

absl::StatusOr<std::string> NormalizeEmail(std::string_view raw,
                                           std::string_view field) {
  std::string text = CollapseSpaces(ToHalfWidth(raw));
  if (text.empty()) return InvalidField(field, "must not be empty");
  if (text.find(' ') != std::string::npos) {
    return InvalidField(field, "must not contain spaces");
  }
  const size_t at = text.find('@');
  if (at == std::string::npos || text.find('@', at + 1) != std::string::npos) {
    return InvalidField(field, "must contain exactly one '@'");
  }
  std::string local = text.substr(0, at);
  std::string domain = absl::AsciiStrToLower(absl::StrReplaceAll(
      text.substr(at + 1), {{"\xE3\x80\x82", "."}}));  // U+3002 "。"
  if (std::string_view rule = CheckLocal(local); !rule.empty()) {
    return InvalidField(field, rule);
  }
  if (std::string_view rule = CheckDomain(domain); !rule.empty()) {
    return InvalidField(field, rule);
  }
  std::string email = local + "@" + domain;
  if (email.size() > kMaxLength) {
    return InvalidField(field, "must be at most 254 characters");
  }
  return email;
}

}  // namespace crm::validate
