// Turns MySQL/MariaDB server and client error numbers into canonical status
// codes. Kept pure so the mapping is unit-tested without a server.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace crm::db {

// ER_DUP_ENTRY
inline constexpr int kErrDuplicateEntry = 1062;
// ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT: the transaction may be retried.
inline constexpr int kErrDeadlock = 1213;
inline constexpr int kErrLockWaitTimeout = 1205;

// Whether a failed transaction with this error is safe to run again.
bool IsRetryable(int mysql_error);
// Whether the connection that saw this error must be thrown away.
bool IsConnectionLost(int mysql_error);

// Duplicate key -> ALREADY_EXISTS; deadlock/lock wait -> ABORTED; lost or
// refused connection -> UNAVAILABLE; everything else -> INTERNAL. The
// driver's text stays in the status for the server log; ToGrpcStatus never
// sends INTERNAL text to clients.
absl::Status StatusFromMysqlError(int mysql_error, std::string_view sql_state,
                                  std::string_view message);

// The MySQL error number recorded in a status made by StatusFromMysqlError,
// or 0.
int MysqlErrorOf(const absl::Status& status);

}  // namespace crm::db
