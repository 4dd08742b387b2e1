// Rows of an account import (seed 003: "数据填入 Excel 模板 -> 模板导入
// 公海池"): the header aliases of the Excel template and the mapping of one
// row to a draft account. Pure: no I/O.
//
// Columns (header texts compared with importer::NormalizeHeader, so case,
// spaces, full-width letters and a leading "*" do not matter):
//   name           客户名称 / 公司名称 / 企业名称 / 客户 / 名称 / name
//   (required) credit_code    统一社会信用代码 / 信用代码 / 社会信用代码 / 税号
//   / credit_code phone          电话 / 手机 / 手机号 / 手机号码 / 联系电话 /
//   phone / mobile id_number      身份证号 / 证件号码 / id_number industry 行业
//   / 所属行业 / industry address        地址 / 详细地址 / 公司地址 / 企业地址
//   / address region         区域 / 地区 / 大区 / region / region_code type
//   类型 / 客户类型 / 客户规模 / type   (KA / SMB / 大客户 /
//                  小客户 / 中小客户; empty = SMB)
//   contact_name   联系人 / 联系人姓名 / contact / contact_name
//   contact_phone  联系人电话 / 联系人手机 / contact_phone (empty = phone)
//   lat, lng       纬度 / lat, 经度 / lng / lon (both or neither)
// Other columns are ignored (reported as unknown by the HeaderMap).
//
// A row with a credit code is a company; without one, a person (who then
// needs a phone) -- the same rules as CreateAccount (NormalizeDraft).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/import/header_map.h"
#include "services/accounts/store/records.h"

namespace crm::accounts {

// The FieldSpecs of the import template.
std::vector<importer::FieldSpec> ImportFieldSpecs();

struct ImportContact {
  std::string name;
  std::string phone;  // E.164, may be empty
};

struct ImportRow {
  int64_t line = 0;  // the row number the spreadsheet shows (CSV: line)
  AccountRecord draft;
  std::optional<ImportContact> contact;
  // Empty when valid; otherwise "<field>: <rule>".
  std::string error;
  // The unique key ("credit_code:<code>" or "phone:<e164>") of a valid row.
  std::string key;
};

// Maps and normalizes one data row. `pool_region` is the region of the
// target pool: an empty region cell takes it, another region is invalid
// (an account lives in its region's pools).
ImportRow ParseImportRow(const importer::MappedRow& row,
                         const std::string& pool_region);

// The unique key of a normalized draft (see ImportRow::key).
std::string ImportKey(const AccountRecord& draft);

}  // namespace crm::accounts
