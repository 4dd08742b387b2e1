#include "common/auth/principal.h"

#include <algorithm>

namespace crm::auth {

const std::vector<std::string_view>& KnownRoles() {
  static const std::vector<std::string_view> roles = {
      kRoleAdmin,   kRoleBoss,         kRoleSalesManager,  kRoleSalesRep,
      kRoleFinance, kRoleSupportAgent, kRoleSupportManager};
  return roles;
}

bool IsKnownRole(std::string_view role) {
  const auto& roles = KnownRoles();
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

DataScope ScopeOfRole(std::string_view role) {
  if (role == kRoleAdmin || role == kRoleService) return DataScope::kAll;
  if (role == kRoleBoss || role == kRoleSalesManager ||
      role == kRoleSupportManager || role == kRoleFinance) {
    return DataScope::kSubtree;
  }
  return DataScope::kSelf;
}

DataScope ScopeOfRoles(const std::vector<std::string>& roles) {
  DataScope widest = DataScope::kSelf;
  for (const auto& r : roles) widest = std::max(widest, ScopeOfRole(r));
  return widest;
}

std::string_view DataScopeName(DataScope scope) {
  switch (scope) {
    case DataScope::kSelf:
      return "SELF";
    case DataScope::kSubtree:
      return "SUBTREE";
    case DataScope::kAll:
      return "ALL";
  }
  return "SELF";
}

bool ParseDataScope(std::string_view name, DataScope* out) {
  if (name == "SELF")
    *out = DataScope::kSelf;
  else if (name == "SUBTREE")
    *out = DataScope::kSubtree;
  else if (name == "ALL")
    *out = DataScope::kAll;
  else
    return false;
  return true;
}

bool Principal::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool PathWithin(std::string_view path, std::string_view ancestor) {
  return !ancestor.empty() && path.substr(0, ancestor.size()) == ancestor;
}

bool CanSee(const Principal& p, int64_t owner_id,
            std::string_view owner_org_path) {
  switch (p.scope) {
    case DataScope::kAll:
      return true;
    case DataScope::kSubtree:
      return owner_id == p.user_id || PathWithin(owner_org_path, p.org_path);
    case DataScope::kSelf:
      return owner_id == p.user_id;
  }
  return false;
}

bool CanSeeUnit(const Principal& p, std::string_view unit_path) {
  switch (p.scope) {
    case DataScope::kAll:
      return true;
    case DataScope::kSubtree:
      return PathWithin(unit_path, p.org_path);
    case DataScope::kSelf:
      return false;
  }
  return false;
}

}  // namespace crm::auth
