#include "services/leads/domain/import_rows.h"

#include "absl/strings/numbers.h"

namespace crm::leads {

std::vector<importer::FieldSpec> LeadImportFieldSpecs() {
  return {
      {"company", {"公司名称", "企业名称", "客户名称", "公司", "company_name"}},
      {"contact", {"联系人", "姓名", "联系人姓名", "contact_name", "name"}},
      {"phone", {"电话", "手机", "手机号", "联系电话", "mobile"}},
      {"email", {"邮箱", "电子邮箱", "e-mail"}},
      {"region", {"区域", "大区", "region_code"}},
      {"city", {"城市"}},
      {"industry", {"行业"}},
      {"size", {"规模", "员工数", "人数", "company_size"}},
      {"credit_code", {"统一社会信用代码", "信用代码"}},
      {"notes", {"备注", "note"}},
  };
}

LeadImportRow ParseLeadRow(const importer::MappedRow& row,
                           const std::string& default_region) {
  LeadImportRow out;
  out.line = row.line();
  LeadDraft& d = out.draft;
  d.company_name = std::string(row.Get("company"));
  d.contact_name = std::string(row.Get("contact"));
  d.kind = d.company_name.empty() ? LeadKind::kPerson : LeadKind::kCompany;
  d.phone = std::string(row.Get("phone"));
  d.email = std::string(row.Get("email"));
  d.region_code = std::string(row.Get("region"));
  if (d.region_code.empty()) d.region_code = default_region;
  d.city = std::string(row.Get("city"));
  d.industry = std::string(row.Get("industry"));
  d.credit_code = std::string(row.Get("credit_code"));
  d.notes = std::string(row.Get("notes"));
  const std::string_view size = row.Get("size");
  if (!size.empty()) {
    int32_t n = 0;
    if (!absl::SimpleAtoi(std::string(size), &n) || n < 0) {
      out.error = "company_size: must be a whole number of employees";
      return out;
    }
    d.company_size = n;
  }
  absl::Status s = CleanseDraft(&d);
  if (!s.ok()) out.error = std::string(s.message());
  return out;
}

}  // namespace crm::leads
