// Custom fields: what an admin defines for an entity type (lead, account,
// contact, opportunity, contract, ticket) and the pure rules that check a
// definition and the values records carry. No I/O here (store.h has the SQL,
// entity_fields.h the glue a service calls). Errors are the suite's one
// INVALID_ARGUMENT shape, "<field>: <rule>" (common/status InvalidField),
// with the field named "<entity>.custom_fields.<key>".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace crm::customfields {

enum class FieldType {
  kText = 1,
  kNumber = 2,
  kMoney = 3,  // integer minor units
  kDate = 4,   // YYYY-MM-DD
  kSingleSelect = 5,
  kMultiSelect = 6,  // options joined by ","
  kUser = 7,         // a positive user id
};

std::string_view FieldTypeName(FieldType t);

struct Definition {
  int64_t id = 0;
  std::string entity_type;
  std::string key;
  std::string label;
  FieldType type = FieldType::kText;
  bool required = false;
  int min_length = 0;  // text, code points; 0 = no bound
  int max_length = 0;  // text, code points; 0 = kMaxTextLength
  std::optional<double> min_value, max_value;  // number, money
  std::string pattern;                         // text, RE2, full match
  std::vector<std::string> options;            // selects
  bool sensitive = false;
  bool active = true;
  absl::Time created_at = absl::UnixEpoch();
  absl::Time updated_at = absl::UnixEpoch();

  bool IsSelect() const {
    return type == FieldType::kSingleSelect || type == FieldType::kMultiSelect;
  }
};

// Entity types custom fields may be defined for.
const std::vector<std::string_view>& EntityTypes();
bool IsEntityType(std::string_view entity_type);

inline constexpr int kMaxTextLength = 2000;
inline constexpr int kMaxOptions = 200;
inline constexpr int kMaxFieldsPerEntity = 100;

// Checks a definition and normalizes it in place (trims the label and the
// options). Errors name "definition.<attribute>".
absl::Status ValidateDefinition(Definition* d);

// Values as clients send them: key -> text.
using Values = std::map<std::string, std::string>;

// Checks `values` against the entity's definitions and normalizes them in
// place (trimmed; numbers canonical; multi-select options de-duplicated in
// definition order; empty values removed on create). `creating`: every
// required active field must have a value. Otherwise (an update) only the
// keys present are checked, and "" clears a value unless the field is
// required. Unknown and inactive keys are rejected. `entity` prefixes the
// field in errors: "account" -> "account.custom_fields.level: ...".
absl::Status ValidateValues(const std::vector<Definition>& defs,
                            std::string_view entity, bool creating,
                            Values* values);

// The select options a stored value is indexed under (for List filters):
// the option of a single select, each option of a multi select, nothing for
// other types.
std::vector<std::string> IndexedOptions(const Definition& d,
                                        std::string_view value);

// The value to put in a List filter for `d`: must be one of its options,
// and the field a select. Errors name "custom_field_filter.<key>".
absl::Status ValidateFilter(const std::vector<Definition>& defs,
                            const std::string& key, const std::string& value);

}  // namespace crm::customfields
