// Record sharing (issue 10, ADR 0080) on opportunities, against the real
// MariaDB: the opportunities service with SharingService and AuditService
// over its schema (as main.cc serves them), accounts and identity
// in-process.
//
// Org: company > east (teams e1, e2) and north (team n1). The owner is a
// rep in e1 (seed 002: sharing an opportunity with a colleague).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/events/outbox.h"
#include "tests/testing/opportunities_harness.h"
#include "tests/testing/sharing_endpoint.h"

namespace crm {
namespace {

namespace pb = crm::opportunities::v1;
namespace spb = crm::sharing::v1;
using ::testing::HasSubstr;

class SharingOpportunitiesTest : public ::testing::Test {
 protected:
  SharingOpportunitiesTest()
      : share_(h_.schema().Pool(), h_.accounts().identity(),
               {"opportunity", "opportunities",
                events::StreamFor("opportunities")}) {
    owner_ = h_.User("owner_e1", "e1", "sales_rep");
    rep_e2_ = h_.User("rep_e2", "e2", "sales_rep");
    rep_n1_ = h_.User("rep_n1", "n1", "sales_rep");
    mgr_east_ = h_.User("mgr_east", "east", "sales_manager");
    mgr_north_ = h_.User("mgr_north", "north", "sales_manager");
    admin_ = h_.Admin();
    account_ = h_.Account(owner_.token, "共享商机客户");
    opp_ = h_.CreateOk(owner_.token, account_, "共享商机", 1'000'000);
  }

  grpc::Status Rename(const std::string& token, const std::string& name,
                      pb::Opportunity* out = nullptr) {
    pb::Opportunity o;
    o.set_id(opp_);
    o.set_name(name);
    return h_.Update(token, o, {"name"}, out);
  }
  grpc::Status Share(const std::string& token, int64_t grantee,
                     spb::ShareAccess access, const std::string& rid,
                     spb::Share* out = nullptr) {
    return share_.Share(token, opp_, grantee, access, rid, out);
  }

  testing::OpportunitiesHarness h_;
  testing::SharingEndpoint share_;
  testing::AccountsHarness::Login owner_, rep_e2_, rep_n1_, mgr_east_,
      mgr_north_;
  std::string admin_;
  int64_t account_ = 0;
  int64_t opp_ = 0;
};

TEST_F(SharingOpportunitiesTest, ReadShareGetsButDoesNotUpdate) {
  EXPECT_EQ(h_.Get(rep_n1_.token, opp_).error_code(), grpc::NOT_FOUND);
  ASSERT_TRUE(
      Share(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_READ, "r-1").ok());
  pb::Opportunity o;
  ASSERT_TRUE(h_.Get(rep_n1_.token, opp_, &o).ok());
  EXPECT_EQ(o.name(), "共享商机");
  EXPECT_EQ(o.owner_id(), owner_.user_id);
  grpc::Status s = Rename(rep_n1_.token, "改名");
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("read-only"));

  std::vector<spb::SharedRecord> shared;
  ASSERT_TRUE(share_.SharedWithMe(rep_n1_.token, &shared).ok());
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0].share().entity_type(), "opportunity");
  EXPECT_EQ(shared[0].share().entity_id(), opp_);
  EXPECT_EQ(shared[0].name(), "共享商机");
  EXPECT_EQ(shared[0].owner_id(), owner_.user_id);

  // The scope list stays the scope; the account is not shared with it.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep_n1_.token);
  pb::ListOpportunitiesRequest req;
  pb::ListOpportunitiesResponse resp;
  ASSERT_TRUE(h_.stub().ListOpportunities(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.opportunities_size(), 0);
  crm::accounts::v1::Account a;
  EXPECT_EQ(h_.accounts().GetAccount(rep_n1_.token, account_, &a).error_code(),
            grpc::NOT_FOUND);
}

TEST_F(SharingOpportunitiesTest, EditShareUpdatesButNeverReassignsOrMoves) {
  ASSERT_TRUE(
      Share(owner_.token, mgr_north_.user_id, spb::SHARE_ACCESS_EDIT, "e-1")
          .ok());
  pb::Opportunity updated;
  ASSERT_TRUE(Rename(mgr_north_.token, "北区协作改名", &updated).ok());
  EXPECT_EQ(updated.name(), "北区协作改名");
  EXPECT_EQ(updated.owner_id(), owner_.user_id);
  // A manager holding an EDIT share still cannot reassign the record.
  pb::Opportunity o;
  o.set_id(opp_);
  o.set_owner_id(rep_n1_.user_id);
  grpc::Status s = h_.Update(mgr_north_.token, o, {"owner_id"});
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("does not allow reassigning"));
  // Stage moves and closing stay with the owner's scope.
  EXPECT_EQ(h_.Move(mgr_north_.token, opp_, "needs").error_code(),
            grpc::NOT_FOUND);
  EXPECT_EQ(h_.Lost(mgr_north_.token, opp_, "price").error_code(),
            grpc::NOT_FOUND);

  ASSERT_TRUE(
      share_.Revoke(owner_.token, opp_, mgr_north_.user_id, "e-2").ok());
  EXPECT_EQ(h_.Get(mgr_north_.token, opp_).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Rename(mgr_north_.token, "再改").error_code(), grpc::NOT_FOUND);
}

TEST_F(SharingOpportunitiesTest, RolesBadInputAndRetries) {
  // Roles: a manager over it and the admin share; a manager elsewhere and
  // another rep see nothing; a READ grantee cannot grant EDIT.
  EXPECT_TRUE(
      Share(mgr_east_.token, rep_n1_.user_id, spb::SHARE_ACCESS_READ, "m-1")
          .ok());
  EXPECT_TRUE(
      Share(admin_, rep_e2_.user_id, spb::SHARE_ACCESS_EDIT, "a-1").ok());
  EXPECT_EQ(
      Share(mgr_north_.token, rep_n1_.user_id, spb::SHARE_ACCESS_READ, "m-2")
          .error_code(),
      grpc::NOT_FOUND);
  grpc::Status s =
      Share(rep_n1_.token, mgr_north_.user_id, spb::SHARE_ACCESS_EDIT, "g-1");
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("cannot grant EDIT"));
  // The EDIT grantee rep_e2 updates though a rep with no scope over it.
  EXPECT_TRUE(Rename(rep_e2_.token, "二组协作").ok());

  // Bad input.
  s = Share(owner_.token, owner_.user_id, spb::SHARE_ACCESS_READ, "b-1");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "grantee_id: cannot share with yourself");
  s = Share(owner_.token, 555555, spb::SHARE_ACCESS_READ, "b-2");
  EXPECT_EQ(s.error_code(), grpc::NOT_FOUND);
  s = Share(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_UNSPECIFIED,
            "b-3");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "access: must be READ or EDIT");
  s = Share(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_READ, "");
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("request_id"));

  // Retries: the same request id answers the first result, once audited.
  spb::Share first, retry;
  ASSERT_TRUE(Share(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_EDIT,
                    "i-1", &first)
                  .ok());
  ASSERT_TRUE(Share(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_EDIT,
                    "i-1", &retry)
                  .ok());
  EXPECT_EQ(first.SerializeAsString(), retry.SerializeAsString());
  EXPECT_EQ(h_.QueryInt("SELECT COUNT(*) AS c FROM audit_log WHERE request_id "
                        "= 'i-1'"),
            1);

  // Only the owner/manager/granter revoke.
  EXPECT_EQ(
      share_.Revoke(rep_n1_.token, opp_, rep_e2_.user_id, "v-1").error_code(),
      grpc::PERMISSION_DENIED);
  EXPECT_EQ(share_.Revoke(mgr_north_.token, opp_, rep_e2_.user_id, "v-2")
                .error_code(),
            grpc::NOT_FOUND);
  EXPECT_TRUE(share_.Revoke(owner_.token, opp_, rep_e2_.user_id, "v-3").ok());
  EXPECT_EQ(Rename(rep_e2_.token, "撤销后").error_code(), grpc::NOT_FOUND);
}

TEST_F(SharingOpportunitiesTest, AuditShowsShareAndRevokeOnTheOpportunity) {
  ASSERT_TRUE(
      Share(owner_.token, rep_n1_.user_id, spb::SHARE_ACCESS_EDIT, "au-1")
          .ok());
  ASSERT_TRUE(Rename(rep_n1_.token, "协作者改名").ok());
  ASSERT_TRUE(
      share_.Revoke(mgr_east_.token, opp_, rep_n1_.user_id, "au-2").ok());
  std::vector<std::string> actions;
  std::vector<crm::audit::v1::AuditEntry> entries =
      share_.Audit(mgr_east_.token, opp_);
  for (const auto& e : entries) actions.push_back(e.action());
  EXPECT_THAT(actions,
              ::testing::ElementsAre("create", "share", "update", "unshare"));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1].actor_id(), owner_.user_id);
  EXPECT_EQ(entries[1].request_id(), "au-1");
  EXPECT_EQ(entries[1].entity_type(), "opportunity");
  EXPECT_EQ(entries[1].changes(0).field(),
            absl::StrCat("shares.", rep_n1_.user_id));
  EXPECT_EQ(entries[1].changes(0).new_value(), "EDIT");
  // The grantee's own edit is recorded under the grantee.
  EXPECT_EQ(entries[2].actor_id(), rep_n1_.user_id);
  EXPECT_EQ(entries[3].actor_id(), mgr_east_.user_id);
  EXPECT_EQ(entries[3].request_id(), "au-2");
  EXPECT_EQ(entries[3].changes(0).old_value(), "EDIT");

  // Events for consumers (e.g. the grantee's inbox).
  auto shared = h_.Events("RecordShared");
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0]["entity_type"], "opportunity");
  EXPECT_EQ(shared[0]["entity_id"], opp_);
  EXPECT_EQ(shared[0]["grantee_id"], rep_n1_.user_id);
  EXPECT_EQ(shared[0]["access"], "EDIT");
  EXPECT_EQ(shared[0]["previous_access"], "NONE");
  EXPECT_EQ(shared[0]["actor_id"], owner_.user_id);
  EXPECT_EQ(shared[0]["owner_id"], owner_.user_id);
  auto revoked = h_.Events("RecordShareRevoked");
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0]["access"], "NONE");
  EXPECT_EQ(revoked[0]["actor_id"], mgr_east_.user_id);
}

}  // namespace
}  // namespace crm
