// Record sharing (issue 10, ADR 0080) on accounts, against the real
// MariaDB: the accounts service with SharingService and AuditService over
// its schema (as main.cc serves them) and identity in-process.
//
// Org (AccountsHarness): company > east (teams e1, e2) and north (team n1).
// The owner is a rep in e1; grantees sit outside the owner's subtree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/events/outbox.h"
#include "tests/testing/accounts_harness.h"
#include "tests/testing/sharing_endpoint.h"

namespace crm {
namespace {

namespace pb = crm::accounts::v1;
namespace spb = crm::sharing::v1;
using ::testing::HasSubstr;

class SharingAccountsTest : public ::testing::Test {
 protected:
  SharingAccountsTest()
      : share_(h_.schema().Pool(), h_.identity(),
               {"account", "accounts", events::StreamFor("accounts")}) {
    owner_ = h_.User("owner_e1", "e1", "sales_rep");
    rep_e2_ = h_.User("rep_e2", "e2", "sales_rep");
    rep_n1_ = h_.User("rep_n1", "n1", "sales_rep");
    mgr_east_ = h_.User("mgr_east", "east", "sales_manager");
    mgr_north_ = h_.User("mgr_north", "north", "sales_manager");
    admin_ = h_.Admin();
    account_ = h_.CreateAccountOk(
        owner_.token,
        testing::CompanyDraft("共享测试客户", testing::CreditCode(101)));
  }

  grpc::Status Get(const std::string& token, int64_t id,
                   pb::Account* out = nullptr) {
    pb::Account ignored;
    return h_.GetAccount(token, id, out ? out : &ignored);
  }
  grpc::Status Rename(const std::string& token, int64_t id,
                      const std::string& name, pb::Account* out = nullptr) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::UpdateAccountRequest req;
    req.mutable_account()->set_id(id);
    req.mutable_account()->set_name(name);
    req.mutable_update_mask()->add_paths("name");
    pb::Account ignored;
    return h_.stub().UpdateAccount(&ctx, req, out ? out : &ignored);
  }
  std::vector<spb::SharedRecord> SharedWith(const std::string& token) {
    std::vector<spb::SharedRecord> out;
    grpc::Status s = share_.SharedWithMe(token, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status ShareOk(const std::string& token, int64_t grantee,
                       spb::ShareAccess access, const std::string& rid) {
    spb::Share out;
    grpc::Status s = share_.Share(token, account_, grantee, access, rid, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s;
  }

  testing::AccountsHarness h_;
  testing::SharingEndpoint share_;
  testing::AccountsHarness::Login owner_, rep_e2_, rep_n1_, mgr_east_,
      mgr_north_;
  std::string admin_;
  int64_t account_ = 0;
};

TEST_F(SharingAccountsTest, ReadShareLetsTheGranteeGetButNotUpdate) {
  // Outside the grantee's scope: NOT_FOUND before the share.
  EXPECT_EQ(Get(rep_n1_.token, account_).error_code(), grpc::NOT_FOUND);

  spb::Share s;
  ASSERT_TRUE(share_
                  .Share(owner_.token, account_, rep_n1_.user_id,
                         spb::SHARE_ACCESS_READ, "share-read-1", &s)
                  .ok());
  EXPECT_GT(s.id(), 0);
  EXPECT_EQ(s.entity_type(), "account");
  EXPECT_EQ(s.entity_id(), account_);
  EXPECT_EQ(s.grantee_id(), rep_n1_.user_id);
  EXPECT_EQ(s.access(), spb::SHARE_ACCESS_READ);
  EXPECT_TRUE(s.active());
  EXPECT_EQ(s.granted_by(), owner_.user_id);
  EXPECT_GT(s.grant_time().seconds(), 0);

  pb::Account a;
  ASSERT_TRUE(Get(rep_n1_.token, account_, &a).ok());
  EXPECT_EQ(a.name(), "共享测试客户");
  EXPECT_EQ(a.owner_id(), owner_.user_id);  // ownership unchanged

  // READ: the update is PERMISSION_DENIED (the grantee knows the record
  // exists, so NOT_FOUND would mislead).
  grpc::Status up = Rename(rep_n1_.token, account_, "改名");
  EXPECT_EQ(up.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_THAT(up.error_message(), HasSubstr("shared with you read-only"));
  EXPECT_EQ(h_.GetAccountOk(account_).name(), "共享测试客户");

  // Listed under shared-with-me, with the name and the owner.
  auto shared = SharedWith(rep_n1_.token);
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0].share().entity_id(), account_);
  EXPECT_EQ(shared[0].name(), "共享测试客户");
  EXPECT_EQ(shared[0].owner_id(), owner_.user_id);
  EXPECT_TRUE(SharedWith(rep_e2_.token).empty());

  // Others are unaffected.
  EXPECT_EQ(Get(rep_e2_.token, account_).error_code(), grpc::NOT_FOUND);
}

TEST_F(SharingAccountsTest, EditShareAllowsUpdateAndRevokeEndsIt) {
  ShareOk(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_EDIT, "share-e-1");
  pb::Account updated;
  ASSERT_TRUE(Rename(rep_n1_.token, account_, "改名后的客户", &updated).ok());
  EXPECT_EQ(updated.name(), "改名后的客户");
  EXPECT_EQ(updated.owner_id(), owner_.user_id);

  spb::Share revoked;
  ASSERT_TRUE(share_
                  .Revoke(owner_.token, account_, rep_n1_.user_id, "revoke-e-1",
                          &revoked)
                  .ok());
  EXPECT_FALSE(revoked.active());
  EXPECT_EQ(revoked.revoked_by(), owner_.user_id);
  EXPECT_GT(revoked.revoke_time().seconds(), 0);

  // Revoked: NOT_FOUND again (ADR 0002), and gone from shared-with-me.
  EXPECT_EQ(Get(rep_n1_.token, account_).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Rename(rep_n1_.token, account_, "再改").error_code(),
            grpc::NOT_FOUND);
  EXPECT_TRUE(SharedWith(rep_n1_.token).empty());

  // ListShares: active only by default; the revoked one on request.
  spb::ListSharesResponse list;
  ASSERT_TRUE(share_.List(owner_.token, account_, &list).ok());
  EXPECT_EQ(list.shares_size(), 0);
  ASSERT_TRUE(share_.List(owner_.token, account_, &list, true).ok());
  ASSERT_EQ(list.shares_size(), 1);
  EXPECT_FALSE(list.shares(0).active());

  // Sharing again brings the same row back.
  spb::Share again;
  ASSERT_TRUE(share_
                  .Share(owner_.token, account_, rep_n1_.user_id,
                         spb::SHARE_ACCESS_READ, "share-e-2", &again)
                  .ok());
  EXPECT_EQ(again.id(), revoked.id());
  EXPECT_TRUE(again.active());
  EXPECT_EQ(again.revoked_by(), 0);
  EXPECT_TRUE(Get(rep_n1_.token, account_).ok());
}

TEST_F(SharingAccountsTest, ResharingUpgradesAndDowngrades) {
  ShareOk(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_READ, "up-1");
  EXPECT_EQ(Rename(rep_n1_.token, account_, "甲").error_code(),
            grpc::PERMISSION_DENIED);
  ShareOk(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_EDIT, "up-2");
  EXPECT_TRUE(Rename(rep_n1_.token, account_, "甲").ok());
  ShareOk(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_READ, "up-3");
  EXPECT_EQ(Rename(rep_n1_.token, account_, "乙").error_code(),
            grpc::PERMISSION_DENIED);
  spb::ListSharesResponse list;
  ASSERT_TRUE(share_.List(owner_.token, account_, &list).ok());
  ASSERT_EQ(list.shares_size(), 1);  // one row per grantee
  EXPECT_EQ(list.shares(0).access(), spb::SHARE_ACCESS_READ);
}

TEST_F(SharingAccountsTest, WhoMayShareAcrossRoles) {
  // A manager over the record may share it; one elsewhere, or another rep,
  // cannot even see it.
  EXPECT_TRUE(share_
                  .Share(mgr_east_.token, account_, rep_n1_.user_id,
                         spb::SHARE_ACCESS_EDIT, "mgr-1")
                  .ok());
  EXPECT_EQ(share_
                .Share(mgr_north_.token, account_, rep_e2_.user_id,
                       spb::SHARE_ACCESS_READ, "mgr-2")
                .error_code(),
            grpc::NOT_FOUND);
  EXPECT_EQ(share_
                .Share(rep_e2_.token, account_, rep_n1_.user_id,
                       spb::SHARE_ACCESS_READ, "rep-1")
                .error_code(),
            grpc::NOT_FOUND);
  // The admin may.
  EXPECT_TRUE(share_
                  .Share(admin_, account_, mgr_north_.user_id,
                         spb::SHARE_ACCESS_READ, "adm-1")
                  .ok());
  // A READ grantee cannot grant EDIT; no grantee re-shares.
  grpc::Status s = share_.Share(mgr_north_.token, account_, rep_e2_.user_id,
                                spb::SHARE_ACCESS_EDIT, "mgr-3");
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("cannot grant EDIT"));
  s = share_.Share(mgr_north_.token, account_, rep_e2_.user_id,
                   spb::SHARE_ACCESS_READ, "mgr-4");
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED);
  s = share_.Share(rep_n1_.token, account_, rep_e2_.user_id,
                   spb::SHARE_ACCESS_READ, "rep-2");
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("only the owner"));

  // Grantees cannot list the shares; strangers get NOT_FOUND.
  spb::ListSharesResponse list;
  EXPECT_EQ(share_.List(rep_n1_.token, account_, &list).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(share_.List(rep_e2_.token, account_, &list).error_code(),
            grpc::NOT_FOUND);
  ASSERT_TRUE(share_.List(mgr_east_.token, account_, &list).ok());
  EXPECT_EQ(list.shares_size(), 2);

  // Revoking: the grantee may not, a stranger sees nothing, the granter
  // (manager) and the owner may.
  EXPECT_EQ(share_.Revoke(rep_n1_.token, account_, rep_n1_.user_id, "rv-1")
                .error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(share_.Revoke(rep_e2_.token, account_, rep_n1_.user_id, "rv-2")
                .error_code(),
            grpc::NOT_FOUND);
  EXPECT_TRUE(
      share_.Revoke(mgr_east_.token, account_, rep_n1_.user_id, "rv-3").ok());
  EXPECT_TRUE(
      share_.Revoke(owner_.token, account_, mgr_north_.user_id, "rv-4").ok());
  EXPECT_EQ(Get(mgr_north_.token, account_).error_code(), grpc::NOT_FOUND);
}

TEST_F(SharingAccountsTest, BadInput) {
  auto code = [&](int64_t entity, int64_t grantee, int access,
                  const std::string& rid) {
    grpc::Status s = share_.Share(owner_.token, entity, grantee,
                                  static_cast<spb::ShareAccess>(access), rid);
    return std::make_pair(s.error_code(), s.error_message());
  };
  // Unknown and deactivated users.
  auto r = code(account_, 987654, 1, "bad-1");
  EXPECT_EQ(r.first, grpc::NOT_FOUND);
  EXPECT_EQ(r.second, "user 987654 not found");
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin_);
    crm::identity::v1::DeactivateUserRequest req;
    req.set_id(rep_e2_.user_id);
    crm::identity::v1::User u;
    ASSERT_TRUE(h_.identity().stub().DeactivateUser(&ctx, req, &u).ok());
  }
  r = code(account_, rep_e2_.user_id, 1, "bad-2");
  EXPECT_EQ(r.first, grpc::FAILED_PRECONDITION);
  EXPECT_THAT(r.second, HasSubstr("deactivated"));
  // Self, and the owner (shared by a manager).
  r = code(account_, owner_.user_id, 1, "bad-3");
  EXPECT_EQ(r.first, grpc::INVALID_ARGUMENT);
  EXPECT_EQ(r.second, "grantee_id: cannot share with yourself");
  grpc::Status s = share_.Share(mgr_east_.token, account_, owner_.user_id,
                                spb::SHARE_ACCESS_READ, "bad-4");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("grantee_id: user"));
  // Access values.
  for (int access : {0, 3, -1}) {
    r = code(account_, rep_n1_.user_id, access, "bad-5");
    EXPECT_EQ(r.first, grpc::INVALID_ARGUMENT) << access;
    EXPECT_EQ(r.second, "access: must be READ or EDIT");
  }
  // request_id: required, and the shared rule.
  r = code(account_, rep_n1_.user_id, 1, "");
  EXPECT_EQ(r.first, grpc::INVALID_ARGUMENT);
  EXPECT_THAT(r.second, HasSubstr("request_id: required"));
  r = code(account_, rep_n1_.user_id, 1, std::string(65, 'x'));
  EXPECT_EQ(r.first, grpc::INVALID_ARGUMENT);
  EXPECT_THAT(r.second, HasSubstr("request_id"));
  s = share_.Revoke(owner_.token, account_, rep_n1_.user_id, "");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  // Ids.
  r = code(0, rep_n1_.user_id, 1, "bad-6");
  EXPECT_EQ(r.first, grpc::INVALID_ARGUMENT);
  EXPECT_THAT(r.second, HasSubstr("entity_id"));
  r = code(account_, 0, 1, "bad-7");
  EXPECT_EQ(r.first, grpc::INVALID_ARGUMENT);
  EXPECT_THAT(r.second, HasSubstr("grantee_id"));
  r = code(account_ + 1000, rep_n1_.user_id, 1, "bad-8");
  EXPECT_EQ(r.first, grpc::NOT_FOUND);
  // An entity type this service does not share.
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, owner_.token);
    spb::ShareRecordRequest req;
    req.set_entity_type("opportunity");
    req.set_entity_id(account_);
    req.set_grantee_id(rep_n1_.user_id);
    req.set_access(spb::SHARE_ACCESS_READ);
    req.set_request_id("bad-9");
    spb::Share out;
    s = share_.stub().ShareRecord(&ctx, req, &out);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("entity_type"));
  }
  // Revoking a share that never existed.
  s = share_.Revoke(owner_.token, account_, rep_n1_.user_id, "bad-10");
  EXPECT_EQ(s.error_code(), grpc::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("has no share"));
  // A public-pool account has no owner to share it.
  int64_t pooled = 0;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, admin_);
    pb::CreatePoolRequest req;
    req.mutable_pool()->set_name("华东公海");
    req.mutable_pool()->set_region_code("east");
    pb::Pool pool;
    ASSERT_TRUE(h_.stub().CreatePool(&ctx, req, &pool).ok());
    pooled = h_.CreateAccountOk(
        admin_, testing::CompanyDraft("公海客户", testing::CreditCode(102)),
        pool.id());
  }
  s = share_.Share(admin_, pooled, rep_n1_.user_id, spb::SHARE_ACCESS_READ,
                   "bad-11");
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  // Nothing was written by any of these.
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM record_share", "n"), 0);
}

TEST_F(SharingAccountsTest, RetriesReturnTheFirstResult) {
  spb::Share first, retry;
  ASSERT_TRUE(share_
                  .Share(owner_.token, account_, rep_n1_.user_id,
                         spb::SHARE_ACCESS_READ, "idem-1", &first)
                  .ok());
  ASSERT_TRUE(share_
                  .Share(owner_.token, account_, rep_n1_.user_id,
                         spb::SHARE_ACCESS_READ, "idem-1", &retry)
                  .ok());
  EXPECT_EQ(retry.id(), first.id());
  EXPECT_EQ(retry.access(), spb::SHARE_ACCESS_READ);
  ShareOk(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_EDIT, "idem-2");
  // A late retry of the first call still answers what that call did.
  ASSERT_TRUE(share_
                  .Share(owner_.token, account_, rep_n1_.user_id,
                         spb::SHARE_ACCESS_READ, "idem-1", &retry)
                  .ok());
  EXPECT_EQ(retry.access(), spb::SHARE_ACCESS_READ);
  EXPECT_TRUE(Rename(rep_n1_.token, account_, "仍可编辑").ok());  // EDIT stays
  // The same id for another grantee is refused.
  grpc::Status s = share_.Share(owner_.token, account_, rep_e2_.user_id,
                                spb::SHARE_ACCESS_READ, "idem-1");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));
  // Revoke twice with one id: one revoke.
  ASSERT_TRUE(
      share_.Revoke(owner_.token, account_, rep_n1_.user_id, "idem-3").ok());
  spb::Share again;
  ASSERT_TRUE(
      share_.Revoke(owner_.token, account_, rep_n1_.user_id, "idem-3", &again)
          .ok());
  EXPECT_FALSE(again.active());
  // One audit entry per change: share READ, share EDIT, revoke.
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM audit_log WHERE "
                        "action IN ('share', 'unshare')",
                        "n"),
            3);
  // And one event per change for consumers (the grantee's inbox).
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM outbox WHERE event_type = "
                        "'RecordShared' AND stream = 'events:accounts'",
                        "n"),
            2);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM outbox WHERE event_type = "
                        "'RecordShareRevoked'",
                        "n"),
            1);
}

TEST_F(SharingAccountsTest, ShareAndRevokeAreInTheAuditLog) {
  ShareOk(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_READ, "aud-1");
  ShareOk(mgr_east_.token, rep_n1_.user_id, spb::SHARE_ACCESS_EDIT, "aud-2");
  ASSERT_TRUE(
      share_.Revoke(owner_.token, account_, rep_n1_.user_id, "aud-3").ok());

  for (const std::string& viewer : {admin_, mgr_east_.token}) {
    std::vector<crm::audit::v1::AuditEntry> entries;
    for (const auto& e : share_.Audit(viewer, account_))
      if (e.action() == "share" || e.action() == "unshare")
        entries.push_back(e);
    ASSERT_EQ(entries.size(), 3u);
    const std::string field = absl::StrCat("shares.", rep_n1_.user_id);
    EXPECT_EQ(entries[0].action(), "share");
    EXPECT_EQ(entries[0].actor_id(), owner_.user_id);
    EXPECT_EQ(entries[0].request_id(), "aud-1");
    EXPECT_EQ(entries[0].entity_id(), absl::StrCat(account_));
    EXPECT_EQ(entries[0].owner_id(), owner_.user_id);
    ASSERT_EQ(entries[0].changes_size(), 1);
    EXPECT_EQ(entries[0].changes(0).field(), field);
    EXPECT_FALSE(entries[0].changes(0).has_old());
    EXPECT_EQ(entries[0].changes(0).new_value(), "READ");
    EXPECT_EQ(entries[1].actor_id(), mgr_east_.user_id);
    EXPECT_EQ(entries[1].request_id(), "aud-2");
    EXPECT_EQ(entries[1].changes(0).old_value(), "READ");
    EXPECT_EQ(entries[1].changes(0).new_value(), "EDIT");
    EXPECT_EQ(entries[2].action(), "unshare");
    EXPECT_EQ(entries[2].actor_id(), owner_.user_id);
    EXPECT_EQ(entries[2].request_id(), "aud-3");
    EXPECT_EQ(entries[2].changes(0).old_value(), "EDIT");
    EXPECT_FALSE(entries[2].changes(0).has_new());
  }
}

TEST_F(SharingAccountsTest, ShareIsNotOwnership) {
  ShareOk(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_EDIT, "own-1");
  ShareOk(owner_.token, mgr_north_.user_id, spb::SHARE_ACCESS_EDIT, "own-2");
  // No claim, release, assign or lock through a share.
  EXPECT_EQ(h_.Claim(rep_n1_.token, account_).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(h_.Release(rep_n1_.token, account_, "不想要了").error_code(),
            grpc::NOT_FOUND);
  EXPECT_EQ(h_.Release(mgr_north_.token, account_, "不想要了").error_code(),
            grpc::NOT_FOUND);
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, mgr_north_.token);
    pb::AssignAccountRequest req;
    req.set_account_id(account_);
    req.set_owner_id(rep_n1_.user_id);
    req.set_reason("调整");
    pb::Account out;
    EXPECT_EQ(h_.stub().AssignAccount(&ctx, req, &out).error_code(),
              grpc::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, rep_n1_.token);
    pb::LockAccountRequest req;
    req.set_account_id(account_);
    pb::Account out;
    EXPECT_NE(h_.stub().LockAccount(&ctx, req, &out).error_code(), grpc::OK);
  }
  // The owner is unchanged and the grantee owns nothing (a share does not
  // count toward the private pool's capacity, which counts owned accounts).
  EXPECT_EQ(h_.GetAccountOk(account_).owner_id(), owner_.user_id);
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS n FROM accounts WHERE owner_id = ?",
                        "n", {rep_n1_.user_id}),
            0);
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_n1_.token);
  pb::ListAccountsRequest req;
  pb::ListAccountsResponse resp;
  ASSERT_TRUE(h_.stub().ListAccounts(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.accounts_size(), 0);  // the scope list stays the scope
}

TEST_F(SharingAccountsTest, SharedWithMePagesInRecordOrder) {
  std::vector<int64_t> ids = {account_};
  for (int i = 0; i < 4; ++i) {
    ids.push_back(h_.CreateAccountOk(
        owner_.token, testing::CompanyDraft(absl::StrCat("分页客户", i),
                                            testing::CreditCode(110 + i))));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(share_
                    .Share(owner_.token, ids[i], rep_n1_.user_id,
                           spb::SHARE_ACCESS_READ, absl::StrCat("pg-", i))
                    .ok());
  }
  ASSERT_TRUE(
      share_.Revoke(owner_.token, ids[2], rep_n1_.user_id, "pg-r").ok());
  auto shared = SharedWith(rep_n1_.token);  // pages of 2
  std::vector<int64_t> got;
  for (const auto& r : shared) got.push_back(r.share().entity_id());
  EXPECT_EQ(got, (std::vector<int64_t>{ids[0], ids[1], ids[3], ids[4]}));
  // A bad page token is INVALID_ARGUMENT.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_n1_.token);
  spb::ListSharedWithMeRequest req;
  req.set_page_token("garbage");
  spb::ListSharedWithMeResponse resp;
  EXPECT_EQ(share_.stub().ListSharedWithMe(&ctx, req, &resp).error_code(),
            grpc::INVALID_ARGUMENT);
}

TEST_F(SharingAccountsTest, ListSharedWithMeUsesTheGranteeIndex) {
  auto conn = h_.schema().Pool()->Borrow();
  ASSERT_TRUE(conn.ok());
  auto rows = (*conn)->Query(
      "EXPLAIN SELECT s.id FROM record_share s JOIN accounts r ON r.id = "
      "s.entity_id WHERE s.grantee_id = ? AND s.entity_type = ? AND "
      "s.active = 1 AND s.entity_id > ? ORDER BY s.entity_id LIMIT 50",
      {int64_t{1}, std::string("account"), int64_t{0}});
  ASSERT_TRUE(rows.ok()) << rows.status();
  bool uses_index = false;
  for (const auto& row : *rows) {
    if (row.String("table") == "s")
      uses_index = row.String("key") == "idx_record_share_grantee";
  }
  EXPECT_TRUE(uses_index);
}

}  // namespace
}  // namespace crm
