#include "common/auth/data_scope.h"

#include <cassert>

#include "absl/strings/str_cat.h"

namespace crm::auth {
namespace {

bool IsPlainIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.'))
      return false;
  }
  return true;
}

}  // namespace

std::string EscapeLike(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

SqlPredicate DataScopePredicate(const Principal& p,
                                std::string_view owner_id_column,
                                std::string_view org_path_column) {
  assert(IsPlainIdentifier(owner_id_column) &&
         IsPlainIdentifier(org_path_column));
  switch (p.scope) {
    case DataScope::kAll:
      return {"TRUE", {}};
    case DataScope::kSubtree:
      if (p.org_path.empty()) break;  // no unit: fall back to own records
      return {absl::StrCat(std::string(org_path_column), " LIKE ?"),
              {absl::StrCat(EscapeLike(p.org_path), "%")}};
    case DataScope::kSelf:
      break;
  }
  return {absl::StrCat(std::string(owner_id_column), " = ?"), {p.user_id}};
}

}  // namespace crm::auth
