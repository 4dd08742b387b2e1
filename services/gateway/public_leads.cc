#include "services/gateway/public_leads.h"

#include <google/protobuf/descriptor.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace crm::gateway {

namespace pb = google::protobuf;

namespace {

constexpr size_t kMaxValueChars = 500;

// The first string field of `m` named one of `names`.
const pb::FieldDescriptor* StringField(const pb::Descriptor* m,
                                       const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    const pb::FieldDescriptor* f = m->FindFieldByName(n);
    if (f != nullptr && f->type() == pb::FieldDescriptor::TYPE_STRING &&
        !f->is_repeated())
      return f;
  }
  return nullptr;
}

size_t Utf8Chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

const std::vector<std::pair<std::string, std::vector<std::string>>>&
PublicLeadFields() {
  static const auto* fields =
      new std::vector<std::pair<std::string, std::vector<std::string>>>{
          {"campaign_key",
           {"campaign_key", "campaign_code", "campaign", "source_key"}},
          {"company_name", {"company_name", "company", "name"}},
          {"contact_name", {"contact_name", "contact", "contact_person"}},
          {"phone", {"phone", "contact_phone", "mobile"}},
          {"email", {"email", "contact_email"}},
          {"city", {"city", "region", "address"}},
          {"notes", {"notes", "note", "remark", "description"}},
          {"request_id", {"request_id"}},
      };
  return *fields;
}

absl::StatusOr<PublicLeadForm> ParsePublicLeadForm(std::string_view body) {
  nlohmann::json form = nlohmann::json::parse(body, nullptr, false);
  if (form.is_discarded() || !form.is_object())
    return absl::InvalidArgumentError("body: must be a JSON object");
  PublicLeadForm values;
  for (auto it = form.begin(); it != form.end(); ++it) {
    bool known = false;
    for (const auto& [key, names] : PublicLeadFields())
      known |= key == it.key();
    if (!known)
      return absl::InvalidArgumentError(
          absl::StrCat(it.key(), ": unknown field"));
    if (it->is_null()) continue;
    if (!it->is_string())
      return absl::InvalidArgumentError(
          absl::StrCat(it.key(), ": must be a string"));
    std::string v = it->get<std::string>();
    if (Utf8Chars(v) > kMaxValueChars)
      return absl::InvalidArgumentError(
          absl::StrCat(it.key(), ": at most ", kMaxValueChars, " characters"));
    if (!v.empty()) values[it.key()] = std::move(v);
  }
  if (!values.count("campaign_key"))
    return absl::InvalidArgumentError("campaign_key: required");
  if (!values.count("company_name") && !values.count("contact_name"))
    return absl::InvalidArgumentError(
        "company_name: company_name or contact_name is required");
  if (!values.count("phone") && !values.count("email"))
    return absl::InvalidArgumentError("phone: phone or email is required");
  return values;
}

void FillLeadRequest(const PublicLeadForm& values, pb::Message* request) {
  // The lead itself, when the request wraps it; the request otherwise.
  const pb::Descriptor* req_type = request->GetDescriptor();
  pb::Message* lead = request;
  const pb::FieldDescriptor* lead_field = req_type->FindFieldByName("lead");
  if (lead_field != nullptr &&
      lead_field->type() == pb::FieldDescriptor::TYPE_MESSAGE &&
      !lead_field->is_repeated()) {
    lead = request->GetReflection()->MutableMessage(request, lead_field);
  }
  for (const auto& [key, names] : PublicLeadFields()) {
    auto v = values.find(key);
    if (v == values.end()) continue;
    // request_id belongs to the request; everything else to the lead.
    pb::Message* first = key == "request_id" ? request : lead;
    pb::Message* second = key == "request_id" ? lead : request;
    for (pb::Message* target : {first, second}) {
      const pb::FieldDescriptor* f =
          StringField(target->GetDescriptor(), names);
      if (f == nullptr) continue;
      target->GetReflection()->SetString(target, f, v->second);
      break;
    }
  }
}

absl::Status BuildPublicLeadRequest(std::string_view body,
                                    pb::Message* request) {
  absl::StatusOr<PublicLeadForm> form = ParsePublicLeadForm(body);
  if (!form.ok()) return form.status();
  FillLeadRequest(*form, request);
  return absl::OkStatus();
}

PublicLeads::PublicLeads(const GrpcBridge* bridge,
                         std::shared_ptr<auth::ServiceCredentials> credentials,
                         std::set<std::string> campaign_keys,
                         absl::Duration timeout)
    : bridge_(bridge),
      credentials_(std::move(credentials)),
      campaign_keys_(std::move(campaign_keys)),
      timeout_(timeout) {}

BridgeReply PublicLeads::Submit(std::string_view body,
                                const std::string& client_ip) const {
  absl::StatusOr<PublicLeadForm> form = ParsePublicLeadForm(body);
  if (!form.ok())
    return ErrorReply(grpc::StatusCode::INVALID_ARGUMENT,
                      std::string(form.status().message()));
  if (!campaign_keys_.empty() &&
      !campaign_keys_.count(form->at("campaign_key")))
    return ErrorReply(grpc::StatusCode::PERMISSION_DENIED,
                      "campaign_key: unknown campaign");
  absl::StatusOr<const pb::MethodDescriptor*> method =
      GrpcBridge::FindMethod(kLeadsService, kCreateLeadMethod);
  if (!method.ok()) {
    return ErrorReply(grpc::StatusCode::UNAVAILABLE,
                      "lead capture is not available at this gateway");
  }
  std::unique_ptr<pb::Message> request =
      GrpcBridge::NewMessage((*method)->input_type());
  if (request == nullptr) {
    return ErrorReply(grpc::StatusCode::UNAVAILABLE,
                      "lead capture is not available at this gateway");
  }
  FillLeadRequest(*form, request.get());
  CallOptions options;
  options.authorization = absl::StrCat("Bearer ", credentials_->Token());
  options.timeout = timeout_;
  options.client_ip = client_ip;
  BridgeReply reply = bridge_->CallMessage(*method, *request, options);
  if (reply.code != grpc::StatusCode::OK) return reply;
  // An anonymous caller learns only that the lead was taken, and its id
  // (for support), never who it was assigned to.
  nlohmann::json out = {{"received", true}};
  nlohmann::json got = nlohmann::json::parse(reply.body, nullptr, false);
  if (got.is_object()) {
    if (got.contains("id")) {
      out["id"] = got["id"];
    } else if (got.contains("lead") && got["lead"].is_object() &&
               got["lead"].contains("id")) {
      out["id"] = got["lead"]["id"];
    }
  }
  reply.body = out.dump();
  return reply;
}

}  // namespace crm::gateway
