// The gateway's routes for packages several services serve (ADR 0090),
// against every service binary as a process: crm.customfields.v1 and
// crm.audit.v1 by entity_type to the owning service, ListAudit by actor
// fanned out to all five audit logs and merged newest first with keyset
// paging, and the 400s for an unknown or missing entity_type.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "crm/audit/v1/audit.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr char kAudit[] = "/v1/crm.audit.v1.AuditService/ListAudit";
constexpr char kFields[] = "/v1/crm.customfields.v1.CustomFieldService/";

int64_t I64(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  int64_t out = 0;
  if (v.is_string() && absl::SimpleAtoi(v.get<std::string>(), &out)) return out;
  return 0;
}

class GatewaySharedRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_ = new testing::ProcessSuite();
    started_ = suite_->Start();
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(suite_->Stop());
    delete suite_;
    suite_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_) << "the suite did not start"; }

  struct Reply {
    int status = 0;
    json body;
  };
  static Reply Post(const std::string& path, const std::string& token,
                    const json& body) {
    httplib::Client c = suite_->gateway().Client();
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto res = c.Post(path, headers, body.dump(), "application/json");
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  static json Login(const std::string& username,
                    const std::string& password = tools::kDemoPassword) {
    Reply r =
        Post("/v1/login", "", {{"username", username}, {"password", password}});
    EXPECT_EQ(r.status, 200) << username << ": " << r.body;
    return r.body;
  }
  static std::string Token(const json& login) {
    return login.value("accessToken", "");
  }

  // Every audit entry of `actor_id` at one service, over gRPC.
  static std::vector<audit::v1::AuditEntry> DirectAudit(
      const std::string& service, const std::string& token, int64_t actor_id) {
    auto stub = audit::v1::AuditService::NewStub(
        client::MakeChannel(suite_->address(service)));
    std::vector<audit::v1::AuditEntry> out;
    std::string page_token;
    do {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + token);
      audit::v1::ListAuditRequest req;
      req.set_actor_id(actor_id);
      req.set_page_size(200);
      req.set_page_token(page_token);
      audit::v1::ListAuditResponse resp;
      grpc::Status s = stub->ListAudit(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << service << ": " << s.error_message();
      if (!s.ok()) break;
      out.insert(out.end(), resp.entries().begin(), resp.entries().end());
      page_token = resp.next_page_token();
    } while (!page_token.empty());
    return out;
  }

  static testing::ProcessSuite* suite_;
  static bool started_;
};

testing::ProcessSuite* GatewaySharedRoutesTest::suite_ = nullptr;
bool GatewaySharedRoutesTest::started_ = false;

TEST_F(GatewaySharedRoutesTest, CustomFieldsGoToTheServiceOwningTheEntity) {
  const std::string admin =
      Token(Login("admin", testing::ProcessSuite::kAdminPassword));
  auto create = [&](const std::string& entity, const std::string& key) {
    return Post(absl::StrCat(kFields, "CreateFieldDefinition"), admin,
                {{"definition",
                  {{"entityType", entity},
                   {"key", key},
                   {"label", key},
                   {"type", "FIELD_TYPE_TEXT"}}}});
  };
  Reply lead = create("lead", "gw_lead_source");
  ASSERT_EQ(lead.status, 200) << lead.body;
  Reply account = create("account", "gw_account_level");
  ASSERT_EQ(account.status, 200) << account.body;
  Reply contact = create("contact", "gw_contact_hobby");
  ASSERT_EQ(contact.status, 200) << contact.body;

  auto keys = [&](const std::string& entity) {
    Reply r = Post(absl::StrCat(kFields, "ListFieldDefinitions"), admin,
                   {{"entityType", entity}});
    EXPECT_EQ(r.status, 200) << entity << ": " << r.body;
    std::set<std::string> out;
    for (const json& d : r.body.value("definitions", json::array()))
      out.insert(d.value("key", ""));
    return out;
  };
  // Each list comes from the schema of the service that owns the entity.
  EXPECT_EQ(keys("lead"), std::set<std::string>{"gw_lead_source"});
  EXPECT_EQ(keys("account"), std::set<std::string>{"gw_account_level"});
  EXPECT_EQ(keys("contact"), std::set<std::string>{"gw_contact_hobby"});

  // The same key again at the same service: ALREADY_EXISTS from accounts.
  EXPECT_EQ(create("account", "gw_account_level").status, 409);

  // SetFieldPermission routes by permission.entity_type.
  Reply perm = Post(absl::StrCat(kFields, "SetFieldPermission"), admin,
                    {{"permission",
                      {{"entityType", "lead"},
                       {"field", "custom_fields.gw_lead_source"},
                       {"role", "finance"},
                       {"access", "FIELD_ACCESS_HIDDEN"}}}});
  EXPECT_EQ(perm.status, 200) << perm.body;
  Reply matrix = Post(absl::StrCat(kFields, "ListFieldPermissions"), admin,
                      {{"entityType", "lead"}});
  ASSERT_EQ(matrix.status, 200) << matrix.body;
  bool hidden = false;
  for (const json& p : matrix.body.value("permissions", json::array())) {
    if (p.value("field", "") == "custom_fields.gw_lead_source" &&
        p.value("role", "") == "finance")
      hidden = p.value("access", "") == "FIELD_ACCESS_HIDDEN";
  }
  EXPECT_TRUE(hidden) << matrix.body;

  // Unknown and missing entity types: 400 naming the field.
  Reply unknown = create("widget", "x1");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(unknown.body.value("code", ""), "INVALID_ARGUMENT");
  EXPECT_THAT(unknown.body.value("message", ""),
              HasSubstr("definition.entity_type: unknown entity type"));
  Reply missing = Post(absl::StrCat(kFields, "ListFieldDefinitions"), admin,
                       json::object());
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_THAT(missing.body.value("message", ""),
              HasSubstr("entity_type: required"));
  Reply upd = Post(absl::StrCat(kFields, "UpdateFieldDefinition"), admin,
                   {{"definition", {{"id", lead.body["id"]}, {"label", "x"}}}});
  EXPECT_EQ(upd.status, 400) << upd.body;
  EXPECT_THAT(upd.body.value("message", ""),
              HasSubstr("definition.entity_type: required"));
  // Without a token the owning service answers 401.
  EXPECT_EQ(Post(absl::StrCat(kFields, "ListFieldDefinitions"), "",
                 {{"entityType", "lead"}})
                .status,
            401);
}

TEST_F(GatewaySharedRoutesTest, SharingGoesToTheServiceOwningTheRecord) {
  const std::string rep = Token(Login("rep.sh1.1"));
  const json peer_login = Login("rep.sh1.2");
  const std::string peer = Token(peer_login);
  const std::string peer_id = peer_login["user"].value("id", "");
  const std::string first17 = "91310000MA1GWA020";
  Reply account = Post(
      "/v1/crm.accounts.v1.AccountsService/CreateAccount", rep,
      {{"account",
        {{"kind", "ACCOUNT_KIND_COMPANY"},
         {"name", "网关共享客户有限公司"},
         {"creditCode", first17 + *validate::CreditCodeCheckChar(first17)}}},
       {"ignoreSimilar", true},
       {"requestId", "gw-share-account"}});
  ASSERT_EQ(account.status, 200) << account.body;
  const std::string account_id = account.body["account"].value("id", "");
  const std::string kGet = "/v1/crm.accounts.v1.AccountsService/GetAccount";
  const std::string kSharing = "/v1/crm.sharing.v1.SharingService/";
  // Another rep's account is out of the peer's scope until shared.
  EXPECT_EQ(Post(kGet, peer, {{"id", account_id}}).status, 404);
  Reply share = Post(absl::StrCat(kSharing, "ShareRecord"), rep,
                     {{"entityType", "account"},
                      {"entityId", account_id},
                      {"granteeId", peer_id},
                      {"access", "SHARE_ACCESS_READ"},
                      {"requestId", "gw-share-1"}});
  ASSERT_EQ(share.status, 200) << share.body;
  EXPECT_EQ(Post(kGet, peer, {{"id", account_id}}).status, 200);
  Reply mine = Post(absl::StrCat(kSharing, "ListSharedWithMe"), peer,
                    {{"entityType", "account"}});
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(mine.body["records"].size(), 1u) << mine.body;
  EXPECT_EQ(mine.body["records"][0]["share"].value("entityId", ""), account_id);
  Reply revoke = Post(absl::StrCat(kSharing, "RevokeShare"), rep,
                      {{"entityType", "account"},
                       {"entityId", account_id},
                       {"granteeId", peer_id},
                       {"requestId", "gw-share-2"}});
  ASSERT_EQ(revoke.status, 200) << revoke.body;
  EXPECT_EQ(Post(kGet, peer, {{"id", account_id}}).status, 404);
  // The routing key is required and must name a known entity type.
  EXPECT_EQ(Post(absl::StrCat(kSharing, "ListShares"), rep,
                 {{"entityId", account_id}})
                .status,
            400);
  EXPECT_EQ(Post(absl::StrCat(kSharing, "ListShares"), rep,
                 {{"entityType", "invoice"}, {"entityId", "1"}})
                .status,
            400);
}

TEST_F(GatewaySharedRoutesTest, AuditByEntityAndMergedByActor) {
  const json admin_login =
      Login("admin", testing::ProcessSuite::kAdminPassword);
  const std::string admin = Token(admin_login);
  const json rep_login = Login("rep.sh1.1");
  const std::string rep = Token(rep_login);
  const int64_t rep_id = I64(rep_login["user"]["id"]);
  ASSERT_GT(rep_id, 0);

  // The rep writes in two services: a lead (leads) and an account with a
  // contact (accounts).
  Reply lead = Post("/v1/crm.leads.v1.LeadsService/CreateLead", rep,
                    {{"lead",
                      {{"kind", "LEAD_KIND_COMPANY"},
                       {"companyName", "网关审计线索有限公司"},
                       {"contactName", "周经理"},
                       {"phone", "13900139001"},
                       {"regionCode", "east"}}},
                     {"keep", true},
                     {"requestId", "gw-audit-lead"}});
  ASSERT_EQ(lead.status, 200) << lead.body;
  const std::string lead_id = lead.body["lead"].value("id", "");
  const std::string first17 = "91310000MA1GWA010";
  Reply account = Post(
      "/v1/crm.accounts.v1.AccountsService/CreateAccount", rep,
      {{"account",
        {{"kind", "ACCOUNT_KIND_COMPANY"},
         {"name", "网关审计客户有限公司"},
         {"creditCode", first17 + *validate::CreditCodeCheckChar(first17)}}},
       {"ignoreSimilar", true},
       {"requestId", "gw-audit-account"}});
  ASSERT_EQ(account.status, 200) << account.body;
  const std::string account_id = account.body["account"].value("id", "");
  for (int i = 0; i < 3; ++i) {
    Reply c = Post("/v1/crm.accounts.v1.AccountsService/AddContact", rep,
                   {{"contact",
                     {{"accountId", account_id},
                      {"name", absl::StrCat("联系人", i)},
                      {"phone", absl::StrCat("1391234567", i)}}},
                    {"requestId", absl::StrCat("gw-audit-contact-", i)}});
    ASSERT_EQ(c.status, 200) << c.body;
  }

  // By entity: the owning service's log only.
  Reply by_lead =
      Post(kAudit, admin, {{"entityType", "lead"}, {"entityId", lead_id}});
  ASSERT_EQ(by_lead.status, 200) << by_lead.body;
  ASSERT_FALSE(by_lead.body["entries"].empty()) << by_lead.body;
  for (const json& e : by_lead.body["entries"]) {
    EXPECT_EQ(e.value("entityType", ""), "lead");
    EXPECT_EQ(e.value("entityId", ""), lead_id);
  }
  Reply by_account = Post(
      kAudit, admin, {{"entityType", "account"}, {"entityId", account_id}});
  ASSERT_EQ(by_account.status, 200) << by_account.body;
  ASSERT_FALSE(by_account.body["entries"].empty());
  EXPECT_EQ(by_account.body["entries"][0].value("entityType", ""), "account");

  // By actor: every service's log, merged newest first, paged by 2.
  std::vector<json> merged;
  std::string token;
  int pages = 0;
  do {
    json body = {{"actorId", std::to_string(rep_id)}, {"pageSize", 2}};
    if (!token.empty()) body["pageToken"] = token;
    Reply r = Post(kAudit, admin, body);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_LE(r.body["entries"].size(), 2u);
    for (const json& e : r.body["entries"]) merged.push_back(e);
    token = r.body.value("nextPageToken", "");
    ASSERT_LT(++pages, 100) << "paging does not end";
  } while (!token.empty());

  // Exactly the union of the five logs, each entry once.
  std::multiset<std::string> expected;
  for (const char* svc :
       {"leads", "accounts", "opportunities", "orders", "tickets"}) {
    for (const audit::v1::AuditEntry& e : DirectAudit(svc, admin, rep_id))
      expected.insert(absl::StrCat(svc, "/", e.id()));
  }
  std::multiset<std::string> got;
  std::set<std::string> types;
  for (const json& e : merged) {
    const std::string type = e.value("entityType", "");
    types.insert(type);
    const std::string svc = type == "lead" ? "leads" : "accounts";
    got.insert(absl::StrCat(svc, "/", e.value("id", "")));
    EXPECT_EQ(I64(e["actorId"]), rep_id);
  }
  EXPECT_EQ(got, expected);
  EXPECT_GE(merged.size(), 5u);  // lead, account, 3 contacts
  EXPECT_TRUE(types.count("lead") && types.count("account") &&
              types.count("contact"))
      << merged.size();
  // Newest first across services (RFC 3339 UTC strings sort as times).
  for (size_t i = 1; i < merged.size(); ++i) {
    EXPECT_GE(merged[i - 1].value("at", ""), merged[i].value("at", ""))
        << "entry " << i;
  }

  // Bad input: a token of another actor, garbage, negative page size.
  Reply first = Post(kAudit, admin,
                     {{"actorId", std::to_string(rep_id)}, {"pageSize", 1}});
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string t1 = first.body.value("nextPageToken", "");
  ASSERT_FALSE(t1.empty());
  Reply other = Post(kAudit, admin, {{"actorId", "1"}, {"pageToken", t1}});
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_THAT(other.body.value("message", ""), HasSubstr("page_token"));
  Reply garbage =
      Post(kAudit, admin,
           {{"actorId", std::to_string(rep_id)}, {"pageToken", "not-a-token"}});
  EXPECT_EQ(garbage.status, 400) << garbage.body;
  EXPECT_THAT(garbage.body.value("message", ""), HasSubstr("page_token"));
  Reply negative = Post(
      kAudit, admin, {{"actorId", std::to_string(rep_id)}, {"pageSize", -1}});
  EXPECT_EQ(negative.status, 400) << negative.body;
  EXPECT_THAT(negative.body.value("message", ""), HasSubstr("page_size"));
  // Neither filter: the services' own rule comes back.
  Reply neither = Post(kAudit, admin, json::object());
  EXPECT_EQ(neither.status, 400) << neither.body;
  EXPECT_THAT(neither.body.value("message", ""), HasSubstr("actor_id"));
  // Unknown entity type: 400 naming the field.
  Reply unknown =
      Post(kAudit, admin, {{"entityType", "invoice"}, {"entityId", "1"}});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_THAT(unknown.body.value("message", ""),
              HasSubstr("entity_type: unknown entity type \"invoice\""));
  // A rep may not read the audit log, merged or not.
  EXPECT_EQ(Post(kAudit, rep, {{"actorId", std::to_string(rep_id)}}).status,
            403);
  EXPECT_EQ(
      Post(kAudit, rep, {{"entityType", "lead"}, {"entityId", lead_id}}).status,
      403);
}

}  // namespace
}  // namespace crm
