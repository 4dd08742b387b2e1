// Routing of packages several backends serve (ADR 0090): entity type ->
// backend, finding entity_type in a request, and the merged audit cursor.
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "crm/audit/v1/audit.pb.h"
#include "crm/customfields/v1/customfields.pb.h"
#include "services/gateway/shared_routes.h"

namespace crm::gateway {
namespace {

TEST(GatewaySharedRoutesTest, EntityTypesMapToTheirOwners) {
  EXPECT_EQ(BackendForEntityType("lead"), "crm.leads.v1");
  EXPECT_EQ(BackendForEntityType("account"), "crm.accounts.v1");
  EXPECT_EQ(BackendForEntityType("contact"), "crm.accounts.v1");
  EXPECT_EQ(BackendForEntityType("opportunity"), "crm.opportunities.v1");
  EXPECT_EQ(BackendForEntityType("contract"), "crm.orders.v1");
  EXPECT_EQ(BackendForEntityType("ticket"), "crm.tickets.v1");
  for (const char* bad : {"", "Lead", "leads", "invoice", "lead ", "lead\n"})
    EXPECT_FALSE(BackendForEntityType(bad).has_value()) << bad;
  EXPECT_EQ(KnownEntityTypes(),
            "account, contact, contract, lead, opportunity, ticket");
  EXPECT_TRUE(IsSharedPackage("crm.audit.v1"));
  EXPECT_TRUE(IsSharedPackage("crm.customfields.v1"));
  EXPECT_TRUE(IsSharedPackage("crm.sharing.v1"));
  EXPECT_FALSE(IsSharedPackage("crm.accounts.v1"));
  EXPECT_EQ(AuditBackends().size(), 5u);
}

TEST(GatewaySharedRoutesTest, FindsEntityTypeAtTopLevelOrOneMessageDown) {
  audit::v1::ListAuditRequest list;
  list.set_entity_type("lead");
  auto f = FindEntityType(list);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->value, "lead");
  EXPECT_EQ(f->path, "entity_type");

  customfields::v1::SetFieldPermissionRequest perm;
  perm.mutable_permission()->set_entity_type("contract");
  f = FindEntityType(perm);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->value, "contract");
  EXPECT_EQ(f->path, "permission.entity_type");

  customfields::v1::UpdateFieldDefinitionRequest upd;  // not set
  f = FindEntityType(upd);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->value, "");
  EXPECT_EQ(f->path, "definition.entity_type");

  audit::v1::ListAuditResponse no_field;
  EXPECT_FALSE(FindEntityType(no_field).has_value());
}

TEST(GatewaySharedRoutesTest, AuditCursorRoundTripsAndIsBound) {
  const std::vector<std::string> backends = {"crm.leads.v1", "crm.accounts.v1"};
  AuditCursor c;
  c.actor_id = 42;
  c.page_size = 10;
  c.streams = {{"crm.leads.v1", "tok-a", 3, false},
               {"crm.accounts.v1", "", 0, true}};
  const std::string token = EncodeAuditCursor(c);
  auto back = DecodeAuditCursor(token, 42, backends);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->page_size, 10);
  ASSERT_EQ(back->streams.size(), 2u);
  EXPECT_EQ(back->streams[0].token, "tok-a");
  EXPECT_EQ(back->streams[0].skip, 3);
  EXPECT_FALSE(back->streams[0].done);
  EXPECT_TRUE(back->streams[1].done);

  // Another actor, other backends, garbage: INVALID_ARGUMENT page_token.
  auto expect_bad = [](const absl::StatusOr<AuditCursor>& s) {
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().message().substr(0, 11), "page_token:") << s.status();
  };
  expect_bad(DecodeAuditCursor(token, 43, backends));
  expect_bad(DecodeAuditCursor(token, 42, {"crm.leads.v1"}));
  expect_bad(DecodeAuditCursor(token, 42, {"crm.accounts.v1", "crm.leads.v1"}));
  expect_bad(DecodeAuditCursor("", 42, backends));
  expect_bad(DecodeAuditCursor("!!!", 42, backends));
  expect_bad(
      DecodeAuditCursor(absl::WebSafeBase64Escape("[1,2]"), 42, backends));
  expect_bad(DecodeAuditCursor(
      absl::WebSafeBase64Escape(
          R"({"v":1,"a":42,"p":10,"s":[)"
          R"({"b":"crm.leads.v1","t":"","k":10,"d":false},)"
          R"({"b":"crm.accounts.v1","t":"","k":0,"d":true}]})"),
      42, backends));  // skip outside the page
  expect_bad(DecodeAuditCursor(
      absl::WebSafeBase64Escape(R"({"v":1,"a":42,"p":0,"s":[]})"), 42, {}));
  expect_bad(DecodeAuditCursor(std::string(20000, 'A'), 42, backends));
}

}  // namespace
}  // namespace crm::gateway
