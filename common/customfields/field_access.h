// Field-level permissions: per role, each field of an entity (built-in, by
// its proto field name, or "custom_fields.<key>") is hidden, masked,
// read-only or editable. Defaults are in code (sensitive fields are masked
// for roles outside sales and admin); admins override them per role with
// rules stored in the owning service's schema (ADR 0077). Pure: the rules
// come in, nothing is read here.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/auth/principal.h"
#include "common/validate/mask.h"

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace crm::customfields {

// Ordered: a wider access compares greater.
enum class Access { kHidden = 1, kMasked = 2, kReadOnly = 3, kEditable = 4 };
std::string_view AccessName(Access a);

// The suite's one masking rule (common/validate/mask.h).
using validate::MaskValue;

// The prefix of custom field names in permissions and update masks.
inline constexpr char kCustomPrefix[] = "custom_fields.";
inline constexpr size_t kCustomPrefixLen = sizeof(kCustomPrefix) - 1;

// Built-in fields that hold personal or commercial secrets: contact phones
// and e-mails, person accounts' phones and ID numbers, lead phones, contract
// amounts (with the installments and the received total, which reveal the
// amount), opportunity amounts.
bool IsSensitiveBuiltIn(std::string_view entity_type, std::string_view field);

// A role's access to a field when no rule is set: editable, except a
// sensitive field, which is masked for roles other than admin, boss,
// sales_manager and sales_rep.
Access DefaultAccess(std::string_view role, bool sensitive);
// The same for one field of an entity type: finance also has the right to
// the sensitive built-in money fields of contracts (ADR 0085).
Access DefaultAccess(std::string_view entity_type, std::string_view field,
                     std::string_view role, bool sensitive);

struct Rule {
  std::string field;
  std::string role;
  Access access = Access::kEditable;
};

// The rules of one entity type, as a service loaded them for a request.
class FieldPolicy {
 public:
  FieldPolicy() = default;
  FieldPolicy(std::string entity_type, std::vector<Rule> rules,
              std::set<std::string> sensitive_custom_keys);

  const std::string& entity_type() const { return entity_type_; }
  bool IsSensitive(std::string_view field) const;
  // One role's access (the rule, else the default).
  Access RoleAccess(std::string_view role, std::string_view field) const;
  // The widest access among the principal's roles. Admins and services
  // always have full access; a principal without roles gets the default of
  // an unknown role.
  Access AccessFor(const auth::Principal& p, std::string_view field) const;
  // PERMISSION_DENIED "<entity>.<field>: read-only for your role" (or
  // "hidden ...") for the first of `fields` the principal may not write.
  absl::Status CheckWritable(const auth::Principal& p,
                             const std::vector<std::string>& fields) const;
  // Applies read access to an entity message in place (by reflection, so
  // one function serves every entity): hidden fields are cleared, masked
  // string fields masked (other masked fields cleared); entries of the map
  // field "custom_fields" the same by key.
  void ApplyRead(const auth::Principal& p,
                 google::protobuf::Message* msg) const;

 private:
  std::string entity_type_;
  std::map<std::pair<std::string, std::string>, Access> rules_;  // field,role
  std::set<std::string> sensitive_custom_;  // "custom_fields.<key>"
};

// The built-in field names of an entity message permissions may address
// (every top-level field except id and custom_fields).
std::vector<std::string> BuiltInFields(const google::protobuf::Descriptor& d);

// The fields an update touches, as permission names: update-mask paths as
// they are, except "custom_fields" (all of it), which becomes one
// "custom_fields.<key>" per key the request sets; "custom_fields.<key>"
// paths stay.
std::vector<std::string> TouchedFields(
    const std::vector<std::string>& mask_paths,
    const std::map<std::string, std::string>& custom_values);

}  // namespace crm::customfields
