// Spreadsheet rows -> lead drafts for ImportLeads (seed 003: Excel 模板导入).
// Headers are matched by common/import's HeaderMap (Chinese or English).
#pragma once

#include <string>
#include <vector>

#include "common/import/header_map.h"
#include "services/leads/domain/lead_rules.h"

namespace crm::leads {

// company (公司名称/企业名称/客户名称), contact (联系人/姓名), phone
// (电话/手机/手机号), email (邮箱), region (区域), city (城市), industry
// (行业), size (规模/员工数), credit_code (统一社会信用代码), notes (备注).
// None is required on its own: each row must name a company or a contact
// and give a phone or an email (the draft rules).
std::vector<importer::FieldSpec> LeadImportFieldSpecs();

struct LeadImportRow {
  int64_t line = 0;
  LeadDraft draft;
  std::string error;  // "<field>: <rule>" when the row is invalid
};

// Reads and cleanses one row (CleanseDraft); rows without a region take
// `default_region`. A company name makes a COMPANY lead, otherwise PERSON.
LeadImportRow ParseLeadRow(const importer::MappedRow& row,
                           const std::string& default_region);

}  // namespace crm::leads
