#include "services/gateway/shared_routes.h"

#include <google/protobuf/descriptor.h>

#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace crm::gateway {

namespace pb = google::protobuf;

namespace {

const std::map<std::string, std::string, std::less<>>& EntityBackends() {
  static const auto* m = new std::map<std::string, std::string, std::less<>>{
      {"account", "crm.accounts.v1"},          {"contact", "crm.accounts.v1"},
      {"contract", "crm.orders.v1"},           {"lead", "crm.leads.v1"},
      {"opportunity", "crm.opportunities.v1"}, {"ticket", "crm.tickets.v1"},
  };
  return *m;
}

absl::Status BadToken(std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("page_token: ", std::string(why)));
}

}  // namespace

bool IsSharedPackage(std::string_view package) {
  return package == kAuditPackage || package == kCustomFieldsPackage ||
         package == kSharingPackage;
}

std::optional<std::string> BackendForEntityType(std::string_view entity_type) {
  auto it = EntityBackends().find(entity_type);
  if (it == EntityBackends().end()) return std::nullopt;
  return it->second;
}

std::string KnownEntityTypes() {
  std::string out;
  for (const auto& [type, backend] : EntityBackends())
    absl::StrAppend(&out, out.empty() ? "" : ", ", type);
  return out;
}

const std::vector<std::string>& AuditBackends() {
  static const auto* v = new std::vector<std::string>{
      "crm.leads.v1", "crm.accounts.v1", "crm.opportunities.v1",
      "crm.orders.v1", "crm.tickets.v1"};
  return *v;
}

std::optional<EntityTypeField> FindEntityType(const pb::Message& request) {
  const pb::Descriptor* d = request.GetDescriptor();
  const pb::Reflection* r = request.GetReflection();
  auto string_field =
      [](const pb::Descriptor* t) -> const pb::FieldDescriptor* {
    const pb::FieldDescriptor* f = t->FindFieldByName("entity_type");
    if (f == nullptr || f->is_repeated() ||
        f->type() != pb::FieldDescriptor::TYPE_STRING)
      return nullptr;
    return f;
  };
  if (const pb::FieldDescriptor* f = string_field(d))
    return EntityTypeField{r->GetString(request, f), "entity_type"};
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* m = d->field(i);
    if (m->is_repeated() || m->type() != pb::FieldDescriptor::TYPE_MESSAGE)
      continue;
    const pb::FieldDescriptor* f = string_field(m->message_type());
    if (f == nullptr) continue;
    const pb::Message& inner = r->GetMessage(request, m);
    return EntityTypeField{inner.GetReflection()->GetString(inner, f),
                           absl::StrCat(m->name(), ".entity_type")};
  }
  return std::nullopt;
}

std::string EncodeAuditCursor(const AuditCursor& cursor) {
  nlohmann::json streams = nlohmann::json::array();
  for (const AuditStreamCursor& s : cursor.streams) {
    streams.push_back(
        {{"b", s.backend}, {"t", s.token}, {"k", s.skip}, {"d", s.done}});
  }
  nlohmann::json j = {{"v", 1},
                      {"a", cursor.actor_id},
                      {"p", cursor.page_size},
                      {"s", std::move(streams)}};
  return absl::WebSafeBase64Escape(j.dump());
}

absl::StatusOr<AuditCursor> DecodeAuditCursor(
    std::string_view token, int64_t actor_id,
    const std::vector<std::string>& backends) {
  std::string raw;
  if (token.size() > 16384 ||
      !absl::WebSafeBase64Unescape(std::string(token), &raw))
    return BadToken("not a page token of this list");
  nlohmann::json j = nlohmann::json::parse(raw, nullptr, false);
  if (!j.is_object() || j.value("v", 0) != 1 || !j.contains("s") ||
      !j["s"].is_array() || !j.contains("a") || !j["a"].is_number_integer() ||
      !j.contains("p") || !j["p"].is_number_integer())
    return BadToken("not a page token of this list");
  AuditCursor c;
  c.actor_id = j["a"].get<int64_t>();
  c.page_size = j["p"].get<int>();
  if (c.actor_id != actor_id)
    return BadToken("issued for another actor_id; start without a token");
  if (c.page_size < 1 || c.page_size > 200)
    return BadToken("not a page token of this list");
  if (j["s"].size() != backends.size())
    return BadToken("the set of audit backends changed; start again");
  for (size_t i = 0; i < backends.size(); ++i) {
    const nlohmann::json& s = j["s"][i];
    if (!s.is_object() || !s.contains("b") || !s["b"].is_string() ||
        !s.contains("t") || !s["t"].is_string() || !s.contains("k") ||
        !s["k"].is_number_integer() || !s.contains("d") || !s["d"].is_boolean())
      return BadToken("not a page token of this list");
    AuditStreamCursor sc;
    sc.backend = s["b"].get<std::string>();
    sc.token = s["t"].get<std::string>();
    sc.skip = s["k"].get<int>();
    sc.done = s["d"].get<bool>();
    if (sc.backend != backends[i])
      return BadToken("the set of audit backends changed; start again");
    if (sc.skip < 0 || sc.skip >= c.page_size)
      return BadToken("not a page token of this list");
    c.streams.push_back(std::move(sc));
  }
  return c;
}

}  // namespace crm::gateway
