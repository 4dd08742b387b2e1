// Org-tree rules: names, kinds, materialized paths and what a move may do.
// A path lists the ids from the root down, each followed by '/': the root
// with id 1 is "/1/", its child 4 is "/1/4/", that child's child 9 "/1/4/9/".
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace crm::identity {

enum class OrgKind {
  kUnspecified = 0,
  kCompany = 1,
  kRegion = 2,
  kBranch = 3,
  kTeam = 4
};

inline constexpr size_t kMaxOrgNameChars = 100;
inline constexpr int kMaxOrgDepth = 16;

// Trims surrounding whitespace; INVALID_ARGUMENT "<field>: ..." when empty,
// longer than kMaxOrgNameChars characters (UTF-8 aware) or holding control
// characters.
absl::Status NormalizeName(std::string* name, const std::string& field,
                           size_t max_chars);

// Region codes: 1..32 of [a-z0-9_-], or empty.
absl::Status ValidateRegionCode(const std::string& code);

std::string ChildPath(const std::string& parent_path, int64_t id);
// Number of ids in a path minus one: "/1/" -> 0, "/1/4/9/" -> 2.
int PathDepth(const std::string& path);
bool IsSelfOrDescendant(const std::string& path,
                        const std::string& ancestor_path);

// A unit of kind `kind` may sit under `parent_kind` (kUnspecified when it
// would be the root): a company only at the root, everything else below
// some unit. The tree may be any depth up to kMaxOrgDepth.
absl::Status CheckPlacement(OrgKind kind, OrgKind parent_kind, bool is_root);

// Moving `unit_path` under `new_parent_path`: FAILED_PRECONDITION when the
// new parent is the unit itself or one of its descendants, or the unit is
// the root; OUT_OF_RANGE when the subtree would become too deep.
absl::Status CheckMove(const std::string& unit_path,
                       const std::string& new_parent_path, int subtree_height);

}  // namespace crm::identity
