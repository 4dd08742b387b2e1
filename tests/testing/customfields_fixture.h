// Shared by the customfields_<service> integration tests: one custom field
// of every type on an entity type, a valid value for each, the bad values
// each must reject (with the built-in INVALID_ARGUMENT detail), and the
// audit rows their changes leave. Header-only; the CustomFieldService host
// is tests/integration/customfields_host.h.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/customfields_host.h"

namespace crm::testing {

// Defines on `entity` (as `admin`): grade (single select 金牌/银牌/铜牌),
// tags (multi select 制造/外贸/国企), score (number 1..100), budget (money
// 0..100000000 minor units), due (date), code (text [A-Z]{3}[0-9]{2}), buddy
// (user) and secret (text, sensitive: masked for roles outside sales).
inline void DefineStandardFields(CustomFieldHost& cf, const std::string& admin,
                                 const std::string& entity) {
  namespace cpb = crm::customfields::v1;
  std::vector<cpb::FieldDefinition> defs = {
      FieldDef(entity, "grade", cpb::FIELD_TYPE_SINGLE_SELECT,
               {"金牌", "银牌", "铜牌"}),
      FieldDef(entity, "tags", cpb::FIELD_TYPE_MULTI_SELECT,
               {"制造", "外贸", "国企"}),
      FieldDef(entity, "score", cpb::FIELD_TYPE_NUMBER),
      FieldDef(entity, "budget", cpb::FIELD_TYPE_MONEY),
      FieldDef(entity, "due", cpb::FIELD_TYPE_DATE),
      FieldDef(entity, "code", cpb::FIELD_TYPE_TEXT),
      FieldDef(entity, "buddy", cpb::FIELD_TYPE_USER),
      FieldDef(entity, "secret", cpb::FIELD_TYPE_TEXT),
  };
  defs[2].set_min_value(1);
  defs[2].set_max_value(100);
  defs[3].set_min_value(0);
  defs[3].set_max_value(100000000);
  defs[5].set_pattern("[A-Z]{3}[0-9]{2}");
  defs[7].set_sensitive(true);
  for (const cpb::FieldDefinition& d : defs) {
    grpc::Status s = cf.Define(admin, d);
    ASSERT_TRUE(s.ok()) << d.key() << ": " << s.error_message();
  }
}

// A valid value for every standard field (as sent; see NormalizedValues:
// selects are trimmed and put in definition order).
inline std::map<std::string, std::string> GoodValues() {
  return {{"grade", "金牌"},    {"tags", " 国企 , 制造 "}, {"score", "12.5"},
          {"budget", "150000"}, {"due", "2026-12-31"},     {"code", "ABC12"},
          {"buddy", "7"},       {"secret", "13812345678"}};
}
// GoodValues as the service returns them.
inline std::map<std::string, std::string> NormalizedValues() {
  return {{"grade", "金牌"},    {"tags", "制造,国企"},    {"score", "12.5"},
          {"budget", "150000"}, {"due", "2026-12-31"},    {"code", "ABC12"},
          {"buddy", "7"},       {"secret", "13812345678"}};
}

struct BadValue {
  std::string key, value;
  std::string rule;  // the message is "<entity>.custom_fields.<key>: <rule>"
};
// At least one bad value per field type, plus an unknown key.
inline std::vector<BadValue> BadValues() {
  return {
      {"grade", "钻石", "must be one of: 金牌, 银牌, 铜牌"},
      {"tags", "外贸,军工", "\"军工\" is not one of: 制造, 外贸, 国企"},
      {"score", "abc", "must be a decimal number like 12.5"},
      {"score", "0", "at least 1"},
      {"score", "100.5", "at most 100"},
      {"budget", "12.5", "must be an integer amount in minor units"},
      {"budget", "-1", "at least 0"},
      {"due", "2026-02-30", "must be a date YYYY-MM-DD"},
      {"code", "abc12", "must match [A-Z]{3}[0-9]{2}"},
      {"buddy", "0", "must be a user id"},
      {"nope", "1", "no such custom field"},
  };
}

inline std::string FieldError(const std::string& entity, const BadValue& b) {
  return absl::StrCat(entity, ".custom_fields.", b.key, ": ", b.rule);
}

// The map of a message's custom_fields, for EXPECT_EQ.
template <typename Map>
std::map<std::string, std::string> AsMap(const Map& m) {
  return {m.begin(), m.end()};
}

}  // namespace crm::testing
