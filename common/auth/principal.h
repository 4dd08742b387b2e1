// Who is calling: the identity carried by a verified access token, and the
// data-permission rules of the org tree ("open downward, closed upward").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crm::auth {

// How much data a role may see. Larger is wider.
enum class DataScope { kSelf = 0, kSubtree = 1, kAll = 2 };

inline constexpr std::string_view kRoleAdmin = "admin";
inline constexpr std::string_view kRoleBoss = "boss";
inline constexpr std::string_view kRoleSalesManager = "sales_manager";
inline constexpr std::string_view kRoleSalesRep = "sales_rep";
inline constexpr std::string_view kRoleFinance = "finance";
inline constexpr std::string_view kRoleSupportAgent = "support_agent";
inline constexpr std::string_view kRoleSupportManager = "support_manager";
// Carried only by service tokens (TokenCodec::IssueService): another service
// of the suite acting on its own behalf (an event consumer, a scheduled job).
// Never grantable to a user, so it is not among KnownRoles().
inline constexpr std::string_view kRoleService = "service";

// All roles the suite knows, in a stable order.
const std::vector<std::string_view>& KnownRoles();
bool IsKnownRole(std::string_view role);

// The data scope a single role grants:
//   admin -> ALL; boss, sales_manager, support_manager, finance -> SUBTREE
//   (a boss or finance placed at the company root thereby sees everything,
//   one placed in a region sees that region); sales_rep, support_agent -> SELF;
//   service -> ALL.
DataScope ScopeOfRole(std::string_view role);
// The widest scope among the roles (SELF when there are none).
DataScope ScopeOfRoles(const std::vector<std::string>& roles);

std::string_view DataScopeName(DataScope scope);
bool ParseDataScope(std::string_view name, DataScope* out);

struct Principal {
  int64_t user_id = 0;
  std::string username;
  int64_t org_unit_id = 0;
  std::string org_path;  // materialized path of the user's unit, e.g. "/1/4/9/"
  std::vector<std::string> roles;
  DataScope scope = DataScope::kSelf;
  std::string region_code;  // effective region of the unit, may be empty
  // Set (and user_id 0) for a service token: the calling service's name.
  std::string service;

  bool HasRole(std::string_view role) const;
  bool IsAdmin() const { return HasRole(kRoleAdmin); }
  bool IsService() const { return !service.empty(); }
};

// Whether `path` equals `ancestor` or lies below it. Both are materialized
// paths ending in '/'.
bool PathWithin(std::string_view path, std::string_view ancestor);

// Whether the principal may see a record owned by `owner_id` whose owner sat
// at `owner_org_path` (the same rule as DataScopePredicate, for one record).
bool CanSee(const Principal& p, int64_t owner_id,
            std::string_view owner_org_path);

// Whether the principal's scope covers the org unit at `unit_path` (for
// org-tree and user administration: subtree managers see their subtree).
bool CanSeeUnit(const Principal& p, std::string_view unit_path);

}  // namespace crm::auth
