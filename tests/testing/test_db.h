// A fresh MySQL schema per test on the server `crmctl test` started, with a
// pool connected to it; dropped again when the test ends.
#pragma once

#include <memory>
#include <string>

#include "common/db/db_options.h"
#include "common/db/pool.h"

namespace crm::testing {

class TestSchema {
 public:
  // Creates schema "<prefix>_<unique>" using the test admin account.
  explicit TestSchema(const std::string& prefix = "t");
  ~TestSchema();
  TestSchema(const TestSchema&) = delete;
  TestSchema& operator=(const TestSchema&) = delete;

  const std::string& name() const { return name_; }
  // Options for connecting to this schema as the test admin.
  db::DbOptions Options(int pool_size = 4) const;
  // A pool on this schema (created on first use).
  std::shared_ptr<db::ConnectionPool> Pool();

 private:
  std::string name_;
  std::shared_ptr<db::ConnectionPool> pool_;
};

// Options for the test admin without a default schema.
db::DbOptions AdminOptions();

}  // namespace crm::testing
