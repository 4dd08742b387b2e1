// Custom field value changes of accounts are audited (issue 10): the
// message diff of the account store never saw custom_fields, so
// common/customfields appends the entry where values are written (ADR
// 0085). The same code serves leads, opportunities, contracts and tickets.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "tests/testing/accounts_harness.h"
#include "tests/testing/customfields_fixture.h"

namespace crm {
namespace {

namespace pb = crm::accounts::v1;

TEST(CustomFieldsAuditAccountsTest, EveryValueChangeIsAnAuditEntry) {
  testing::AccountsHarness h;
  testing::CustomFieldHost cf(h.schema().Pool(), h.identity().shared_clock(),
                              {{"account", pb::Account::descriptor()}});
  const std::string admin = h.Admin();
  testing::AccountsHarness::Login rep = h.User("rep.a", "e1", "sales_rep");
  testing::DefineStandardFields(cf, admin, "account");

  pb::Account a =
      testing::CompanyDraft("上海星河贸易有限公司", testing::CreditCode(1));
  for (const auto& [k, v] : testing::GoodValues())
    (*a.mutable_custom_fields())[k] = v;
  const int64_t id = h.CreateAccountOk(rep.token, a);
  pb::UpdateAccountRequest up;
  up.mutable_account()->set_id(id);
  (*up.mutable_account()->mutable_custom_fields())["grade"] = "银牌";
  (*up.mutable_account()->mutable_custom_fields())["secret"] = "13900001111";
  up.mutable_update_mask()->add_paths("custom_fields");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep.token);
    pb::Account out;
    grpc::Status s = h.stub().UpdateAccount(&ctx, up, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::string where = absl::StrCat(
      "FROM audit_log WHERE entity_type = 'account' AND entity_id = '", id,
      "' AND action = 'update' AND changes LIKE '%custom_fields.%'");
  // The values of the create, then the update; by the rep, owned by the rep.
  EXPECT_EQ(h.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                                    " AND actor_id = ", rep.user_id,
                                    " AND owner_id = ", rep.user_id),
                       "c"),
            2);
  EXPECT_EQ(h.QueryInt(absl::StrCat("SELECT COUNT(*) AS c ", where,
                                    " AND changes LIKE '%\"o\":\"金牌\"%' AND "
                                    "changes LIKE '%\"n\":\"银牌\"%' AND "
                                    "changes LIKE '%139****1111%'"),
                       "c"),
            1);
  EXPECT_EQ(h.QueryInt("SELECT COUNT(*) AS c FROM audit_log WHERE changes "
                       "LIKE '%13900001111%' OR changes LIKE '%13812345678%'",
                       "c"),
            0);
}

}  // namespace
}  // namespace crm
