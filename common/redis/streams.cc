#include "common/redis/streams.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace crm::redis {
namespace {

absl::Status Malformed(const char* what, const Reply& reply) {
  return absl::InternalError(
      absl::StrCat("redis: unexpected ", what, " reply ", reply.DebugString()));
}

// One entry: [id, [field, value, ...]], or [id, nil] for a pending entry
// that was deleted from the stream.
absl::StatusOr<StreamEntry> ParseEntry(const Reply& reply) {
  if (!reply.is_array() || reply.elements.size() != 2) {
    return Malformed("stream entry", reply);
  }
  StreamEntry entry;
  ASSIGN_OR_RETURN(entry.id, reply.elements[0].AsString());
  const Reply& fields = reply.elements[1];
  if (fields.is_nil()) {
    entry.deleted = true;
    return entry;
  }
  if (!fields.is_array() || fields.elements.size() % 2 != 0) {
    return Malformed("stream entry", reply);
  }
  entry.fields.reserve(fields.elements.size() / 2);
  for (size_t i = 0; i < fields.elements.size(); i += 2) {
    ASSIGN_OR_RETURN(std::string name, fields.elements[i].AsString());
    ASSIGN_OR_RETURN(std::string value, fields.elements[i + 1].AsString());
    entry.fields.emplace_back(std::move(name), std::move(value));
  }
  return entry;
}

absl::StatusOr<std::vector<StreamEntry>> ParseEntries(const Reply& reply) {
  if (!reply.is_array()) return Malformed("stream entries", reply);
  std::vector<StreamEntry> entries;
  entries.reserve(reply.elements.size());
  for (const Reply& item : reply.elements) {
    ASSIGN_OR_RETURN(StreamEntry entry, ParseEntry(item));
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::Status CheckCount(int64_t count) {
  if (count < 1) return InvalidField("count", "must be >= 1");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> Streams::XAdd(
    std::string_view stream, const StreamFields& fields,
    std::optional<int64_t> max_len_approx) {
  if (fields.empty()) return InvalidField("fields", "must not be empty");
  std::vector<std::string> argv = {"XADD", pool_->Key(stream)};
  if (max_len_approx.has_value()) {
    if (*max_len_approx < 0) {
      return InvalidField("max_len_approx", "must not be negative");
    }
    argv.insert(argv.end(), {"MAXLEN", "~", absl::StrCat(*max_len_approx)});
  }
  argv.push_back("*");
  for (const auto& [name, value] : fields) {
    argv.push_back(name);
    argv.push_back(value);
  }
  ASSIGN_OR_RETURN(Reply reply, pool_->Command(argv));
  return reply.AsString();
}

absl::Status Streams::EnsureGroup(std::string_view stream,
                                  std::string_view group,
                                  std::string_view start_id) {
  absl::StatusOr<Reply> reply =
      pool_->Command({"XGROUP", "CREATE", pool_->Key(stream),
                      std::string(group), std::string(start_id), "MKSTREAM"});
  // Every replica of a service calls this at start; all but the first find
  // the group there, which is the state they wanted.
  if (!reply.ok() && IsRedisError(reply.status(), "BUSYGROUP")) {
    return absl::OkStatus();
  }
  return reply.status();
}

absl::StatusOr<std::vector<StreamEntry>> Streams::XReadGroup(
    std::string_view group, std::string_view consumer, std::string_view stream,
    int64_t count, absl::Duration block, std::string_view id) {
  RETURN_IF_ERROR(CheckCount(count));
  if (block < absl::ZeroDuration()) {
    return InvalidField("block", "must not be negative");
  }
  // BLOCK 0 would mean "forever" to Redis; a sub-millisecond wait is
  // treated as no wait instead.
  const int64_t block_ms = absl::ToInt64Milliseconds(block);
  std::vector<std::string> argv = {
      "XREADGROUP",          "GROUP", std::string(group),
      std::string(consumer), "COUNT", absl::StrCat(count)};
  if (block_ms > 0) argv.insert(argv.end(), {"BLOCK", absl::StrCat(block_ms)});
  argv.insert(argv.end(), {"STREAMS", pool_->Key(stream), std::string(id)});

  ASSIGN_OR_RETURN(RedisPool::Lease lease,
                   pool_->Borrow(pool_->options().command_timeout));
  // The socket must outwait the server-side block, or every idle poll would
  // end as a timeout and cost a connection.
  ASSIGN_OR_RETURN(
      Reply reply,
      block_ms > 0
          ? lease.CommandWithTimeout(argv, absl::Milliseconds(block_ms) +
                                               pool_->options().command_timeout)
          : lease.Command(argv));
  // nil: nothing new (or the block timed out).
  if (reply.is_nil()) return std::vector<StreamEntry>();
  // [[stream, [entries...]]] since we read exactly one stream.
  if (!reply.is_array() || reply.elements.size() != 1 ||
      !reply.elements[0].is_array() || reply.elements[0].elements.size() != 2) {
    return Malformed("XREADGROUP", reply);
  }
  return ParseEntries(reply.elements[0].elements[1]);
}

absl::StatusOr<std::vector<StreamEntry>> Streams::ReadPending(
    std::string_view group, std::string_view consumer, std::string_view stream,
    int64_t count) {
  return XReadGroup(group, consumer, stream, count, absl::ZeroDuration(), "0");
}

absl::StatusOr<int64_t> Streams::XAck(std::string_view stream,
                                      std::string_view group,
                                      const std::vector<std::string>& ids) {
  if (ids.empty()) return 0;
  std::vector<std::string> argv = {"XACK", pool_->Key(stream),
                                   std::string(group)};
  argv.insert(argv.end(), ids.begin(), ids.end());
  ASSIGN_OR_RETURN(Reply reply, pool_->Command(argv));
  return reply.AsInteger();
}

absl::StatusOr<AutoClaimResult> Streams::XAutoClaim(
    std::string_view stream, std::string_view group, std::string_view consumer,
    absl::Duration min_idle, std::string_view start, int64_t count) {
  RETURN_IF_ERROR(CheckCount(count));
  if (min_idle < absl::ZeroDuration()) {
    return InvalidField("min_idle", "must not be negative");
  }
  ASSIGN_OR_RETURN(
      Reply reply,
      pool_->Command({"XAUTOCLAIM", pool_->Key(stream), std::string(group),
                      std::string(consumer),
                      absl::StrCat(absl::ToInt64Milliseconds(min_idle)),
                      std::string(start), "COUNT", absl::StrCat(count)}));
  // Redis 7: [next start, [entries...], [deleted ids...]]; Redis 6.2 sends
  // only the first two.
  if (!reply.is_array() || reply.elements.size() < 2) {
    return Malformed("XAUTOCLAIM", reply);
  }
  AutoClaimResult result;
  ASSIGN_OR_RETURN(result.next_start, reply.elements[0].AsString());
  ASSIGN_OR_RETURN(result.entries, ParseEntries(reply.elements[1]));
  if (reply.elements.size() >= 3) {
    const Reply& deleted = reply.elements[2];
    if (!deleted.is_array()) return Malformed("XAUTOCLAIM", reply);
    for (const Reply& id : deleted.elements) {
      ASSIGN_OR_RETURN(std::string s, id.AsString());
      result.deleted_ids.push_back(std::move(s));
    }
  }
  return result;
}

absl::StatusOr<int64_t> Streams::XLen(std::string_view stream) {
  ASSIGN_OR_RETURN(Reply reply, pool_->Command({"XLEN", pool_->Key(stream)}));
  return reply.AsInteger();
}

}  // namespace crm::redis
