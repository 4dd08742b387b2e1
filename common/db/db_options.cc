#include "common/db/db_options.h"

namespace crm::db {

DbOptions DbOptions::Read(ConfigReader& config) {
  DbOptions o;
  o.host = config.String("db_host", o.host);
  o.port = static_cast<int>(config.Int("db_port", o.port, 1, 65535));
  o.user = config.RequiredString("db_user");
  o.password = config.Secret("db_password", "");
  o.schema = config.RequiredString("db_name");
  o.pool_size =
      static_cast<int>(config.Int("db_pool_size", o.pool_size, 1, 512));
  o.borrow_timeout = config.Duration("db_borrow_timeout", o.borrow_timeout);
  o.connect_timeout = config.Duration("db_connect_timeout", o.connect_timeout);
  o.io_timeout = config.Duration("db_io_timeout", o.io_timeout);
  return o;
}

}  // namespace crm::db
