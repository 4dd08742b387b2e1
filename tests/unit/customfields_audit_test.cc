// Custom field values in the audit log (ValueChanges: the diff, named
// "custom_fields.<key>", sensitive values masked) and the contract money
// defaults (finance has the right, support does not; ADR 0085).
#include <gtest/gtest.h>

#include "common/customfields/audit_values.h"
#include "common/customfields/field_access.h"
#include "crm/orders/v1/orders.pb.h"

namespace crm::customfields {
namespace {

using audit::FieldChange;

Definition Def(const std::string& key, bool sensitive = false) {
  Definition d;
  d.entity_type = "contract";
  d.key = key;
  d.type = FieldType::kText;
  d.sensitive = sensitive;
  return d;
}

auth::Principal As(std::string role) {
  auth::Principal p;
  p.user_id = 7;
  p.roles = {std::move(role)};
  return p;
}

TEST(ValueChangesTest, AddedChangedRemovedInKeyOrder) {
  const std::vector<Definition> defs = {Def("grade"), Def("note"), Def("x")};
  std::vector<FieldChange> c =
      ValueChanges(defs, {{"grade", "A"}, {"note", "old"}, {"x", "same"}},
                   {{"grade", "B"}, {"tags", "t1"}, {"x", "same"}});
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], (FieldChange{"custom_fields.grade", "A", "B"}));
  EXPECT_EQ(c[1], (FieldChange{"custom_fields.note", "old", std::nullopt}));
  EXPECT_EQ(c[2], (FieldChange{"custom_fields.tags", std::nullopt, "t1"}));
  EXPECT_TRUE(ValueChanges(defs, {{"x", "1"}}, {{"x", "1"}}).empty());
  EXPECT_TRUE(ValueChanges(defs, {}, {}).empty());
}

TEST(ValueChangesTest, SensitiveValuesAreMasked) {
  const std::vector<Definition> defs = {Def("mobile", true), Def("plain")};
  std::vector<FieldChange> c =
      ValueChanges(defs, {{"mobile", "13812345678"}, {"plain", "13812345678"}},
                   {{"mobile", "13900001111"}});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], (FieldChange{"custom_fields.mobile", "138****5678",
                               "139****1111"}));
  // Not sensitive: as is (the audit masker still applies its own rules).
  EXPECT_EQ(c[1],
            (FieldChange{"custom_fields.plain", "13812345678", std::nullopt}));
}

TEST(ContractMoneyTest, FinanceHasTheRightSupportDoesNot) {
  FieldPolicy policy("contract", {}, {});
  for (const char* field : {"amount", "installments", "received"}) {
    EXPECT_TRUE(policy.IsSensitive(field)) << field;
    for (const char* role :
         {"finance", "sales_rep", "sales_manager", "boss", "admin"}) {
      EXPECT_EQ(policy.AccessFor(As(role), field), Access::kEditable)
          << role << " " << field;
    }
    for (const char* role : {"support_agent", "support_manager"})
      EXPECT_EQ(policy.AccessFor(As(role), field), Access::kMasked) << role;
  }
  EXPECT_EQ(policy.AccessFor(As("support_agent"), "title"), Access::kEditable);
  // Finance's right is to contract money only: other entities' sensitive
  // fields stay masked for finance.
  FieldPolicy opp("opportunity", {}, {});
  EXPECT_EQ(opp.AccessFor(As("finance"), "amount"), Access::kMasked);
  FieldPolicy custom("contract", {}, {"secret"});
  EXPECT_EQ(custom.AccessFor(As("finance"), "custom_fields.secret"),
            Access::kMasked);
  // A rule still overrides the default.
  FieldPolicy ruled("contract", {{"amount", "finance", Access::kHidden}}, {});
  EXPECT_EQ(ruled.AccessFor(As("finance"), "amount"), Access::kHidden);
}

TEST(ContractMoneyTest, ApplyReadClearsMoneyForSupport) {
  crm::orders::v1::Contract c;
  c.set_id(1);
  c.set_title("框架合同");
  c.mutable_amount()->set_amount_minor(120000);
  c.mutable_received()->set_amount_minor(1000);
  c.add_installments();
  FieldPolicy policy("contract", {}, {});
  crm::orders::v1::Contract fin = c;
  policy.ApplyRead(As("finance"), &fin);
  EXPECT_EQ(fin.amount().amount_minor(), 120000);
  EXPECT_EQ(fin.installments_size(), 1);
  policy.ApplyRead(As("support_agent"), &c);
  EXPECT_FALSE(c.has_amount());
  EXPECT_FALSE(c.has_received());
  EXPECT_EQ(c.installments_size(), 0);
  EXPECT_EQ(c.title(), "框架合同");
}

}  // namespace
}  // namespace crm::customfields
