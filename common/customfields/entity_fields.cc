#include "common/customfields/entity_fields.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/customfields/definition_cache.h"
#include "common/db/transaction.h"
#include "common/status/status.h"

namespace crm::customfields {
namespace {

namespace gp = google::protobuf;

// Names of the fields a draft sets (non-default), custom ones expanded.
std::vector<std::string> SetFields(const gp::Message& m, const Values& values) {
  std::vector<const gp::FieldDescriptor*> set;
  m.GetReflection()->ListFields(m, &set);
  std::vector<std::string> out;
  for (const gp::FieldDescriptor* fd : set) {
    if (fd->name() == "id" || fd->name() == "custom_fields") continue;
    out.push_back(fd->name());
  }
  for (const auto& [k, v] : values) out.push_back(kCustomPrefix + k);
  return out;
}

}  // namespace

absl::Status EntityContext::CheckCreate(const auth::Principal& p,
                                        const gp::Message& draft,
                                        Values* values,
                                        bool enforce_required) const {
  if (enforce_required) {
    RETURN_IF_ERROR(
        ValidateValues(defs_, entity_type_, /*creating=*/true, values));
  } else {
    RETURN_IF_ERROR(
        ValidateValues(defs_, entity_type_, /*creating=*/false, values));
    for (auto it = values->begin(); it != values->end();)
      it = it->second.empty() ? values->erase(it) : std::next(it);
  }
  return policy_.CheckWritable(p, SetFields(draft, *values));
}

absl::Status EntityContext::CheckUpdate(
    const auth::Principal& p, const std::vector<std::string>& mask_paths,
    const Values& sent, Values* changes,
    std::vector<std::string>* builtin_paths) const {
  changes->clear();
  builtin_paths->clear();
  for (const std::string& path : mask_paths) {
    if (path == "custom_fields") {
      for (const auto& [k, v] : sent) (*changes)[k] = v;
    } else if (absl::StartsWith(path, kCustomPrefix)) {
      const std::string key = path.substr(kCustomPrefixLen);
      auto it = sent.find(key);
      (*changes)[key] = it == sent.end() ? "" : it->second;
    } else {
      builtin_paths->push_back(path);
    }
  }
  std::vector<std::string> touched = *builtin_paths;
  for (const auto& [k, v] : *changes) touched.push_back(kCustomPrefix + k);
  RETURN_IF_ERROR(policy_.CheckWritable(p, touched));
  return ValidateValues(defs_, entity_type_, /*creating=*/false, changes);
}

absl::Status EntityContext::CheckComplete(const Values& values,
                                          std::string_view action) const {
  for (const Definition& d : defs_) {
    if (!d.active || !d.required) continue;
    auto it = values.find(d.key);
    if (it == values.end() || it->second.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(entity_type_, ".custom_fields.", d.key,
                       ": required before ", std::string(action)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<auth::SqlPredicate>> EntityContext::Filters(
    const std::map<std::string, std::string>& filter,
    const std::string& id_column) const {
  std::vector<auth::SqlPredicate> out;
  for (const auto& [key, option] : filter) {
    RETURN_IF_ERROR(ValidateFilter(defs_, key, option));
    out.push_back(OptionFilter(entity_type_, id_column, key, option));
  }
  return out;
}

void EntityContext::Present(const auth::Principal& p, const Values& values,
                            gp::Message* msg) const {
  const gp::Descriptor* d = msg->GetDescriptor();
  const gp::FieldDescriptor* fd = d->FindFieldByName("custom_fields");
  if (fd != nullptr && fd->is_map()) {
    const gp::Reflection* r = msg->GetReflection();
    r->ClearField(msg, fd);
    for (const Definition& def : defs_) {
      auto it = values.find(def.key);
      if (!def.active || it == values.end()) continue;
      gp::Message* entry = r->AddMessage(msg, fd);
      const gp::Reflection* er = entry->GetReflection();
      er->SetString(entry, entry->GetDescriptor()->field(0), it->first);
      er->SetString(entry, entry->GetDescriptor()->field(1), it->second);
    }
  }
  policy_.ApplyRead(p, msg);
}

namespace {

// The definitions and rules of `entity_type`, read on `c` (two indexed
// reads); callers go through the cache (definition_cache.h, ADR 0026).
absl::StatusOr<EntityContext> ReadContext(CustomFieldStore& store,
                                          db::Connection& c,
                                          const std::string& entity_type) {
  ASSIGN_OR_RETURN(std::vector<Definition> defs,
                   store.ListOn(c, entity_type, /*include_inactive=*/false));
  ASSIGN_OR_RETURN(std::vector<Rule> rules, store.ListRulesOn(c, entity_type));
  std::set<std::string> sensitive;
  for (const Definition& d : defs)
    if (d.sensitive) sensitive.insert(d.key);
  return EntityContext(
      entity_type, std::move(defs),
      FieldPolicy(entity_type, std::move(rules), std::move(sensitive)));
}

}  // namespace

absl::StatusOr<EntityContext> EntityFields::Load(
    const std::string& entity_type) {
  return CachedContext(
      store_->db(), entity_type, [&]() -> absl::StatusOr<EntityContext> {
        std::optional<EntityContext> out;
        RETURN_IF_ERROR(
            db::WithConnection(*pool_, [&](db::Connection& c) -> absl::Status {
              ASSIGN_OR_RETURN(EntityContext ec,
                               ReadContext(*store_, c, entity_type));
              out.emplace(std::move(ec));
              return absl::OkStatus();
            }));
        return std::move(*out);
      });
}

absl::StatusOr<EntityContext> EntityFields::LoadOn(
    db::Connection& c, const std::string& entity_type) {
  return CachedContext(store_->db(), entity_type,
                       [&]() { return ReadContext(*store_, c, entity_type); });
}

absl::Status EntityFields::PresentMany(
    const EntityContext& ec, const auth::Principal& p,
    const std::vector<std::pair<int64_t, gp::Message*>>& items) {
  std::vector<int64_t> ids;
  for (const auto& [id, msg] : items) ids.push_back(id);
  ASSIGN_OR_RETURN(auto values, store_->GetValues(ec.entity_type(), ids));
  PresentValues(ec, p, items, values);
  return absl::OkStatus();
}

absl::Status EntityFields::PresentManyOn(
    db::Connection& c, const EntityContext& ec, const auth::Principal& p,
    const std::vector<std::pair<int64_t, gp::Message*>>& items) {
  std::vector<int64_t> ids;
  for (const auto& [id, msg] : items) ids.push_back(id);
  ASSIGN_OR_RETURN(auto values, store_->GetValuesOn(c, ec.entity_type(), ids));
  PresentValues(ec, p, items, values);
  return absl::OkStatus();
}

absl::Status EntityFields::PresentOn(
    db::Connection& c, const std::string& entity_type, const auth::Principal& p,
    const std::vector<std::pair<int64_t, gp::Message*>>& items) {
  ASSIGN_OR_RETURN(EntityContext ec, LoadOn(c, entity_type));
  return PresentManyOn(c, ec, p, items);
}

void EntityFields::PresentValues(
    const EntityContext& ec, const auth::Principal& p,
    const std::vector<std::pair<int64_t, gp::Message*>>& items,
    const std::map<int64_t, Values>& values) {
  static const Values kNone;
  for (const auto& [id, msg] : items) {
    auto it = values.find(id);
    ec.Present(p, it == values.end() ? kNone : it->second, msg);
  }
}

absl::Status EntityFields::Present(
    const std::string& entity_type, const auth::Principal& p,
    const std::vector<std::pair<int64_t, gp::Message*>>& items) {
  ASSIGN_OR_RETURN(EntityContext ec, Load(entity_type));
  return PresentMany(ec, p, items);
}

void AndInto(auth::SqlPredicate* base,
             const std::vector<auth::SqlPredicate>& extra) {
  for (const auth::SqlPredicate& e : extra) {
    base->sql = absl::StrCat("(", base->sql, ") AND (", e.sql, ")");
    base->params.insert(base->params.end(), e.params.begin(), e.params.end());
  }
}

}  // namespace crm::customfields
