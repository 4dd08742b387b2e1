#include "common/audit/audit.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"
#include "common/validate/mask.h"

namespace crm::audit {

namespace pb = google::protobuf;

std::vector<FieldChange> Diff(const Fields& before, const Fields& after) {
  std::vector<FieldChange> out;
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      out.push_back({b->first, b->second, std::nullopt});
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      out.push_back({a->first, std::nullopt, a->second});
      ++a;
    } else {
      if (a->second != b->second)
        out.push_back({a->first, b->second, a->second});
      ++a;
      ++b;
    }
  }
  return out;
}

namespace {

std::string ScalarText(const pb::Message& m, const pb::Reflection* r,
                       const pb::FieldDescriptor* f, int index) {
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index)
                              : r->GetInt32(m, f));
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index)
                              : r->GetInt64(m, f));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index)
                              : r->GetUInt32(m, f));
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index)
                              : r->GetUInt64(m, f));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r->GetRepeatedDouble(m, f, index)
                              : r->GetDouble(m, f));
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r->GetRepeatedFloat(m, f, index)
                              : r->GetFloat(m, f));
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f))
                 ? "true"
                 : "false";
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return std::string(
          (rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))->name());
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return (rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f))
          .ShortDebugString();
  }
  return "";
}

bool IsTimestamp(const pb::Descriptor* d) {
  return d->full_name() == "google.protobuf.Timestamp";
}

std::string TimestampText(const pb::Message& ts) {
  const pb::Descriptor* d = ts.GetDescriptor();
  const pb::Reflection* r = ts.GetReflection();
  const int64_t seconds = r->GetInt64(ts, d->FindFieldByName("seconds"));
  const int32_t nanos = r->GetInt32(ts, d->FindFieldByName("nanos"));
  return absl::FormatTime(
      absl::RFC3339_full,
      absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos),
      absl::UTCTimeZone());
}

void FlattenInto(const pb::Message& m, const std::string& prefix, Fields* out) {
  const pb::Reflection* r = m.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    const std::string name = prefix + std::string(f->name());
    if (prefix.empty() &&
        (f->name() == "updated_at" || f->name() == "update_time"))
      continue;
    if (f->is_repeated()) {
      std::vector<std::string> items;
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
            IsTimestamp(f->message_type())) {
          items.push_back(TimestampText(r->GetRepeatedMessage(m, f, i)));
        } else {
          items.push_back(ScalarText(m, r, f, i));
        }
      }
      (*out)[name] = absl::StrCat("[", absl::StrJoin(items, ", "), "]");
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      const pb::Message& sub = r->GetMessage(m, f);
      if (IsTimestamp(f->message_type())) {
        (*out)[name] = TimestampText(sub);
      } else {
        FlattenInto(sub, name + ".", out);
      }
    } else {
      (*out)[name] = ScalarText(m, r, f, 0);
    }
  }
}

}  // namespace

Fields Flatten(const pb::Message& message) {
  Fields out;
  FlattenInto(message, "", &out);
  return out;
}

std::vector<FieldChange> DiffMessages(const pb::Message* before,
                                      const pb::Message* after) {
  return Diff(before ? Flatten(*before) : Fields{},
              after ? Flatten(*after) : Fields{});
}

// --- masking -----------------------------------------------------------------

std::string DefaultMask(std::string_view /*entity_type*/,
                        std::string_view field, std::string_view value) {
  // The leaf name decides: "contact.phone", "mobile", "id_number".
  std::string leaf = absl::AsciiStrToLower(std::string(field));
  if (size_t dot = leaf.rfind('.'); dot != std::string::npos)
    leaf = leaf.substr(dot + 1);
  if (absl::StrContains(leaf, "phone") || absl::StrContains(leaf, "mobile") ||
      leaf == "id_number" || leaf == "id_card") {
    return validate::MaskValue(value);
  }
  return std::string(value);
}

namespace {

std::mutex& MaskerMu() {
  static std::mutex mu;
  return mu;
}
Masker& MaskerRef() {
  static Masker masker = DefaultMask;
  return masker;
}

thread_local std::optional<Actor> t_actor;

}  // namespace

void SetMasker(Masker masker) {
  std::lock_guard<std::mutex> lock(MaskerMu());
  MaskerRef() = masker ? std::move(masker) : Masker(DefaultMask);
}

// --- actor -------------------------------------------------------------------

ActorScope::ActorScope(const auth::Principal& principal, std::string request_id)
    : ActorScope(
          Actor{principal.user_id, principal.service, std::move(request_id)}) {}

ActorScope::ActorScope(Actor actor) : previous_(std::move(t_actor)) {
  t_actor = std::move(actor);
}

ActorScope::~ActorScope() { t_actor = std::move(previous_); }

std::optional<Actor> CurrentActor() { return t_actor; }

// --- entries -----------------------------------------------------------------

namespace {

void OwnerOf(const pb::Message& m, int64_t* owner_id, std::string* path) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  const pb::FieldDescriptor* id = d->FindFieldByName("owner_id");
  const pb::FieldDescriptor* op = d->FindFieldByName("owner_org_path");
  if (id != nullptr && !id->is_repeated() &&
      id->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT64)
    *owner_id = r->GetInt64(m, id);
  if (op != nullptr && !op->is_repeated() &&
      op->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING)
    *path = r->GetString(m, op);
}

}  // namespace

AuditEntry Change(std::string entity_type, std::string entity_id,
                  std::string action, const pb::Message* before,
                  const pb::Message* after, absl::Time at) {
  AuditEntry e;
  e.entity_type = std::move(entity_type);
  e.entity_id = std::move(entity_id);
  e.action = std::move(action);
  e.at = at;
  e.changes = DiffMessages(before, after);
  // The owner after the change; the one before when the record left its
  // owner (released to a pool, deleted), so the previous owner's managers
  // still see the entry.
  if (after != nullptr) OwnerOf(*after, &e.owner_id, &e.owner_org_path);
  if (e.owner_id == 0 && e.owner_org_path.empty() && before != nullptr)
    OwnerOf(*before, &e.owner_id, &e.owner_org_path);
  return e;
}

AuditEntry Change(std::string entity_type, int64_t entity_id,
                  std::string action, const pb::Message* before,
                  const pb::Message* after, absl::Time at) {
  return Change(std::move(entity_type), absl::StrCat(entity_id),
                std::move(action), before, after, at);
}

std::string ChangesToJson(const std::vector<FieldChange>& changes) {
  nlohmann::json arr = nlohmann::json::array();
  for (const FieldChange& c : changes) {
    nlohmann::json j = {{"f", c.field}};
    j["o"] = c.old_value ? nlohmann::json(*c.old_value) : nlohmann::json();
    j["n"] = c.new_value ? nlohmann::json(*c.new_value) : nlohmann::json();
    arr.push_back(std::move(j));
  }
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<FieldChange> ChangesFromJson(std::string_view json) {
  std::vector<FieldChange> out;
  nlohmann::json arr = nlohmann::json::parse(json, nullptr, false);
  if (!arr.is_array()) return out;
  for (const nlohmann::json& j : arr) {
    if (!j.is_object() || !j.contains("f") || !j["f"].is_string()) continue;
    FieldChange c;
    c.field = j["f"].get<std::string>();
    if (j.contains("o") && j["o"].is_string())
      c.old_value = j["o"].get<std::string>();
    if (j.contains("n") && j["n"].is_string())
      c.new_value = j["n"].get<std::string>();
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

// Checks `e`, fills the actor and request id from CurrentActor() when the
// entry names none, masks the values and caps the free texts.
absl::Status PrepareEntry(AuditEntry& e) {
  if (e.entity_type.empty() || e.entity_id.empty() || e.action.empty()) {
    return absl::InternalError("audit entry without entity or action");
  }
  if (std::optional<Actor> actor = CurrentActor()) {
    if (e.actor_id == 0 && e.actor_service.empty()) {
      e.actor_id = actor->user_id;
      e.actor_service = actor->service;
    }
    if (e.request_id.empty()) e.request_id = actor->request_id;
  }
  {
    std::lock_guard<std::mutex> lock(MaskerMu());
    const Masker& mask = MaskerRef();
    for (FieldChange& c : e.changes) {
      if (c.old_value) c.old_value = mask(e.entity_type, c.field, *c.old_value);
      if (c.new_value) c.new_value = mask(e.entity_type, c.field, *c.new_value);
    }
  }
  if (e.request_id.size() > 128) e.request_id.resize(128);
  if (e.note.size() > 512) e.note.resize(512);
  return absl::OkStatus();
}

constexpr char kInsertEntries[] =
    "INSERT INTO audit_log (entity_type, entity_id, action, actor_id,"
    " actor_service, request_id, at, owner_id, owner_org_path, changes,"
    " note) VALUES ";
constexpr char kEntryRow[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

void AddEntryParams(const AuditEntry& e, std::vector<db::Param>& params) {
  params.emplace_back(e.entity_type);
  params.emplace_back(e.entity_id);
  params.emplace_back(e.action);
  params.emplace_back(e.actor_id);
  params.emplace_back(e.actor_service);
  params.emplace_back(e.request_id);
  params.emplace_back(e.at);
  params.emplace_back(e.owner_id);
  params.emplace_back(e.owner_org_path);
  params.emplace_back(ChangesToJson(e.changes));
  params.emplace_back(e.note);
}

}  // namespace

absl::StatusOr<int64_t> AppendEntry(db::Connection& tx, AuditEntry e) {
  RETURN_IF_ERROR(PrepareEntry(e));
  std::vector<db::Param> params;
  AddEntryParams(e, params);
  RETURN_IF_ERROR(
      tx.Exec(absl::StrCat(kInsertEntries, kEntryRow), params).status());
  return tx.LastInsertId();
}

absl::Status AppendMany(db::Connection& tx, std::vector<AuditEntry> entries) {
  if (entries.empty()) return absl::OkStatus();
  std::string sql = kInsertEntries;
  std::vector<db::Param> params;
  params.reserve(entries.size() * 11);
  for (size_t i = 0; i < entries.size(); ++i) {
    RETURN_IF_ERROR(PrepareEntry(entries[i]));
    absl::StrAppend(&sql, i == 0 ? "" : ",", kEntryRow);
    AddEntryParams(entries[i], params);
  }
  return tx.Exec(sql, params).status();
}

absl::Status Append(db::Connection& tx, AuditEntry entry) {
  return AppendEntry(tx, std::move(entry)).status();
}

}  // namespace crm::audit
