#include "tests/testing/test_db.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/db/connection.h"
#include "tests/testing/test_env.h"

namespace crm::testing {

db::DbOptions AdminOptions() {
  const TestMysql m = MysqlFromEnv();
  db::DbOptions o;
  o.host = m.host;
  o.port = m.port;
  o.user = m.user;
  o.password = m.password;
  return o;
}

namespace {
void RunAdmin(const std::string& sql) {
  auto conn = db::Connection::Open(AdminOptions());
  if (!conn.ok()) {
    std::fprintf(stderr, "FATAL: cannot reach test MySQL: %s\n",
                 conn.status().ToString().c_str());
    std::abort();
  }
  if (absl::Status s = (*conn)->ExecRaw(sql); !s.ok()) {
    std::fprintf(stderr, "FATAL: %s: %s\n", sql.c_str(), s.ToString().c_str());
    std::abort();
  }
}
}  // namespace

TestSchema::TestSchema(const std::string& prefix) : name_(UniqueName(prefix)) {
  RunAdmin(absl::StrCat("CREATE DATABASE `", name_, "` CHARACTER SET utf8mb4"));
}

TestSchema::~TestSchema() {
  pool_.reset();
  RunAdmin(absl::StrCat("DROP DATABASE IF EXISTS `", name_, "`"));
}

db::DbOptions TestSchema::Options(int pool_size) const {
  db::DbOptions o = AdminOptions();
  o.schema = name_;
  o.pool_size = pool_size;
  return o;
}

std::shared_ptr<db::ConnectionPool> TestSchema::Pool() {
  if (pool_ == nullptr) {
    auto pool = db::ConnectionPool::Create(Options());
    if (!pool.ok()) {
      std::fprintf(stderr, "FATAL: pool: %s\n",
                   pool.status().ToString().c_str());
      std::abort();
    }
    pool_ = *pool;
  }
  return pool_;
}

}  // namespace crm::testing
