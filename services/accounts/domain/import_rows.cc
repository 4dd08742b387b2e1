#include "services/accounts/domain/import_rows.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/validate/phone.h"
#include "common/validate/text.h"
#include "services/accounts/domain/account_rules.h"

namespace crm::accounts {
namespace {

std::string Lower(std::string_view s) {
  return absl::AsciiStrToLower(absl::string_view(s.data(), s.size()));
}

// "KA" / "SMB" and their Chinese names; nullopt when unrecognized.
std::optional<CustomerType> ParseType(std::string_view raw) {
  const std::string t = Lower(validate::ToHalfWidth(raw));
  if (t.empty() || t == "smb" || t == "小客户" || t == "中小客户" ||
      t == "中小企业")
    return CustomerType::kSmb;
  if (t == "ka" || t == "大客户" || t == "重点客户") return CustomerType::kKa;
  return std::nullopt;
}

bool ParseDouble(std::string_view raw, double* out) {
  return absl::SimpleAtod(absl::string_view(raw.data(), raw.size()), out);
}

}  // namespace

std::vector<importer::FieldSpec> ImportFieldSpecs() {
  return {
      {"name", {"客户名称", "公司名称", "企业名称", "客户", "名称"}, true},
      {"credit_code", {"统一社会信用代码", "信用代码", "社会信用代码", "税号"}},
      {"phone", {"电话", "手机", "手机号", "手机号码", "联系电话", "mobile"}},
      {"id_number", {"身份证号", "证件号码"}},
      {"industry", {"行业", "所属行业"}},
      {"address", {"地址", "详细地址", "公司地址", "企业地址"}},
      {"region", {"区域", "地区", "大区", "region_code"}},
      {"type", {"类型", "客户类型", "客户规模"}},
      {"contact_name", {"联系人", "联系人姓名", "contact"}},
      {"contact_phone", {"联系人电话", "联系人手机"}},
      {"lat", {"纬度", "latitude"}},
      {"lng", {"经度", "lon", "longitude"}},
  };
}

std::string ImportKey(const AccountRecord& d) {
  if (d.kind == AccountKind::kCompany && d.credit_code.has_value())
    return absl::StrCat("credit_code:", *d.credit_code);
  return absl::StrCat("phone:", d.phone.value_or(""));
}

ImportRow ParseImportRow(const importer::MappedRow& row,
                         const std::string& pool_region) {
  ImportRow out;
  out.line = row.line();
  AccountRecord& d = out.draft;
  auto fail = [&](const std::string& field, const std::string& rule) {
    out.error = absl::StrCat(field, ": ", rule);
    return out;
  };
  d.name = std::string(row.Get("name"));
  const std::string credit(row.Get("credit_code"));
  const std::string phone(row.Get("phone"));
  d.kind = credit.empty() ? AccountKind::kPerson : AccountKind::kCompany;
  if (!credit.empty()) d.credit_code = credit;
  if (!phone.empty()) d.phone = phone;
  if (!row.Get("id_number").empty())
    d.id_number = std::string(row.Get("id_number"));
  d.industry = std::string(row.Get("industry"));
  d.address = std::string(row.Get("address"));
  const std::string region = Lower(row.Get("region"));
  d.region_code = region.empty() ? pool_region : region;
  if (d.region_code != pool_region) {
    return fail("region",
                absl::StrCat("must be \"", pool_region,
                             "\" (the target pool's region) or empty"));
  }
  std::optional<CustomerType> type = ParseType(row.Get("type"));
  if (!type.has_value()) return fail("type", "must be KA or SMB");
  d.type = *type;
  const std::string_view lat = row.Get("lat"), lng = row.Get("lng");
  if (!lat.empty() || !lng.empty()) {
    double v = 0;
    if (!ParseDouble(lat, &v)) return fail("lat", "must be a number");
    d.lat = v;
    if (!ParseDouble(lng, &v)) return fail("lng", "must be a number");
    d.lng = v;
  }
  d.status = AccountStatus::kNew;
  d.tier = Tier::kC;
  if (absl::Status s = NormalizeDraft(&d); !s.ok()) {
    out.error = std::string(s.message());
    return out;
  }
  const std::string contact_name(row.Get("contact_name"));
  if (!contact_name.empty()) {
    ImportContact c;
    c.name = contact_name;
    if (validate::Utf8Length(c.name) > 100)
      return fail("contact_name", "must be at most 100 characters");
    const std::string_view cp = row.Get("contact_phone");
    if (!cp.empty()) {
      absl::StatusOr<std::string> p =
          validate::NormalizePhone(cp, "contact_phone");
      if (!p.ok()) {
        out.error = std::string(p.status().message());
        return out;
      }
      c.phone = *p;
    } else {
      c.phone = d.phone.value_or("");
    }
    out.contact = std::move(c);
  } else if (!row.Get("contact_phone").empty()) {
    return fail("contact_name", "required when contact_phone is given");
  }
  out.key = ImportKey(d);
  return out;
}

}  // namespace crm::accounts
