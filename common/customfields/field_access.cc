#include "common/customfields/field_access.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace crm::customfields {
namespace {

namespace gp = google::protobuf;

}  // namespace

std::string_view AccessName(Access a) {
  switch (a) {
    case Access::kHidden:
      return "hidden";
    case Access::kMasked:
      return "masked";
    case Access::kReadOnly:
      return "read-only";
    case Access::kEditable:
      return "editable";
  }
  return "unknown";
}

bool IsSensitiveBuiltIn(std::string_view entity_type, std::string_view field) {
  static const std::set<std::pair<std::string_view, std::string_view>> kSet = {
      {"account", "phone"},
      {"account", "id_number"},
      {"contact", "phone"},
      {"contact", "email"},
      {"lead", "phone"},
      {"lead", "email"},
      {"contract", "amount"},
      {"contract", "total_amount"},
      {"contract", "installments"},
      {"contract", "received"},
      {"opportunity", "amount"},
  };
  return kSet.count({entity_type, field}) > 0;
}

Access DefaultAccess(std::string_view role, bool sensitive) {
  if (!sensitive) return Access::kEditable;
  if (role == auth::kRoleAdmin || role == auth::kRoleBoss ||
      role == auth::kRoleSalesManager || role == auth::kRoleSalesRep ||
      role == auth::kRoleService) {
    return Access::kEditable;
  }
  return Access::kMasked;
}

Access DefaultAccess(std::string_view entity_type, std::string_view field,
                     std::string_view role, bool sensitive) {
  // Finance collects and invoices against contracts: their money is its
  // business (ADR 0085).
  if (sensitive && entity_type == "contract" && role == auth::kRoleFinance &&
      IsSensitiveBuiltIn(entity_type, field)) {
    return Access::kEditable;
  }
  return DefaultAccess(role, sensitive);
}

FieldPolicy::FieldPolicy(std::string entity_type, std::vector<Rule> rules,
                         std::set<std::string> sensitive_custom_keys)
    : entity_type_(std::move(entity_type)) {
  for (Rule& r : rules)
    rules_[{std::move(r.field), std::move(r.role)}] = r.access;
  for (const std::string& k : sensitive_custom_keys)
    sensitive_custom_.insert(kCustomPrefix + k);
}

bool FieldPolicy::IsSensitive(std::string_view field) const {
  return IsSensitiveBuiltIn(entity_type_, field) ||
         sensitive_custom_.count(std::string(field)) > 0;
}

Access FieldPolicy::RoleAccess(std::string_view role,
                               std::string_view field) const {
  if (role == auth::kRoleAdmin || role == auth::kRoleService)
    return Access::kEditable;
  auto it = rules_.find({std::string(field), std::string(role)});
  if (it != rules_.end()) return it->second;
  return DefaultAccess(entity_type_, field, role, IsSensitive(field));
}

Access FieldPolicy::AccessFor(const auth::Principal& p,
                              std::string_view field) const {
  if (p.IsService() || p.IsAdmin()) return Access::kEditable;
  if (p.roles.empty()) return RoleAccess("", field);
  Access best = Access::kHidden;
  for (const std::string& role : p.roles)
    best = std::max(best, RoleAccess(role, field));
  return best;
}

absl::Status FieldPolicy::CheckWritable(
    const auth::Principal& p, const std::vector<std::string>& fields) const {
  for (const std::string& f : fields) {
    const Access a = AccessFor(p, f);
    if (a != Access::kEditable) {
      return absl::PermissionDeniedError(
          absl::StrCat(entity_type_, ".", f, ": ", std::string(AccessName(a)),
                       " for your role, it cannot be changed"));
    }
  }
  return absl::OkStatus();
}

void FieldPolicy::ApplyRead(const auth::Principal& p, gp::Message* msg) const {
  if (p.IsService() || p.IsAdmin()) return;
  const gp::Descriptor* d = msg->GetDescriptor();
  const gp::Reflection* r = msg->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const gp::FieldDescriptor* fd = d->field(i);
    if (fd->name() == "custom_fields" && fd->is_map()) {
      // Entries are key (1) / value (2) messages; drop or mask by key.
      int n = r->FieldSize(*msg, fd);
      for (int j = 0; j < n;) {
        gp::Message* entry = r->MutableRepeatedMessage(msg, fd, j);
        const gp::Descriptor* ed = entry->GetDescriptor();
        const gp::Reflection* er = entry->GetReflection();
        const std::string key = er->GetString(*entry, ed->field(0));
        const Access a = AccessFor(p, kCustomPrefix + key);
        if (a == Access::kHidden) {
          r->SwapElements(msg, fd, j, n - 1);
          r->RemoveLast(msg, fd);
          --n;
          continue;
        }
        if (a == Access::kMasked) {
          er->SetString(entry, ed->field(1),
                        MaskValue(er->GetString(*entry, ed->field(1))));
        }
        ++j;
      }
      continue;
    }
    if (fd->name() == "id") continue;
    const Access a = AccessFor(p, fd->name());
    if (a == Access::kHidden) {
      r->ClearField(msg, fd);
    } else if (a == Access::kMasked) {
      if (!fd->is_repeated() &&
          fd->cpp_type() == gp::FieldDescriptor::CPPTYPE_STRING) {
        r->SetString(msg, fd, MaskValue(r->GetString(*msg, fd)));
      } else {
        r->ClearField(msg, fd);
      }
    }
  }
}

std::vector<std::string> BuiltInFields(const gp::Descriptor& d) {
  std::vector<std::string> out;
  for (int i = 0; i < d.field_count(); ++i) {
    const std::string& name = d.field(i)->name();
    if (name != "id" && name != "custom_fields") out.push_back(name);
  }
  return out;
}

std::vector<std::string> TouchedFields(
    const std::vector<std::string>& mask_paths,
    const std::map<std::string, std::string>& custom_values) {
  std::vector<std::string> out;
  for (const std::string& path : mask_paths) {
    if (path == "custom_fields") {
      for (const auto& [k, v] : custom_values) out.push_back(kCustomPrefix + k);
    } else {
      out.push_back(path);
    }
  }
  return out;
}

}  // namespace crm::customfields
