#include "common/redis/redis_options.h"

#include "common/status/status.h"

namespace crm::redis {

RedisOptions RedisOptions::Read(ConfigReader& reader) {
  RedisOptions o;
  o.host = reader.String("redis_host", o.host);
  o.port = static_cast<int>(reader.Int("redis_port", o.port, 1, 65535));
  o.password = reader.Secret("redis_password", "");
  // Redis allows more than the default 16 databases when configured so; the
  // server rejects an index it does not have, at connect time.
  o.db = static_cast<int>(reader.Int("redis_db", o.db, 0, 1 << 16));
  o.pool_size =
      static_cast<int>(reader.Int("redis_pool_size", o.pool_size, 1, 1024));
  o.connect_timeout =
      reader.Duration("redis_connect_timeout", o.connect_timeout);
  o.command_timeout =
      reader.Duration("redis_command_timeout", o.command_timeout);
  o.key_prefix = reader.String("redis_key_prefix", o.key_prefix);
  return o;
}

absl::Status RedisOptions::Validate() const {
  if (host.empty()) return InvalidField("redis_host", "must not be empty");
  if (port < 1 || port > 65535) {
    return InvalidField("redis_port", "must be in [1, 65535]");
  }
  if (db < 0) return InvalidField("redis_db", "must not be negative");
  if (pool_size < 1) return InvalidField("redis_pool_size", "must be >= 1");
  // hiredis takes timeouts as a timeval; below a millisecond they round to
  // "no timeout at all", which is the opposite of what was asked.
  if (connect_timeout < absl::Milliseconds(1)) {
    return InvalidField("redis_connect_timeout", "must be at least 1ms");
  }
  if (command_timeout < absl::Milliseconds(1)) {
    return InvalidField("redis_command_timeout", "must be at least 1ms");
  }
  return absl::OkStatus();
}

}  // namespace crm::redis
