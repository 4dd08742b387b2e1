#include "common/customfields/audit_values.h"

#include <set>

#include "common/customfields/field_access.h"

namespace crm::customfields {

std::vector<audit::FieldChange> ValueChanges(
    const std::vector<Definition>& defs, const Values& before,
    const Values& after) {
  std::set<std::string> sensitive;
  for (const Definition& d : defs)
    if (d.sensitive) sensitive.insert(d.key);
  audit::Fields b, a;
  for (const auto& [k, v] : before) b[kCustomPrefix + k] = v;
  for (const auto& [k, v] : after) a[kCustomPrefix + k] = v;
  std::vector<audit::FieldChange> out = audit::Diff(b, a);
  for (audit::FieldChange& c : out) {
    if (!sensitive.count(c.field.substr(kCustomPrefixLen))) continue;
    if (c.old_value) c.old_value = MaskValue(*c.old_value);
    if (c.new_value) c.new_value = MaskValue(*c.new_value);
  }
  return out;
}

}  // namespace crm::customfields
