// The real crm-identity binary as a process, the way `crmctl up` runs it: its
// own MySQL user limited to its schema, migrations and the bootstrap admin
// at start-up, the demo seed through the API, a rep logging in, WhoAmI, a
// graceful drain on SIGTERM, and a second start on the same schema.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/client.h"
#include "common/db/connection.h"
#include "common/redis/redis_pool.h"
#include "crm/identity/v1/identity.grpc.pb.h"
#include "tests/testing/service_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_db.h"
#include "tests/testing/test_env.h"
#include "tools/demo_seed.h"

namespace crm {
namespace {

namespace pb = crm::identity::v1;
constexpr char kAdminPassword[] = "E2e-admin-pass-1";

std::map<std::string, std::string> IdentityEnv() {
  return {{"CRM_BOOTSTRAP_ADMIN_USERNAME", "admin"},
          {"CRM_BOOTSTRAP_ADMIN_PASSWORD", kAdminPassword},
          {"CRM_BOOTSTRAP_COMPANY_NAME", "示例科技"},
          {"CRM_PASSWORD_HASH_OPS", "1"},
          {"CRM_PASSWORD_HASH_MEM_KIB", "8"}};
}

class IdentityProcessTest : public ::testing::Test {
 protected:
  testing::ServiceProcess identity_{"identity", IdentityEnv()};
  const std::string& address_ = identity_.address();
  const std::string& redis_prefix_ = identity_.redis_prefix();
};

TEST_F(IdentityProcessTest, ServesDemoLoginsAndDrainsOnSigterm) {
  ASSERT_TRUE(identity_.Start());
  auto stub = pb::IdentityService::NewStub(client::MakeChannel(address_));
  absl::Status seeded = tools::SeedDemo(*stub, "admin", kAdminPassword);
  ASSERT_TRUE(seeded.ok()) << seeded;
  // Seeding twice changes nothing.
  ASSERT_TRUE(tools::SeedDemo(*stub, "admin", kAdminPassword).ok());

  pb::LoginResponse login;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "");
    pb::LoginRequest req;
    req.set_username("rep.sh1.1");
    req.set_password(tools::kDemoPassword);
    grpc::Status s = stub->Login(&ctx, req, &login);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  crm::common::v1::Principal me;
  {
    grpc::ClientContext ctx;
    client::Prepare(&ctx, login.access_token());
    ASSERT_TRUE(stub->WhoAmI(&ctx, {}, &me).ok());
  }
  EXPECT_EQ(me.username(), "rep.sh1.1");
  // company / 华东大区 / 上海分公司 / 上海销售一组
  EXPECT_THAT(me.org_path(),
              ::testing::MatchesRegex("^/[0-9]+/[0-9]+/[0-9]+/[0-9]+/$"));
  EXPECT_EQ(me.data_scope(), crm::common::v1::DATA_SCOPE_SELF);
  EXPECT_EQ(me.region_code(), "east");  // inherited from 华东大区

  // The team lead sees the three reps of the team and no one else's.
  {
    pb::LoginResponse lead;
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "");
    pb::LoginRequest req;
    req.set_username("lead.sh1");
    req.set_password(tools::kDemoPassword);
    ASSERT_TRUE(stub->Login(&ctx, req, &lead).ok());
    grpc::ClientContext list_ctx;
    client::Prepare(&list_ctx, lead.access_token());
    pb::ListUsersRequest list_req;
    list_req.set_role("sales_rep");
    pb::ListUsersResponse users;
    ASSERT_TRUE(stub->ListUsers(&list_ctx, list_req, &users).ok());
    EXPECT_EQ(users.users_size(), 3);
  }

  // Deactivating a rep publishes UserDeactivated to crm:events:identity
  // (here under the test's key prefix) through the outbox relay.
  {
    pb::LoginResponse admin;
    grpc::ClientContext ctx;
    client::Prepare(&ctx, "");
    pb::LoginRequest req;
    req.set_username("admin");
    req.set_password(kAdminPassword);
    ASSERT_TRUE(stub->Login(&ctx, req, &admin).ok());
    grpc::ClientContext dctx;
    client::Prepare(&dctx, admin.access_token());
    pb::DeactivateUserRequest deactivate;
    deactivate.set_id(me.user_id());
    pb::User gone;
    ASSERT_TRUE(stub->DeactivateUser(&dctx, deactivate, &gone).ok());
    auto redis = redis::RedisPool::Create(
        redis::RedisOptions{.host = testing::RedisFromEnv().host,
                            .port = testing::RedisFromEnv().port});
    ASSERT_TRUE(redis.ok());
    bool seen = false;
    for (int i = 0; i < 100 && !seen; ++i) {
      auto entries = (*redis)->Command(
          {"XRANGE", redis_prefix_ + "events:identity", "-", "+"});
      ASSERT_TRUE(entries.ok()) << entries.status();
      seen =
          entries->DebugString().find("UserDeactivated") != std::string::npos;
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(seen) << "UserDeactivated never reached the stream";
  }

  // SIGTERM: health goes NOT_SERVING, in-flight work drains, exit 0.
  const int status = identity_.Stop();
  ASSERT_NE(status, -1) << "did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_THAT(identity_.process().ReadLog(),
              ::testing::HasSubstr("\"msg\":\"stopped\""));

  // A restart on the same schema: nothing re-applied, the admin kept.
  ASSERT_TRUE(identity_.Start());
  EXPECT_THAT(identity_.process().ReadLog(),
              ::testing::HasSubstr("bootstrap admin exists"));
  grpc::ClientContext ctx;
  client::Prepare(&ctx, "");
  pb::LoginRequest req;
  req.set_username("rep.sh1.2");
  req.set_password(tools::kDemoPassword);
  pb::LoginResponse second;
  EXPECT_TRUE(stub->Login(&ctx, req, &second).ok());
}

TEST_F(IdentityProcessTest, BadConfigurationFailsFastWithEveryProblem) {
  std::map<std::string, std::string> env = {{"CRM_DB_PORT", "not-a-port"},
                                            {"CRM_TOKEN_KEY", "short"}};
  testing::Subprocess proc(
      absl::StrCat(testing::BuildDir(), "/services/identity/crm-identity"),
      {"--no_such_flag=1"}, env,
      absl::StrCat("/tmp/", identity_.schema().name(), "-bad.log"));
  ASSERT_TRUE(proc.Start());
  const int status = proc.Stop(0, absl::Seconds(10));  // signal 0: just wait
  ASSERT_NE(status, -1);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string log = proc.ReadLog();
  EXPECT_THAT(log, ::testing::HasSubstr("db_port: not an integer"));
  EXPECT_THAT(log, ::testing::HasSubstr("--no_such_flag: unknown flag"));
  EXPECT_THAT(log, ::testing::HasSubstr("db_user: required"));
}

}  // namespace
}  // namespace crm
