// An owned, copyable Redis reply, so no hiredis memory outlives the call that
// produced it, plus the mapping of Redis error replies to absl::Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct redisReply;  // hiredis; kept out of this header on purpose.

namespace crm::redis {

// One RESP2 value. `str` holds the bytes of a string, status or error reply
// (binary safe); `elements` the items of an array.
struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };

  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;
  std::vector<Reply> elements;

  static Reply Nil() { return Reply(); }
  static Reply Integer(int64_t v);
  static Reply String(std::string s);
  static Reply Status(std::string s);
  static Reply Error(std::string s);
  static Reply Array(std::vector<Reply> items);

  bool is_nil() const { return type == Type::kNil; }
  bool is_array() const { return type == Type::kArray; }

  // Typed reads that fail with INTERNAL naming what was expected, for a
  // reply whose shape the caller knows (a protocol surprise is a bug, not
  // bad input).
  absl::StatusOr<int64_t> AsInteger() const;
  // Bulk strings and status replies ("OK").
  absl::StatusOr<std::string> AsString() const;
  // A bulk string or nil.
  absl::StatusOr<std::optional<std::string>> AsOptionalString() const;
  absl::StatusOr<double> AsDouble() const;

  // Short human-readable form for logs and test failures; long strings are
  // cut so a big value does not flood the log.
  std::string DebugString() const;

  friend bool operator==(const Reply& a, const Reply& b) = default;
};

// Deep copy of a hiredis reply tree. Types this RESP2 client never asks for
// are impossible here; should one appear it becomes an error reply.
Reply ConvertReply(const redisReply& reply);

// Maps a Redis error reply ("ERR ...", "WRONGTYPE ...", "BUSYGROUP ...") to a
// status. The first word of the message is the error code; it is kept in the
// message and in a payload so callers can test it with IsRedisError():
//   BUSYGROUP                      -> ALREADY_EXISTS
//   NOGROUP                        -> NOT_FOUND
//   LOADING, BUSY, READONLY, MASTERDOWN, TRYAGAIN -> UNAVAILABLE (transient)
//   anything else                  -> INTERNAL
absl::Status ErrorReplyToStatus(std::string_view message);

// True when `status` came from a Redis error reply whose code is `code`
// (e.g. "BUSYGROUP", "NOGROUP", "WRONGTYPE").
bool IsRedisError(const absl::Status& status, std::string_view code);

}  // namespace crm::redis
