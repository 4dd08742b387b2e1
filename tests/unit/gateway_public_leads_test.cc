// The public lead form -> CreateLead request mapping, by field name, against
// stand-in request types built at run time (the leads proto may not be
// linked): one that wraps a `lead` message, one that is flat.
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <gtest/gtest.h>

#include "services/gateway/public_leads.h"

namespace crm::gateway {
namespace {

namespace pb = google::protobuf;

class GatewayPublicLeadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pb::FileDescriptorProto file;
    file.set_name("gateway_public_leads_test.proto");
    file.set_package("test.leads");
    file.set_syntax("proto3");
    auto* lead = file.add_message_type();
    lead->set_name("Lead");
    int n = 0;
    for (const char* f : {"company_name", "contact_name", "phone", "email",
                          "city", "notes", "campaign_code"}) {
      AddString(lead, f, ++n);
    }
    auto* id = lead->add_field();
    id->set_name("id");
    id->set_number(++n);
    id->set_type(pb::FieldDescriptorProto::TYPE_INT64);
    auto* wrapped = file.add_message_type();
    wrapped->set_name("CreateLeadRequest");
    auto* lf = wrapped->add_field();
    lf->set_name("lead");
    lf->set_number(1);
    lf->set_type(pb::FieldDescriptorProto::TYPE_MESSAGE);
    lf->set_type_name(".test.leads.Lead");
    AddString(wrapped, "request_id", 2);
    auto* flat = file.add_message_type();
    flat->set_name("FlatRequest");
    AddString(flat, "company", 1);
    AddString(flat, "mobile", 2);
    AddString(flat, "request_id", 3);
    ASSERT_NE(pool_.BuildFile(file), nullptr);
  }

  static void AddString(pb::DescriptorProto* m, const char* name, int number) {
    auto* f = m->add_field();
    f->set_name(name);
    f->set_number(number);
    f->set_type(pb::FieldDescriptorProto::TYPE_STRING);
  }

  std::unique_ptr<pb::Message> New(const std::string& type) {
    return std::unique_ptr<pb::Message>(
        factory_.GetPrototype(pool_.FindMessageTypeByName(type))->New());
  }

  pb::DescriptorPool pool_;
  pb::DynamicMessageFactory factory_;
};

TEST_F(GatewayPublicLeadsTest, FillsTheWrappedLeadByName) {
  auto req = New("test.leads.CreateLeadRequest");
  ASSERT_TRUE(BuildPublicLeadRequest(
                  R"({"campaign_key":"spring-2026","company_name":"上海星河",
                      "contact_name":"王经理","phone":"13800138000",
                      "city":"上海","notes":"想要报价","request_id":"r-1"})",
                  req.get())
                  .ok());
  std::string text = req->DebugString();
  EXPECT_NE(text.find("request_id: \"r-1\""), std::string::npos) << text;
  EXPECT_NE(text.find("campaign_code: \"spring-2026\""), std::string::npos);
  EXPECT_NE(text.find("phone: \"13800138000\""), std::string::npos);
  EXPECT_NE(text.find("lead {"), std::string::npos);
}

TEST_F(GatewayPublicLeadsTest, FillsAFlatRequestWithAlternativeNames) {
  auto req = New("test.leads.FlatRequest");
  ASSERT_TRUE(BuildPublicLeadRequest(
                  R"({"campaign_key":"k","company_name":"星河","phone":"1"})",
                  req.get())
                  .ok());
  const pb::Reflection* r = req->GetReflection();
  const pb::Descriptor* d = req->GetDescriptor();
  EXPECT_EQ(r->GetString(*req, d->FindFieldByName("company")), "星河");
  EXPECT_EQ(r->GetString(*req, d->FindFieldByName("mobile")), "1");
}

TEST_F(GatewayPublicLeadsTest, RejectsBadForms) {
  auto req = New("test.leads.CreateLeadRequest");
  const std::pair<const char*, const char*> kBad[] = {
      {"[1]", "body"},
      {"not json", "body"},
      {R"({"company_name":"a","phone":"1"})", "campaign_key"},
      {R"({"campaign_key":"k","phone":"1"})", "company_name"},
      {R"({"campaign_key":"k","company_name":"a"})", "phone"},
      {R"({"campaign_key":"k","company_name":"a","phone":1})", "phone"},
      {R"({"campaign_key":"k","company_name":"a","phone":"1","owner_id":"7"})",
       "owner_id"},
  };
  for (const auto& [body, field] : kBad) {
    absl::Status s = BuildPublicLeadRequest(body, req.get());
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_NE(s.message().find(field), std::string::npos)
        << body << " -> " << s.message();
  }
  std::string long_notes(501, 'x');
  absl::Status s = BuildPublicLeadRequest(
      "{\"campaign_key\":\"k\",\"company_name\":\"a\",\"email\":\"a@b.cn\","
      "\"notes\":\"" +
          long_notes + "\"}",
      req.get());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("notes"), std::string::npos);
}

}  // namespace
}  // namespace crm::gateway
