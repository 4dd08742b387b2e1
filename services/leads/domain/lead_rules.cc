#include "services/leads/domain/lead_rules.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/validate/company_name.h"
#include "common/validate/credit_code.h"
#include "common/validate/email.h"
#include "common/validate/phone.h"
#include "common/validate/text.h"
#include "common/validate/utf8.h"

namespace crm::leads {
namespace {

std::string F(std::string_view prefix, std::string_view field) {
  return std::string(prefix) + std::string(field);
}

// Folds full-width forms and collapses spaces, then ValidateName.
absl::Status CleanName(std::string* name, std::string_view field,
                       size_t max_chars) {
  *name = validate::CollapseSpaces(validate::ToHalfWidth(*name));
  return validate::ValidateName(name, field, max_chars);
}

absl::Status CheckLength(const std::string& value, std::string_view field,
                         size_t max_chars) {
  // Found by tests/fuzz/fuzz_validate: free-text fields (city, notes,
  // industry, custom values) were only length-checked, so bytes that are
  // not UTF-8 passed here and failed later in MariaDB (utf8mb4).
  if (!validate::DecodeUtf8(value).has_value())
    return InvalidField(field, "must be valid UTF-8");
  if (validate::Utf8Length(value) > max_chars) {
    return InvalidField(
        field, absl::StrCat("must be at most ", max_chars, " characters"));
  }
  return absl::OkStatus();
}

absl::Status CheckRegion(const std::string& code, std::string_view field) {
  if (code.empty() || code.size() > 32)
    return InvalidField(field, "required, 1..32 characters");
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return InvalidField(field, "may contain only a-z, 0-9, '_' and '-'");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckCampaignCode(std::string_view code, std::string_view field) {
  if (code.size() < 3 || code.size() > 64)
    return InvalidField(field, "must be 3..64 characters");
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return InvalidField(field, "may contain only a-z, 0-9, '_' and '-'");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRegionCode(std::string_view code, std::string_view field) {
  return CheckRegion(std::string(code), field);
}

absl::Status CheckNotPlaceholderMobile(std::string_view e164,
                                       std::string_view field) {
  if (!validate::IsMobileCN(e164)) return absl::OkStatus();
  const std::string_view sub = e164.substr(e164.size() - 8);
  size_t same = 1;
  for (size_t i = sub.size() - 1; i > 0 && sub[i - 1] == sub.back(); --i)
    ++same;
  if (same >= 7) {
    return InvalidField(
        field, "looks like a placeholder (repeated digits at the end)");
  }
  bool pairs = sub[0] != sub[1];
  for (size_t i = 2; i < sub.size() && pairs; ++i) pairs = sub[i] == sub[i - 2];
  if (pairs) {
    return InvalidField(field,
                        "looks like a placeholder (a repeated digit pair)");
  }
  return absl::OkStatus();
}

absl::Status CleanseDraft(LeadDraft* d, std::string_view prefix) {
  if (d->kind != LeadKind::kCompany && d->kind != LeadKind::kPerson)
    return InvalidField(F(prefix, "kind"), "must be COMPANY or PERSON");
  if (d->kind == LeadKind::kCompany || !d->company_name.empty()) {
    if (d->kind == LeadKind::kCompany &&
        validate::CollapseSpaces(d->company_name).empty()) {
      return InvalidField(F(prefix, "company_name"), "required for a company");
    }
    RETURN_IF_ERROR(
        CleanName(&d->company_name, F(prefix, "company_name"), 200));
    d->company_norm = validate::NormalizeCompanyName(d->company_name);
  } else {
    d->company_norm.clear();
  }
  if (d->kind == LeadKind::kPerson || !d->contact_name.empty()) {
    if (d->kind == LeadKind::kPerson &&
        validate::CollapseSpaces(d->contact_name).empty()) {
      return InvalidField(F(prefix, "contact_name"), "required for a person");
    }
    RETURN_IF_ERROR(
        CleanName(&d->contact_name, F(prefix, "contact_name"), 100));
  }
  d->phone = validate::CollapseSpaces(d->phone);
  if (!d->phone.empty()) {
    ASSIGN_OR_RETURN(d->phone,
                     validate::NormalizePhone(d->phone, F(prefix, "phone")));
    RETURN_IF_ERROR(CheckNotPlaceholderMobile(d->phone, F(prefix, "phone")));
  }
  d->email = validate::CollapseSpaces(d->email);
  if (!d->email.empty()) {
    ASSIGN_OR_RETURN(d->email,
                     validate::NormalizeEmail(d->email, F(prefix, "email")));
  }
  if (d->phone.empty() && d->email.empty())
    return InvalidField(F(prefix, "phone"), "a phone or an email is required");
  d->region_code = validate::CollapseSpaces(d->region_code);
  RETURN_IF_ERROR(CheckRegion(d->region_code, F(prefix, "region_code")));
  d->city = validate::CollapseSpaces(validate::ToHalfWidth(d->city));
  RETURN_IF_ERROR(CheckLength(d->city, F(prefix, "city"), 50));
  RETURN_IF_ERROR(CheckLength(d->notes, F(prefix, "notes"), 2000));
  d->industry = validate::CollapseSpaces(validate::ToHalfWidth(d->industry));
  RETURN_IF_ERROR(CheckLength(d->industry, F(prefix, "industry"), 100));
  if (d->company_size < 0 || d->company_size > 10'000'000)
    return InvalidField(F(prefix, "company_size"), "must be 0..10000000");
  if (d->custom.size() > kMaxCustomFields)
    return InvalidField(F(prefix, "custom"), "at most 20 keys");
  for (const auto& [k, v] : d->custom) {
    if (k.empty() || validate::Utf8Length(k) > 50)
      return InvalidField(F(prefix, "custom"), "keys must be 1..50 characters");
    RETURN_IF_ERROR(CheckLength(k, F(prefix, "custom"), 50));
    if (validate::Utf8Length(v) > 500)
      return InvalidField(
          F(prefix, "custom"),
          absl::StrCat("value of \"", k, "\" must be at most 500 characters"));
    RETURN_IF_ERROR(CheckLength(v, F(prefix, "custom"), 500));
  }
  d->credit_code = validate::CollapseSpaces(d->credit_code);
  if (!d->credit_code.empty()) {
    ASSIGN_OR_RETURN(d->credit_code,
                     validate::NormalizeCreditCode(d->credit_code,
                                                   F(prefix, "credit_code")));
  }
  return absl::OkStatus();
}

std::vector<std::string> DedupKeys(const LeadDraft& d) {
  std::vector<std::string> keys;
  if (!d.phone.empty()) keys.push_back(absl::StrCat("phone:", d.phone));
  if (!d.company_norm.empty())
    keys.push_back(absl::StrCat("company:", d.company_norm));
  return keys;
}

}  // namespace crm::leads
