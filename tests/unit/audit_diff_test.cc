// The audit log's pure parts (issue 10): diff, flatten, masking, the
// changes' JSON form and the actor scope.
#include <gtest/gtest.h>

#include "common/audit/audit.h"
#include "crm/accounts/v1/accounts.pb.h"

namespace crm::audit {
namespace {

using crm::accounts::v1::Account;

TEST(AuditDiff, ReportsChangedAddedAndRemovedFieldsInOrder) {
  Fields before = {{"a", "1"}, {"b", "2"}, {"d", "4"}};
  Fields after = {{"a", "1"}, {"b", "3"}, {"c", "x"}};
  std::vector<FieldChange> want = {
      {"b", "2", "3"}, {"c", std::nullopt, "x"}, {"d", "4", std::nullopt}};
  EXPECT_EQ(Diff(before, after), want);
}

TEST(AuditDiff, EqualRecordsHaveNoChanges) {
  Fields f = {{"a", "1"}};
  EXPECT_TRUE(Diff(f, f).empty());
  EXPECT_TRUE(Diff({}, {}).empty());
}

TEST(AuditFlatten, NestedTimestampsEnumsAndSkipsUpdateTime) {
  Account a;
  a.set_name("华为");
  a.set_owner_id(7);
  a.set_type(crm::accounts::v1::CUSTOMER_TYPE_SMB);
  a.mutable_signed_amount()->set_amount_minor(12345);
  a.mutable_signed_amount()->set_currency_code("CNY");
  a.mutable_owned_since()->set_seconds(1700000000);
  a.mutable_update_time()->set_seconds(1700000001);
  Fields f = Flatten(a);
  EXPECT_EQ(f["name"], "华为");
  EXPECT_EQ(f["owner_id"], "7");
  EXPECT_EQ(f["type"], "CUSTOMER_TYPE_SMB");
  EXPECT_EQ(f["signed_amount.amount_minor"], "12345");
  EXPECT_EQ(f["signed_amount.currency_code"], "CNY");
  EXPECT_EQ(f["owned_since"], "2023-11-14T22:13:20+00:00");
  EXPECT_EQ(f.count("update_time"), 0u);
  EXPECT_EQ(f.count("pool_id"), 0u);  // unset scalars are absent
}

TEST(AuditChange, CreateUpdateAndOwnerOfEntry) {
  Account before;
  before.set_id(5);
  before.set_name("A");
  before.set_owner_id(7);
  before.set_owner_org_path("/1/2/");
  Account after = before;
  after.set_owner_id(0);  // released to a pool
  after.set_owner_org_path("");
  after.set_pool_id(3);
  AuditEntry e = Change("account", 5, "release", &before, &after,
                        absl::FromUnixSeconds(100));
  EXPECT_EQ(e.entity_id, "5");
  // The previous owner keeps the entry in their managers' scope.
  EXPECT_EQ(e.owner_id, 7);
  EXPECT_EQ(e.owner_org_path, "/1/2/");
  std::vector<FieldChange> want = {{"owner_id", "7", std::nullopt},
                                   {"owner_org_path", "/1/2/", std::nullopt},
                                   {"pool_id", std::nullopt, "3"}};
  EXPECT_EQ(e.changes, want);

  AuditEntry created =
      Change("account", 5, "create", nullptr, &before, absl::UnixEpoch());
  EXPECT_EQ(created.changes.size(), 4u);
  for (const FieldChange& c : created.changes)
    EXPECT_FALSE(c.old_value.has_value()) << c.field;
}

TEST(AuditMask, PhonesAndIdNumbersAreMaskedOthersKept) {
  EXPECT_EQ(DefaultMask("account", "phone", "13812345678"), "138****5678");
  EXPECT_EQ(DefaultMask("account", "contact.mobile", "+8613812345678"),
            "+86138****5678");
  EXPECT_EQ(DefaultMask("account", "id_number", "110101199003071234"),
            "110***********1234");
  EXPECT_EQ(DefaultMask("account", "name", "13812345678"), "13812345678");
  // The same rule as field-level permissions (validate::MaskValue).
  EXPECT_EQ(DefaultMask("contact", "phone", "1234567"), "1******");
  EXPECT_EQ(DefaultMask("contact", "phone", ""), "");
}

TEST(AuditJson, ChangesRoundTripIncludingNullsAndUnicode) {
  std::vector<FieldChange> changes = {{"name", "旧", "新"},
                                      {"pool_id", std::nullopt, "3"},
                                      {"owner_id", "7", std::nullopt},
                                      {"note", "a\"b\\c", ""}};
  EXPECT_EQ(ChangesFromJson(ChangesToJson(changes)), changes);
  EXPECT_EQ(ChangesToJson({}), "[]");
  EXPECT_TRUE(ChangesFromJson("not json").empty());
  EXPECT_TRUE(ChangesFromJson("{\"f\":1}").empty());
}

TEST(AuditActor, ScopesNestAndRestore) {
  EXPECT_FALSE(CurrentActor().has_value());
  {
    auth::Principal p;
    p.user_id = 42;
    ActorScope outer(p, "req-1");
    ASSERT_TRUE(CurrentActor().has_value());
    EXPECT_EQ(CurrentActor()->user_id, 42);
    EXPECT_EQ(CurrentActor()->request_id, "req-1");
    {
      auth::Principal svc;
      svc.service = "leads";
      ActorScope inner(svc);
      EXPECT_EQ(CurrentActor()->user_id, 0);
      EXPECT_EQ(CurrentActor()->service, "leads");
    }
    EXPECT_EQ(CurrentActor()->user_id, 42);
  }
  EXPECT_FALSE(CurrentActor().has_value());
}

}  // namespace
}  // namespace crm::audit
