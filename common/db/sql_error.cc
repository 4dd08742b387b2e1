#include "common/db/sql_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace crm::db {
namespace {
constexpr char kPayloadKey[] = "crm.db/mysql_error";
}  // namespace

bool IsRetryable(int mysql_error) {
  return mysql_error == kErrDeadlock || mysql_error == kErrLockWaitTimeout;
}

bool IsConnectionLost(int mysql_error) {
  switch (mysql_error) {
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 1053:  // ER_SERVER_SHUTDOWN
      return true;
    default:
      return false;
  }
}

absl::Status StatusFromMysqlError(int mysql_error, std::string_view sql_state,
                                  std::string_view message) {
  const std::string text =
      absl::StrCat("mysql error ", mysql_error, " (", std::string(sql_state),
                   "): ", std::string(message));
  absl::Status status;
  if (mysql_error == kErrDuplicateEntry) {
    status = absl::AlreadyExistsError(text);
  } else if (IsRetryable(mysql_error)) {
    status = absl::AbortedError(text);
  } else if (IsConnectionLost(mysql_error)) {
    status = absl::UnavailableError(text);
  } else {
    status = absl::InternalError(text);
  }
  status.SetPayload(kPayloadKey, absl::Cord(absl::StrCat(mysql_error)));
  return status;
}

int MysqlErrorOf(const absl::Status& status) {
  auto payload = status.GetPayload(kPayloadKey);
  int code = 0;
  if (payload.has_value()) (void)absl::SimpleAtoi(std::string(*payload), &code);
  return code;
}

}  // namespace crm::db
