#include "services/identity/domain/org_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::identity {
namespace {

size_t Utf8Chars(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

absl::Status NormalizeName(std::string* name, const std::string& field,
                           size_t max_chars) {
  *name = std::string(absl::StripAsciiWhitespace(*name));
  if (name->empty()) return InvalidField(field, "must not be empty");
  if (Utf8Chars(*name) > max_chars) {
    return InvalidField(
        field, absl::StrCat("must be at most ", max_chars, " characters"));
  }
  for (unsigned char c : *name) {
    if (c < 0x20 || c == 0x7f)
      return InvalidField(field, "must not contain control characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateRegionCode(const std::string& code) {
  if (code.size() > 32)
    return InvalidField("region_code", "must be at most 32 characters");
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return InvalidField("region_code",
                          "may contain only a-z, 0-9, '_' and '-'");
    }
  }
  return absl::OkStatus();
}

std::string ChildPath(const std::string& parent_path, int64_t id) {
  return absl::StrCat(parent_path.empty() ? "/" : parent_path, id, "/");
}

int PathDepth(const std::string& path) {
  return static_cast<int>(std::count(path.begin(), path.end(), '/')) - 2;
}

bool IsSelfOrDescendant(const std::string& path,
                        const std::string& ancestor_path) {
  return !ancestor_path.empty() &&
         path.compare(0, ancestor_path.size(), ancestor_path) == 0;
}

absl::Status CheckPlacement(OrgKind kind, OrgKind parent_kind, bool is_root) {
  if (kind == OrgKind::kUnspecified) return InvalidField("kind", "must be set");
  if (is_root && kind != OrgKind::kCompany) {
    return absl::FailedPreconditionError(
        "only a company can be the root of the org tree");
  }
  if (!is_root && kind == OrgKind::kCompany) {
    return absl::FailedPreconditionError(
        "a company can only be the root of the org tree");
  }
  return absl::OkStatus();
}

absl::Status CheckMove(const std::string& unit_path,
                       const std::string& new_parent_path, int subtree_height) {
  if (PathDepth(unit_path) == 0) {
    return absl::FailedPreconditionError("the company root cannot be moved");
  }
  if (IsSelfOrDescendant(new_parent_path, unit_path)) {
    return absl::FailedPreconditionError(
        "new_parent_id: cannot move a unit under itself or one of its "
        "descendants");
  }
  if (PathDepth(new_parent_path) + 1 + subtree_height >= kMaxOrgDepth) {
    return absl::OutOfRangeError(absl::StrCat("the org tree may be at most ",
                                              kMaxOrgDepth, " levels deep"));
  }
  return absl::OkStatus();
}

}  // namespace crm::identity
