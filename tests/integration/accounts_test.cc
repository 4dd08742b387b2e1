// The accounts API against real MariaDB and Redis, with identity in-process:
// unique identification, duplicates, pools, claims (including the race),
// release, assignment, transfer and history.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/client/client.h"
#include "common/validate/credit_code.h"
#include "tests/testing/accounts_harness.h"

namespace crm::accounts {
namespace {

namespace pb = crm::accounts::v1;
using testing::AccountsHarness;
using testing::CreditCode;
using ::testing::HasSubstr;

class AccountsTest : public ::testing::Test {
 protected:
  grpc::Status Create(const std::string& token, pb::Account account,
                      pb::CreateAccountResponse* out, int64_t pool_id = 0,
                      bool ignore_similar = false,
                      const std::string& request_id = "") {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::CreateAccountRequest req;
    *req.mutable_account() = std::move(account);
    req.set_pool_id(pool_id);
    req.set_ignore_similar(ignore_similar);
    req.set_request_id(request_id);
    return h_.stub().CreateAccount(&ctx, req, out);
  }

  static pb::Account Company(const std::string& name, int code,
                             const std::string& region = "east") {
    return testing::CompanyDraft(name, CreditCode(code), region);
  }

  int64_t EastPool(int daily_limit = 0, int capacity = 0,
                   int cooldown_days = 7) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, h_.Admin());
    pb::CreatePoolRequest req;
    req.mutable_pool()->set_name(absl::StrCat("华东公海 ", ++pool_seq_));
    req.mutable_pool()->set_region_code("east");
    req.mutable_pool()->mutable_claim_rules()->set_daily_claim_limit(
        daily_limit);
    req.mutable_pool()->mutable_claim_rules()->set_private_capacity(capacity);
    req.mutable_pool()->mutable_claim_rules()->set_former_owner_cooldown_days(
        cooldown_days);
    pb::Pool pool;
    grpc::Status s = h_.stub().CreatePool(&ctx, req, &pool);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return pool.id();
  }

  int64_t PooledAccount(int64_t pool_id, const std::string& name, int code) {
    pb::CreateAccountResponse out;
    grpc::Status s =
        Create(h_.Admin(), Company(name, code), &out, pool_id, true);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.account().id();
  }

  AccountsHarness h_;
  int pool_seq_ = 0;
};

TEST_F(AccountsTest, CreditCodeIsValidatedAndUnique) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  pb::CreateAccountResponse out;
  ASSERT_TRUE(Create(rep.token, Company("上海星河贸易有限公司", 1), &out).ok());
  EXPECT_EQ(out.account().owner_id(), rep.user_id);
  EXPECT_EQ(out.account().region_code(), "east");
  EXPECT_EQ(out.account().status(), pb::ACCOUNT_STATUS_NEW);
  const int64_t first = out.account().id();

  pb::Account bad = Company("坏代码公司", 2);
  bad.set_credit_code("91310000MA1000002X");
  grpc::Status s = Create(rep.token, bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("credit_code"));

  pb::Account missing = Company("没有代码公司", 3);
  missing.clear_credit_code();
  EXPECT_EQ(Create(rep.token, missing, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // The same code again (lower case, full-width spaces around) is the same
  // company.
  auto other = h_.User("rep.b", "e2", "sales_rep");
  pb::Account dup = Company("完全不同的名字", 1);
  dup.set_credit_code(absl::AsciiStrToLower(CreditCode(1)));
  s = Create(other.token, dup, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat("account ", first)));
  // rep.b may not see rep.a's account, so the owner is not named.
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("owned by")));
  auto lead = h_.User("lead.east", "east", "sales_manager");
  s = Create(lead.token, dup, &out);
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat("owned by user ", rep.user_id)));
}

TEST_F(AccountsTest, PersonPhoneIsNormalizedAndUnique) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  pb::Account person;
  person.set_kind(pb::ACCOUNT_KIND_PERSON);
  person.set_name("张三");
  person.set_phone("139-2468-1357");
  pb::CreateAccountResponse out;
  grpc::Status created = Create(rep.token, person, &out);
  ASSERT_TRUE(created.ok()) << created.error_message();
  EXPECT_EQ(out.account().phone(), "+8613924681357");
  person.set_name("张三丰");
  person.set_phone("+86 139 2468 1357");
  grpc::Status s = Create(rep.token, person, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("phone"));
  person.set_phone("13800000000");
  EXPECT_EQ(Create(rep.token, person, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AccountsTest, SimilarNamesWarnUnlessOverridden) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  pb::CreateAccountResponse out;
  ASSERT_TRUE(
      Create(rep.token, Company("北京字节跳动科技有限公司", 10), &out).ok());
  const int64_t first = out.account().id();
  grpc::Status s =
      Create(rep.token, Company("字节跳动科技（北京）有限公司", 11), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr(absl::StrCat(first)));
  EXPECT_THAT(s.error_message(), HasSubstr("ignore_similar"));
  pb::CreateAccountResponse overridden;
  ASSERT_TRUE(Create(rep.token, Company("字节跳动科技（北京）有限公司", 11),
                     &overridden, 0, true)
                  .ok());
  ASSERT_GE(overridden.similar_size(), 1);
  EXPECT_EQ(overridden.similar(0).account_id(), first);
  EXPECT_FALSE(overridden.similar(0).exact());
  // Unrelated names pass without a warning.
  EXPECT_TRUE(
      Create(rep.token, Company("杭州西湖茶叶有限公司", 12), &out).ok());

  grpc::ClientContext ctx;
  client::Prepare(&ctx, rep.token);
  pb::CheckDuplicatesRequest req;
  *req.mutable_draft() = Company("字节跳动(北京)科技有限公司", 10);
  pb::CheckDuplicatesResponse dups;
  ASSERT_TRUE(h_.stub().CheckDuplicates(&ctx, req, &dups).ok());
  ASSERT_GE(dups.candidates_size(), 2);
  EXPECT_TRUE(dups.candidates(0).exact());  // the same credit code ranks first
  EXPECT_EQ(dups.candidates(0).match(), "credit_code");
  EXPECT_EQ(dups.candidates(0).account_id(), first);
}

TEST_F(AccountsTest, CreateIsIdempotentPerRequestId) {
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  pb::CreateAccountResponse a, b;
  ASSERT_TRUE(
      Create(rep.token, Company("幂等公司", 20), &a, 0, false, "req-1").ok());
  ASSERT_TRUE(
      Create(rep.token, Company("幂等公司", 20), &b, 0, false, "req-1").ok());
  EXPECT_EQ(a.account().id(), b.account().id());
}

TEST_F(AccountsTest, ClaimReleaseAndTheProtectionPeriod) {
  const int64_t pool = EastPool();
  const int64_t id = PooledAccount(pool, "公海客户一号有限公司", 30);
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto peer = h_.User("rep.b", "e2", "sales_rep");
  auto north = h_.User("rep.n", "n1", "sales_rep");

  grpc::Status s = h_.Claim(north.token, id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("cross-region"));

  pb::Account claimed;
  ASSERT_TRUE(h_.Claim(rep.token, id, &claimed).ok());
  EXPECT_EQ(claimed.owner_id(), rep.user_id);
  EXPECT_EQ(claimed.pool_id(), 0);
  EXPECT_EQ(claimed.status(), pb::ACCOUNT_STATUS_FOLLOWING);
  EXPECT_TRUE(h_.Claim(rep.token, id).ok());  // mine already: no-op
  EXPECT_EQ(h_.Claim(peer.token, id).error_code(),
            grpc::StatusCode::NOT_FOUND);  // private now

  EXPECT_EQ(h_.Release(rep.token, id, "").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(h_.Release(peer.token, id, "not mine").error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(h_.Release(rep.token, id, "客户暂无需求", pool).ok());
  s = h_.Claim(rep.token, id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("protection period"));
  EXPECT_TRUE(h_.Claim(peer.token, id).ok());  // someone else may
  ASSERT_TRUE(h_.Release(h_.User("rep.b", "e2", "sales_rep").token, id,
                         "换人跟进", pool)
                  .ok());
  h_.clock().Advance(absl::Hours(24 * 8));
  EXPECT_TRUE(h_.Claim(h_.User("rep.a", "e1", "sales_rep").token, id).ok());

  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.User("rep.a", "e1", "sales_rep").token);
  pb::ListPoolHistoryRequest req;
  req.set_account_id(id);
  pb::ListPoolHistoryResponse history;
  ASSERT_TRUE(h_.stub().ListPoolHistory(&ctx, req, &history).ok());
  std::vector<pb::PoolMoveKind> kinds;
  for (const auto& m : history.moves()) kinds.push_back(m.kind());
  EXPECT_THAT(kinds, ::testing::ElementsAre(
                         pb::POOL_MOVE_KIND_CREATE, pb::POOL_MOVE_KIND_CLAIM,
                         pb::POOL_MOVE_KIND_RELEASE, pb::POOL_MOVE_KIND_CLAIM,
                         pb::POOL_MOVE_KIND_RELEASE, pb::POOL_MOVE_KIND_CLAIM));
  EXPECT_EQ(history.moves(2).reason(), "客户暂无需求");
  EXPECT_EQ(history.moves(2).from_owner_id(), rep.user_id);
}

TEST_F(AccountsTest, CapacityAndDailyLimit) {
  const int64_t capped = EastPool(/*daily_limit=*/0, /*capacity=*/2);
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  const int64_t a = PooledAccount(capped, "容量一号公司", 40);
  const int64_t b = PooledAccount(capped, "容量二号公司", 41);
  const int64_t c = PooledAccount(capped, "容量三号公司", 42);
  ASSERT_TRUE(h_.Claim(rep.token, a).ok());
  ASSERT_TRUE(h_.Claim(rep.token, b).ok());
  grpc::Status s = h_.Claim(rep.token, c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("private pool full"));

  const int64_t limited = EastPool(/*daily_limit=*/1, /*capacity=*/0);
  auto rep2 = h_.User("rep.b", "e2", "sales_rep");
  const int64_t d = PooledAccount(limited, "限额一号公司", 43);
  const int64_t e = PooledAccount(limited, "限额二号公司", 44);
  ASSERT_TRUE(h_.Claim(rep2.token, d).ok());
  s = h_.Claim(rep2.token, e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("daily claim limit"));
  h_.clock().Advance(absl::Hours(24));
  EXPECT_TRUE(h_.Claim(h_.User("rep.b", "e2", "sales_rep").token, e).ok());
}

// 16 reps claim the same account at once, 100 times over: exactly one wins
// each round, the others are told why, and the counts add up.
void RaceRounds(AccountsHarness& h, AccountsTest* t, int rounds,
                const std::function<int64_t(int)>& make_account) {
  constexpr int kReps = 16;
  std::vector<AccountsHarness::Login> reps;
  for (int i = 0; i < kReps; ++i) {
    reps.push_back(
        h.User(absl::StrCat("racer.", i), i % 2 ? "e1" : "e2", "sales_rep"));
  }
  std::map<int64_t, int> wins_by_rep;
  for (int round = 0; round < rounds; ++round) {
    const int64_t id = make_account(round);
    std::atomic<int> ok{0};
    std::vector<int64_t> winner(kReps, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < kReps; ++i) {
      threads.emplace_back([&, i] {
        grpc::ClientContext ctx;
        client::Prepare(&ctx, reps[i].token);
        pb::ClaimAccountRequest req;
        req.set_account_id(id);
        pb::Account out;
        grpc::Status s = h.stub().ClaimAccount(&ctx, req, &out);
        if (s.ok()) {
          ok.fetch_add(1);
          winner[i] = out.owner_id();
          EXPECT_EQ(out.owner_id(), reps[i].user_id);
        } else {
          EXPECT_TRUE(s.error_code() == grpc::StatusCode::ABORTED ||
                      s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
                      s.error_code() == grpc::StatusCode::NOT_FOUND)
              << s.error_code() << " " << s.error_message();
        }
      });
    }
    for (auto& th : threads) th.join();
    // Losers that saw the account after it went private get NOT_FOUND or
    // FAILED_PRECONDITION; a retry-able ABORTED means nobody won yet only if
    // every claim was refused, which must not happen.
    ASSERT_EQ(ok.load(), 1) << "round " << round;
    for (int64_t w : winner) {
      if (w != 0) ++wins_by_rep[w];
    }
  }
  int total = 0;
  for (const auto& [rep, n] : wins_by_rep) total += n;
  EXPECT_EQ(total, rounds);
}

TEST_F(AccountsTest, SixteenRepsRaceForOneAccountHundredTimes) {
  const int64_t pool = EastPool();
  RaceRounds(h_, this, 100, [&](int round) {
    return PooledAccount(pool, absl::StrCat("抢单客户", round, "号有限公司"),
                         1000 + round);
  });
  // Every account has exactly one owner and none is left in the pool.
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  pb::GetPoolRequest req;
  req.set_id(pool);
  pb::Pool p;
  ASSERT_TRUE(h_.stub().GetPool(&ctx, req, &p).ok());
  EXPECT_EQ(p.account_count(), 0);
}

TEST(AccountsRedisDownTest, ClaimsStayExclusiveOnTheDatabaseAlone) {
  testing::AccountsHarness h(/*redis_down=*/true);
  AccountsTest* unused = nullptr;
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h.Admin());
  pb::CreatePoolRequest preq;
  preq.mutable_pool()->set_name("无锁公海");
  preq.mutable_pool()->set_region_code("east");
  pb::Pool pool;
  ASSERT_TRUE(h.stub().CreatePool(&ctx, preq, &pool).ok());
  RaceRounds(h, unused, 20, [&](int round) {
    grpc::ClientContext c;
    client::Prepare(&c, h.Admin());
    pb::CreateAccountRequest req;
    req.mutable_account()->set_kind(pb::ACCOUNT_KIND_COMPANY);
    req.mutable_account()->set_name(
        absl::StrCat("无锁客户", round, "号有限公司"));
    req.mutable_account()->set_credit_code(CreditCode(2000 + round));
    req.mutable_account()->set_region_code("east");
    req.set_pool_id(pool.id());
    req.set_ignore_similar(true);
    pb::CreateAccountResponse out;
    EXPECT_TRUE(h.stub().CreateAccount(&c, req, &out).ok());
    return out.account().id();
  });
}

TEST_F(AccountsTest, ManagersAssignWithinTheirSubtree) {
  const int64_t pool = EastPool();
  const int64_t id = PooledAccount(pool, "分配客户有限公司", 50);
  auto lead = h_.User("lead.e1", "e1", "sales_manager");
  auto rep = h_.User("rep.a", "e1", "sales_rep");
  auto other_team = h_.User("rep.b", "e2", "sales_rep");
  auto assign = [&](const std::string& token, int64_t owner) {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, token);
    pb::AssignAccountRequest req;
    req.set_account_id(id);
    req.set_owner_id(owner);
    req.set_reason("经理分配");
    pb::Account out;
    return h_.stub().AssignAccount(&ctx, req, &out);
  };
  EXPECT_EQ(assign(rep.token, rep.user_id).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(assign(lead.token, other_team.user_id).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(assign(lead.token, rep.user_id).ok());
  pb::Account got;
  ASSERT_TRUE(h_.GetAccount(rep.token, id, &got).ok());
  EXPECT_EQ(got.owner_id(), rep.user_id);
  EXPECT_EQ(h_.GetAccount(other_team.token, id, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(AccountsTest, TransferMovesEveryAccountOfARep) {
  auto leaving = h_.User("rep.leaving", "e1", "sales_rep");
  auto heir = h_.User("rep.heir", "e1", "sales_rep");
  auto lead = h_.User("lead.east", "east", "sales_manager");
  pb::CreateAccountResponse out;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Create(leaving.token,
                       Company(absl::StrCat("交接客户", i, "号公司"), 60 + i),
                       &out, 0, true)
                    .ok());
  }
  grpc::ClientContext ctx;
  client::Prepare(&ctx, lead.token);
  pb::TransferAccountsRequest req;
  req.set_from_owner_id(leaving.user_id);
  req.set_to_owner_id(heir.user_id);
  req.set_reason("离职交接");
  pb::TransferAccountsResponse resp;
  ASSERT_TRUE(h_.stub().TransferAccounts(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.moved(), 3);
  grpc::ClientContext lctx;
  client::Prepare(&lctx, heir.token);
  pb::ListAccountsRequest list;
  list.set_mine_only(true);
  pb::ListAccountsResponse mine;
  ASSERT_TRUE(h_.stub().ListAccounts(&lctx, list, &mine).ok());
  EXPECT_EQ(mine.accounts_size(), 3);
}

TEST_F(AccountsTest, ListingFollowsDataScopeFiltersAndPages) {
  const int64_t pool = EastPool();
  auto a = h_.User("rep.a", "e1", "sales_rep");
  auto b = h_.User("rep.b", "e2", "sales_rep");
  auto lead1 = h_.User("lead.e1", "e1", "sales_manager");
  pb::CreateAccountResponse out;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Create(a.token,
                       Company(absl::StrCat("甲方客户", i, "号公司"), 70 + i),
                       &out, 0, true)
                    .ok());
  }
  ASSERT_TRUE(Create(b.token, Company("乙方客户公司", 80), &out, 0, true).ok());
  PooledAccount(pool, "公海里的公司", 81);
  auto names = [&](const std::string& token, pb::ListAccountsRequest req) {
    std::set<std::string> seen;
    for (int guard = 0; guard < 20; ++guard) {
      grpc::ClientContext ctx;
      client::Prepare(&ctx, token);
      pb::ListAccountsResponse page;
      grpc::Status s = h_.stub().ListAccounts(&ctx, req, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (const auto& acc : page.accounts())
        EXPECT_TRUE(seen.insert(acc.name()).second);
      if (page.next_page_token().empty()) break;
      req.set_page_token(page.next_page_token());
    }
    return seen;
  };
  pb::ListAccountsRequest paged;
  paged.set_page_size(2);
  EXPECT_EQ(names(a.token, paged).size(), 6u);      // 5 own + the pooled one
  EXPECT_EQ(names(b.token, paged).size(), 2u);      // own + pooled
  EXPECT_EQ(names(lead1.token, paged).size(), 6u);  // team e1 + pooled
  pb::ListAccountsRequest prefix;
  prefix.set_name_prefix("甲方客户3");
  EXPECT_EQ(names(a.token, prefix), (std::set<std::string>{"甲方客户3号公司"}));
  pb::ListAccountsRequest by_pool;
  by_pool.set_pool_id(pool);
  EXPECT_EQ(names(b.token, by_pool).size(), 1u);
  pb::ListAccountsRequest bad;
  bad.set_page_token("garbage");
  grpc::ClientContext ctx;
  client::Prepare(&ctx, a.token);
  pb::ListAccountsResponse page;
  EXPECT_EQ(h_.stub().ListAccounts(&ctx, bad, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AccountsTest, PoolAdminsChangeTheirPoolOnly) {
  auto keeper = h_.User("pool.keeper", "east", "sales_manager");
  auto other = h_.User("lead.other", "east", "sales_manager");
  grpc::ClientContext ctx;
  client::Prepare(&ctx, h_.Admin());
  pb::CreatePoolRequest create;
  create.mutable_pool()->set_name("KA 公海");
  create.mutable_pool()->set_region_code("east");
  create.mutable_pool()->add_admin_user_ids(keeper.user_id);
  pb::Pool pool;
  ASSERT_TRUE(h_.stub().CreatePool(&ctx, create, &pool).ok());
  auto rename = [&](const std::string& token) {
    grpc::ClientContext c;
    client::Prepare(&c, token);
    pb::UpdatePoolRequest req;
    req.mutable_pool()->set_id(pool.id());
    req.mutable_pool()->set_name("KA 公海（新）");
    req.mutable_update_mask()->add_paths("name");
    pb::Pool out;
    return h_.stub().UpdatePool(&c, req, &out);
  };
  EXPECT_EQ(rename(other.token).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(rename(keeper.token).ok());
}

}  // namespace
}  // namespace crm::accounts
