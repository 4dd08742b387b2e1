// Turns a principal's data scope into a SQL predicate that an index on
// (owner_org_path) or (owner_id) can serve:
//   SELF    -> "owner_id = ?"                 [user id]
//   SUBTREE -> "owner_org_path LIKE ?"        ["/1/4/%"] (a prefix match)
//   ALL     -> "TRUE"                         []
// Column names are compile-time constants chosen by store/ code, never input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/auth/principal.h"
#include "common/db/sql_value.h"

namespace crm::auth {

struct SqlPredicate {
  std::string sql;
  std::vector<db::Param> params;
};

SqlPredicate DataScopePredicate(
    const Principal& p, std::string_view owner_id_column = "owner_id",
    std::string_view org_path_column = "owner_org_path");

// Escapes LIKE wildcards ('%', '_', '\') so a path is matched literally.
std::string EscapeLike(std::string_view text);

}  // namespace crm::auth
