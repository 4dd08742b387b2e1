// libFuzzer target: request validation. The input is split at 0x1F (unit
// separator) into text fields that go through common/validate (phone,
// email, credit code, names, free text, company-name normalization and
// similarity, addresses, region prefixes) and through the leads service's
// request validator (CleanseDraft, what CreateLead and ImportLeads apply).
// Invariants: no crash or sanitizer report, failures are INVALID_ARGUMENT,
// accepted values are valid UTF-8, normalizing twice changes nothing, and
// similarities stay within [0, 1]. Seeds: tests/fuzz/corpus/validate/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/validate/address.h"
#include "common/validate/company_name.h"
#include "common/validate/credit_code.h"
#include "common/validate/email.h"
#include "common/validate/phone.h"
#include "common/validate/region_names.h"
#include "common/validate/text.h"
#include "services/leads/domain/lead_rules.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

using crm::fuzz::Check;
using crm::fuzz::ValidUtf8;

template <typename T>
void CheckResult(const absl::StatusOr<T>& r) {
  if (!r.ok()) {
    Check(r.status().code() == absl::StatusCode::kInvalidArgument,
          "validation fails only with INVALID_ARGUMENT");
    Check(ValidUtf8(std::string(r.status().message())),
          "error messages are valid UTF-8");
  }
}

void CheckStatus(const absl::Status& s) {
  if (s.ok()) return;
  CheckResult(absl::StatusOr<int>(s));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> f =
      absl::StrSplit(absl::string_view(input.data(), input.size()), '\x1f');
  f.resize(12);
  namespace v = crm::validate;

  // Field validators: an accepted value is canonical (a second pass keeps it).
  auto phone = v::NormalizePhone(f[0], "phone");
  CheckResult(phone);
  if (phone.ok()) {
    Check(ValidUtf8(*phone), "phone is UTF-8");
    auto again = v::NormalizePhone(*phone, "phone");
    Check(again.ok() && *again == *phone, "NormalizePhone is idempotent");
  }
  auto email = v::NormalizeEmail(f[1], "email");
  CheckResult(email);
  if (email.ok()) {
    auto again = v::NormalizeEmail(*email, "email");
    Check(again.ok() && *again == *email, "NormalizeEmail is idempotent");
  }
  auto code = v::NormalizeCreditCode(f[2], "credit_code");
  CheckResult(code);
  if (code.ok()) {
    Check(code->size() == 18, "credit codes have 18 characters");
    auto again = v::NormalizeCreditCode(*code, "credit_code");
    Check(again.ok() && *again == *code, "NormalizeCreditCode is idempotent");
  }
  std::string name = f[3];
  absl::Status s = v::ValidateName(&name, "name", 100);
  CheckStatus(s);
  if (s.ok()) {
    Check(ValidUtf8(name) && !name.empty(), "accepted names are UTF-8");
    Check(v::Utf8Length(name) <= 100, "name length honoured");
  } else {
    Check(name == f[3], "a rejected name is left unchanged");
  }
  std::string text = f[4];
  s = v::ValidateFreeText(&text, "notes", 2000, false);
  CheckStatus(s);
  if (s.ok()) Check(ValidUtf8(text), "accepted free text is UTF-8");

  const std::string norm = v::NormalizeCompanyName(f[5]);
  Check(ValidUtf8(norm) || !ValidUtf8(f[5]), "normalized names stay UTF-8");
  const double sim = v::NameSimilarity(f[5], f[6]);
  Check(sim >= 0.0 && sim <= 1.0, "NameSimilarity in [0, 1]");
  const double asim = v::AddressSimilarity(f[6], f[7]);
  Check(asim >= 0.0 && asim <= 1.0, "AddressSimilarity in [0, 1]");
  (void)v::NormalizeAddress(f[7]);
  (void)v::MatchRegionPrefix(f[7]);
  (void)v::ToHalfWidth(f[8]);
  (void)v::CollapseSpaces(f[8]);

  // The leads service's request validator, as CreateLead calls it.
  crm::leads::LeadDraft d;
  d.kind = (size > 0 && (data[0] & 1)) ? crm::leads::LeadKind::kPerson
                                       : crm::leads::LeadKind::kCompany;
  d.company_name = f[5];
  d.contact_name = f[3];
  d.phone = f[0];
  d.email = f[1];
  d.region_code = f[9].empty() ? "east" : f[9];
  d.city = f[10];
  d.notes = f[4];
  d.industry = f[11];
  d.credit_code = f[2].size() == 18 ? f[2] : "";
  if (!f[8].empty()) d.custom[f[8].substr(0, 60)] = f[7];
  s = crm::leads::CleanseDraft(&d, "lead.");
  CheckStatus(s);
  if (s.ok()) {
    Check(ValidUtf8(d.company_name) && ValidUtf8(d.contact_name) &&
              ValidUtf8(d.city) && ValidUtf8(d.notes) && ValidUtf8(d.industry),
          "accepted drafts are UTF-8");
    crm::leads::LeadDraft twice = d;
    Check(crm::leads::CleanseDraft(&twice, "lead.").ok(),
          "a cleansed draft passes again");
    Check(twice.company_name == d.company_name &&
              twice.contact_name == d.contact_name && twice.phone == d.phone &&
              twice.email == d.email && twice.company_norm == d.company_norm,
          "CleanseDraft is idempotent");
    (void)crm::leads::DedupKeys(d);
  }
  return 0;
}
