#include "common/customfields/definition.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/status/status.h"
#include "common/validate/text.h"
#include "re2/re2.h"

namespace crm::customfields {
namespace {

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 40) return false;
  if (key[0] < 'a' || key[0] > 'z') return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

std::string Trim(std::string_view s) {
  return std::string(
      absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size())));
}

// "12", "-3.5", "0.25": optional sign, digits, optional fraction. No
// exponents, no "inf"/"nan", at most 18 significant digits.
bool ParseDecimal(std::string_view s, double* out) {
  if (s.empty() || s.size() > 40) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  int digits = 0, dots = 0;
  for (size_t j = i; j < s.size(); ++j) {
    if (s[j] == '.') {
      if (++dots > 1 || j == i || j + 1 == s.size()) return false;
    } else if (s[j] >= '0' && s[j] <= '9') {
      ++digits;
    } else {
      return false;
    }
  }
  if (digits == 0 || digits > 18) return false;
  return absl::SimpleAtod(absl::string_view(s.data(), s.size()), out) &&
         std::isfinite(*out);
}

absl::Status CheckRange(const Definition& d, double v,
                        const std::string& field) {
  if (d.min_value.has_value() && v < *d.min_value)
    return InvalidField(field, absl::StrCat("at least ", *d.min_value));
  if (d.max_value.has_value() && v > *d.max_value)
    return InvalidField(field, absl::StrCat("at most ", *d.max_value));
  return absl::OkStatus();
}

absl::Status CheckValue(const Definition& d, const std::string& field,
                        std::string* v) {
  switch (d.type) {
    case FieldType::kText: {
      RETURN_IF_ERROR(validate::ValidateFreeText(
          v, field, d.max_length > 0 ? d.max_length : kMaxTextLength,
          /*required=*/false));
      const size_t n = validate::Utf8Length(*v);
      if (d.min_length > 0 && n < static_cast<size_t>(d.min_length)) {
        return InvalidField(
            field, absl::StrCat("at least ", d.min_length, " characters"));
      }
      if (!d.pattern.empty()) {
        RE2 re(d.pattern);
        if (!re.ok() || !RE2::FullMatch(*v, re))
          return InvalidField(field, absl::StrCat("must match ", d.pattern));
      }
      return absl::OkStatus();
    }
    case FieldType::kNumber: {
      double x = 0;
      if (!ParseDecimal(*v, &x))
        return InvalidField(field, "must be a decimal number like 12.5");
      return CheckRange(d, x, field);
    }
    case FieldType::kMoney: {
      int64_t x = 0;
      if (!absl::SimpleAtoi(*v, &x) ||
          v->find_first_of(".eE") != std::string::npos)
        return InvalidField(field, "must be an integer amount in minor units");
      *v = absl::StrCat(x);
      return CheckRange(d, static_cast<double>(x), field);
    }
    case FieldType::kDate: {
      absl::CivilDay day;
      if (v->size() != 10 || !absl::ParseCivilTime(*v, &day) ||
          absl::FormatCivilTime(day) != *v) {
        return InvalidField(field, "must be a date YYYY-MM-DD");
      }
      return absl::OkStatus();
    }
    case FieldType::kSingleSelect:
      if (std::find(d.options.begin(), d.options.end(), *v) ==
          d.options.end()) {
        return InvalidField(
            field,
            absl::StrCat("must be one of: ", absl::StrJoin(d.options, ", ")));
      }
      return absl::OkStatus();
    case FieldType::kMultiSelect: {
      std::set<std::string> chosen;
      for (absl::string_view part : absl::StrSplit(*v, ',')) {
        std::string o = Trim(std::string(part));
        if (o.empty()) continue;
        if (std::find(d.options.begin(), d.options.end(), o) ==
            d.options.end()) {
          return InvalidField(field,
                              absl::StrCat("\"", o, "\" is not one of: ",
                                           absl::StrJoin(d.options, ", ")));
        }
        chosen.insert(o);
      }
      std::vector<std::string> ordered;
      for (const std::string& o : d.options)
        if (chosen.count(o)) ordered.push_back(o);
      *v = absl::StrJoin(ordered, ",");
      return absl::OkStatus();
    }
    case FieldType::kUser: {
      int64_t id = 0;
      if (!absl::SimpleAtoi(*v, &id) || id <= 0)
        return InvalidField(field, "must be a user id");
      *v = absl::StrCat(id);
      return absl::OkStatus();
    }
  }
  return InvalidField(field, "unknown field type");
}

}  // namespace

std::string_view FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kText:
      return "text";
    case FieldType::kNumber:
      return "number";
    case FieldType::kMoney:
      return "money";
    case FieldType::kDate:
      return "date";
    case FieldType::kSingleSelect:
      return "single_select";
    case FieldType::kMultiSelect:
      return "multi_select";
    case FieldType::kUser:
      return "user";
  }
  return "unknown";
}

const std::vector<std::string_view>& EntityTypes() {
  static const std::vector<std::string_view> kTypes = {
      "lead", "account", "contact", "opportunity", "contract", "ticket"};
  return kTypes;
}

bool IsEntityType(std::string_view entity_type) {
  const auto& t = EntityTypes();
  return std::find(t.begin(), t.end(), entity_type) != t.end();
}

absl::Status ValidateDefinition(Definition* d) {
  if (!IsEntityType(d->entity_type)) {
    return InvalidField("definition.entity_type",
                        "must be one of lead, account, contact, opportunity, "
                        "contract, ticket");
  }
  if (!ValidKey(d->key)) {
    return InvalidField("definition.key",
                        "1..40 of a-z, 0-9, _ starting with a letter");
  }
  RETURN_IF_ERROR(validate::ValidateName(&d->label, "definition.label", 50));
  const int t = static_cast<int>(d->type);
  if (t < 1 || t > 7) return InvalidField("definition.type", "required");
  if (d->min_length < 0 || d->max_length < 0 ||
      d->max_length > kMaxTextLength ||
      (d->max_length > 0 && d->min_length > d->max_length)) {
    return InvalidField("definition.max_length",
                        absl::StrCat("lengths 0..", kMaxTextLength,
                                     " with min_length <= max_length"));
  }
  if ((d->min_length > 0 || d->max_length > 0 || !d->pattern.empty()) &&
      d->type != FieldType::kText) {
    return InvalidField("definition.pattern",
                        "length and pattern apply to text fields only");
  }
  if (d->min_value.has_value() || d->max_value.has_value()) {
    if (d->type != FieldType::kNumber && d->type != FieldType::kMoney) {
      return InvalidField("definition.min_value",
                          "ranges apply to number and money fields only");
    }
    if ((d->min_value && !std::isfinite(*d->min_value)) ||
        (d->max_value && !std::isfinite(*d->max_value)) ||
        (d->min_value && d->max_value && *d->min_value > *d->max_value)) {
      return InvalidField("definition.max_value",
                          "finite, with min_value <= max_value");
    }
  }
  if (!d->pattern.empty()) {
    if (d->pattern.size() > 500)
      return InvalidField("definition.pattern", "at most 500 bytes");
    RE2 re(d->pattern, RE2::Quiet);
    if (!re.ok()) {
      return InvalidField(
          "definition.pattern",
          absl::StrCat("not a valid RE2 pattern: ", re.error()));
    }
  }
  if (d->IsSelect()) {
    if (d->options.empty() || d->options.size() > kMaxOptions) {
      return InvalidField("definition.options",
                          absl::StrCat("1..", kMaxOptions, " options"));
    }
    std::set<std::string> seen;
    for (std::string& o : d->options) {
      o = Trim(o);
      if (o.empty() || validate::Utf8Length(o) > 50 ||
          o.find(',') != std::string::npos) {
        return InvalidField("definition.options",
                            "each 1..50 characters without \",\"");
      }
      if (!seen.insert(o).second) {
        return InvalidField("definition.options",
                            absl::StrCat("\"", o, "\" appears twice"));
      }
    }
  } else if (!d->options.empty()) {
    return InvalidField("definition.options",
                        "only select fields have options");
  }
  return absl::OkStatus();
}

absl::Status ValidateValues(const std::vector<Definition>& defs,
                            std::string_view entity, bool creating,
                            Values* values) {
  const std::string prefix =
      absl::StrCat(std::string(entity), ".custom_fields.");
  std::map<std::string, const Definition*> by_key;
  for (const Definition& d : defs)
    if (d.active) by_key[d.key] = &d;
  for (auto it = values->begin(); it != values->end();) {
    const std::string field = prefix + it->first;
    auto def = by_key.find(it->first);
    if (def == by_key.end()) return InvalidField(field, "no such custom field");
    it->second = Trim(it->second);
    if (it->second.empty()) {
      if (def->second->required) return InvalidField(field, "required");
      if (creating) {
        it = values->erase(it);
        continue;
      }
      ++it;
      continue;
    }
    RETURN_IF_ERROR(CheckValue(*def->second, field, &it->second));
    if (it->second.empty() && def->second->required)
      return InvalidField(field, "required");
    ++it;
  }
  if (creating) {
    for (const auto& [key, d] : by_key) {
      if (d->required && !values->count(key))
        return InvalidField(prefix + key, "required");
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> IndexedOptions(const Definition& d,
                                        std::string_view value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  if (d.type == FieldType::kSingleSelect) {
    out.emplace_back(value);
  } else if (d.type == FieldType::kMultiSelect) {
    for (absl::string_view part :
         absl::StrSplit(absl::string_view(value.data(), value.size()), ',',
                        absl::SkipEmpty()))
      out.emplace_back(part);
  }
  return out;
}

absl::Status ValidateFilter(const std::vector<Definition>& defs,
                            const std::string& key, const std::string& value) {
  const std::string field = absl::StrCat("custom_field_filter.", key);
  for (const Definition& d : defs) {
    if (d.key != key || !d.active) continue;
    if (!d.IsSelect())
      return InvalidField(field, "only select fields can be filtered");
    if (std::find(d.options.begin(), d.options.end(), value) ==
        d.options.end()) {
      return InvalidField(field, absl::StrCat("must be one of: ",
                                              absl::StrJoin(d.options, ", ")));
    }
    return absl::OkStatus();
  }
  return InvalidField(field, "no such custom field");
}

}  // namespace crm::customfields
