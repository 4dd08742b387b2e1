#include "common/redis/reply.h"

#include <hiredis/hiredis.h>

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace crm::redis {
namespace {

// Payload key under which ErrorReplyToStatus stores the Redis error code.
// (Debian builds absl with its own string_view, distinct from std::.)
constexpr absl::string_view kErrorCodePayload = "crm.redis/error-code";

absl::string_view TypeName(Reply::Type type) {
  switch (type) {
    case Reply::Type::kNil:
      return "nil";
    case Reply::Type::kInteger:
      return "integer";
    case Reply::Type::kString:
      return "string";
    case Reply::Type::kStatus:
      return "status";
    case Reply::Type::kError:
      return "error";
    case Reply::Type::kArray:
      return "array";
  }
  return "unknown";
}

absl::Status Unexpected(absl::string_view wanted, const Reply& got) {
  return absl::InternalError(absl::StrCat("redis: expected ", wanted,
                                          " reply, got ", got.DebugString()));
}

}  // namespace

Reply Reply::Integer(int64_t v) {
  Reply r;
  r.type = Type::kInteger;
  r.integer = v;
  return r;
}

Reply Reply::String(std::string s) {
  Reply r;
  r.type = Type::kString;
  r.str = std::move(s);
  return r;
}

Reply Reply::Status(std::string s) {
  Reply r;
  r.type = Type::kStatus;
  r.str = std::move(s);
  return r;
}

Reply Reply::Error(std::string s) {
  Reply r;
  r.type = Type::kError;
  r.str = std::move(s);
  return r;
}

Reply Reply::Array(std::vector<Reply> items) {
  Reply r;
  r.type = Type::kArray;
  r.elements = std::move(items);
  return r;
}

absl::StatusOr<int64_t> Reply::AsInteger() const {
  if (type != Type::kInteger) return Unexpected("integer", *this);
  return integer;
}

absl::StatusOr<std::string> Reply::AsString() const {
  if (type != Type::kString && type != Type::kStatus) {
    return Unexpected("string", *this);
  }
  return str;
}

absl::StatusOr<std::optional<std::string>> Reply::AsOptionalString() const {
  if (type == Type::kNil) return std::optional<std::string>();
  if (type != Type::kString) return Unexpected("string or nil", *this);
  return std::optional<std::string>(str);
}

absl::StatusOr<double> Reply::AsDouble() const {
  double v = 0;
  // Redis sends scores as bulk strings ("1.5", "inf", "-inf").
  if (type != Type::kString || !absl::SimpleAtod(str, &v)) {
    return Unexpected("number", *this);
  }
  return v;
}

std::string Reply::DebugString() const {
  constexpr size_t kMaxShown = 64;
  switch (type) {
    case Type::kNil:
      return "nil";
    case Type::kInteger:
      return absl::StrCat("(integer) ", integer);
    case Type::kString:
    case Type::kStatus:
    case Type::kError: {
      std::string shown = str.size() > kMaxShown
                              ? absl::StrCat(str.substr(0, kMaxShown), "...")
                              : str;
      return absl::StrCat("(", TypeName(type), ") \"", shown, "\"");
    }
    case Type::kArray:
      return absl::StrCat("[",
                          absl::StrJoin(elements, ", ",
                                        [](std::string* out, const Reply& r) {
                                          out->append(r.DebugString());
                                        }),
                          "]");
  }
  return "?";
}

Reply ConvertReply(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      return Reply::Nil();
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(reply.integer);
    case REDIS_REPLY_STRING:
      return Reply::String(std::string(reply.str, reply.len));
    case REDIS_REPLY_STATUS:
      return Reply::Status(std::string(reply.str, reply.len));
    case REDIS_REPLY_ERROR:
      return Reply::Error(std::string(reply.str, reply.len));
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> items;
      items.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        items.push_back(reply.element[i] == nullptr
                            ? Reply::Nil()
                            : ConvertReply(*reply.element[i]));
      }
      return Reply::Array(std::move(items));
    }
    default:
      return Reply::Error(
          absl::StrCat("ERR unsupported reply type ", reply.type));
  }
}

absl::Status ErrorReplyToStatus(std::string_view message) {
  const absl::string_view full(message.data(), message.size());
  const absl::string_view code = full.substr(0, full.find(' '));
  const std::string text = absl::StrCat("redis: ", full);
  absl::Status status;
  if (code == "BUSYGROUP") {
    status = absl::AlreadyExistsError(text);
  } else if (code == "NOGROUP") {
    status = absl::NotFoundError(text);
  } else if (code == "LOADING" || code == "BUSY" || code == "READONLY" ||
             code == "MASTERDOWN" || code == "TRYAGAIN") {
    // The server is alive but cannot serve this now; the caller may retry.
    status = absl::UnavailableError(text);
  } else {
    status = absl::InternalError(text);
  }
  status.SetPayload(kErrorCodePayload, absl::Cord(code));
  return status;
}

bool IsRedisError(const absl::Status& status, std::string_view code) {
  auto payload = status.GetPayload(kErrorCodePayload);
  return payload.has_value() &&
         *payload == absl::string_view(code.data(), code.size());
}

}  // namespace crm::redis
