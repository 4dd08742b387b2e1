// Connection settings for one service's MySQL/MariaDB schema.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/config/config.h"

namespace crm::db {

struct DbOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;
  std::string schema;
  int pool_size = 8;
  // How long Borrow() waits for a free connection before RESOURCE_EXHAUSTED.
  absl::Duration borrow_timeout = absl::Seconds(2);
  absl::Duration connect_timeout = absl::Seconds(3);
  // Per-statement socket read/write timeout: a hung server must not hang a
  // handler forever.
  absl::Duration io_timeout = absl::Seconds(30);
  // A connection idle for longer than this is pinged before it is handed out.
  absl::Duration validate_after_idle = absl::Seconds(2);

  // Reads db_host, db_port, db_user, db_password, db_name, db_pool_size,
  // db_borrow_timeout, db_connect_timeout, db_io_timeout.
  static DbOptions Read(ConfigReader& config);
};

}  // namespace crm::db
