#include "services/accounts/domain/account_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/validate/address.h"
#include "common/validate/company_name.h"
#include "common/validate/credit_code.h"
#include "common/validate/geo.h"
#include "common/validate/phone.h"
#include "common/validate/text.h"
#include "common/validate/utf8.h"

namespace crm::accounts {
namespace {

absl::Status CheckLength(const std::string& value, const char* field,
                         size_t max_chars) {
  if (validate::Utf8Length(value) > max_chars) {
    return InvalidField(
        field, absl::StrCat("must be at most ", max_chars, " characters"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRegion(const std::string& code) {
  if (code.empty() || code.size() > 32)
    return InvalidField("region_code", "required, 1..32 characters");
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return InvalidField("region_code",
                          "may contain only a-z, 0-9, '_' and '-'");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status NormalizeDraft(AccountRecord* a, bool credit_code_optional) {
  RETURN_IF_ERROR(validate::ValidateName(&a->name, "name", 200));
  if (a->kind == AccountKind::kCompany) {
    if (!a->credit_code.has_value() || a->credit_code->empty()) {
      if (!credit_code_optional)
        return InvalidField("credit_code", "required for a company");
      a->credit_code.reset();
    } else {
      ASSIGN_OR_RETURN(*a->credit_code, validate::NormalizeCreditCode(
                                            *a->credit_code, "credit_code"));
    }
    if (a->phone.has_value() && !a->phone->empty()) {
      ASSIGN_OR_RETURN(*a->phone, validate::NormalizePhone(*a->phone, "phone"));
    } else {
      a->phone.reset();
    }
    a->name_norm = validate::NormalizeCompanyName(a->name);
  } else if (a->kind == AccountKind::kPerson) {
    if (!a->phone.has_value() || a->phone->empty())
      return InvalidField("phone", "required for a person");
    ASSIGN_OR_RETURN(*a->phone, validate::NormalizePhone(*a->phone, "phone"));
    if (a->credit_code.has_value() && !a->credit_code->empty()) {
      return InvalidField("credit_code", "only companies have a credit code");
    }
    a->credit_code.reset();
    a->name_norm = validate::ToHalfWidth(a->name);
  } else {
    return InvalidField("kind", "must be COMPANY or PERSON");
  }
  if (a->id_number.has_value()) {
    if (a->id_number->empty()) {
      a->id_number.reset();
    } else if (a->id_number->size() > 32) {
      return InvalidField("id_number", "must be at most 32 characters");
    } else if (!absl::c_all_of(*a->id_number, absl::ascii_isgraph)) {
      // The column is ASCII: other bytes failed in MariaDB (INTERNAL).
      return InvalidField("id_number", "may contain only printable ASCII");
    }
  }
  if (a->name_norm.empty()) a->name_norm = a->name;
  RETURN_IF_ERROR(CheckLength(a->industry, "industry", 100));
  RETURN_IF_ERROR(CheckLength(a->address, "address", 300));
  if (a->lat.has_value() != a->lng.has_value()) {
    return InvalidField("location", "lat and lng go together");
  }
  if (a->lat.has_value())
    RETURN_IF_ERROR(validate::ValidateLatLng(*a->lat, *a->lng, "location"));
  return ValidateRegion(a->region_code);
}

std::vector<std::string> NameGrams(const std::string& name_norm) {
  std::vector<std::string> grams;
  std::optional<std::u32string> cps = validate::DecodeUtf8(name_norm);
  if (!cps.has_value() || cps->empty()) return grams;
  if (cps->size() == 1) return {name_norm};
  std::set<std::string> seen;
  for (size_t i = 0; i + 1 < cps->size(); ++i) {
    std::string g =
        validate::EncodeUtf8(std::u32string_view(cps->data() + i, 2));
    if (seen.insert(g).second) grams.push_back(std::move(g));
  }
  return grams;
}

std::vector<Candidate> RankDuplicates(
    const AccountRecord& draft, const std::vector<AccountRecord>& exact,
    const std::vector<AccountRecord>& similar) {
  std::map<int64_t, Candidate> best;
  auto keep = [&](Candidate c) {
    auto it = best.find(c.account_id);
    if (it == best.end() || it->second.score < c.score)
      best[c.account_id] = std::move(c);
  };
  for (const AccountRecord& a : exact) {
    if (a.id == draft.id) continue;
    Candidate c{a.id, a.name, "", 1.0, true, a.owner_id, a.owner_org_path};
    if (draft.credit_code.has_value() && a.credit_code == draft.credit_code) {
      c.match = "credit_code";
    } else if (draft.phone.has_value() && a.phone == draft.phone) {
      c.match = "phone";
    } else {
      continue;
    }
    keep(std::move(c));
  }
  for (const AccountRecord& a : similar) {
    if (a.id == draft.id) continue;
    const double name = validate::NameSimilarity(draft.name, a.name);
    const double address =
        draft.address.empty() || a.address.empty()
            ? 0.0
            : validate::AddressSimilarity(draft.address, a.address);
    const bool by_name = name >= address;
    const double score = std::max(name, address);
    if (score < kSimilarThreshold) continue;
    keep({a.id, a.name, by_name ? "name" : "address", score, false, a.owner_id,
          a.owner_org_path});
  }
  std::vector<Candidate> out;
  for (auto& [id, c] : best) out.push_back(std::move(c));
  std::sort(out.begin(), out.end(), [](const Candidate& x, const Candidate& y) {
    if (x.exact != y.exact) return x.exact;
    if (x.score != y.score) return x.score > y.score;
    return x.account_id < y.account_id;
  });
  return out;
}

}  // namespace crm::accounts
