#include "common/events/consumer.h"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/db/sql_error.h"
#include "common/db/transaction.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/redis/reply.h"
#include "common/status/status.h"

namespace crm::events {
namespace {

constexpr char kInsertProcessed[] =
    "INSERT INTO processed_events (consumer, event_id, processed_at)"
    " VALUES (?, ?, ?)";

// Bounds one claim scan so a huge pending list cannot keep a poll busy
// forever; the next poll continues from the start.
constexpr int kMaxClaimRounds = 100;

bool IsPrintableAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c > ' ' && c < 0x7f; });
}

}  // namespace

absl::Status ConsumerOptions::Validate() const {
  if (stream.empty()) return InvalidField("stream", "must not be empty");
  if (group.empty() || group.size() > 128 || !IsPrintableAscii(group)) {
    return InvalidField("group",
                        "must be 1..128 printable ASCII characters without "
                        "spaces");
  }
  if (consumer.empty()) return InvalidField("consumer", "must not be empty");
  if (start_id.empty()) return InvalidField("start_id", "must not be empty");
  if (batch_size < 1) return InvalidField("batch_size", "must be >= 1");
  if (block < absl::Milliseconds(1)) {
    return InvalidField("block", "must be at least 1ms");
  }
  if (claim_idle < absl::Milliseconds(1)) {
    return InvalidField("claim_idle", "must be at least 1ms");
  }
  if (claim_interval < absl::ZeroDuration()) {
    return InvalidField("claim_interval", "must not be negative");
  }
  if (error_backoff <= absl::ZeroDuration()) {
    return InvalidField("error_backoff", "must be positive");
  }
  if (dead_letter_max_length < 1) {
    return InvalidField("dead_letter_max_length", "must be >= 1");
  }
  return absl::OkStatus();
}

StreamConsumer::StreamConsumer(std::shared_ptr<db::ConnectionPool> pool,
                               redis::RedisPool* redis, ConsumerOptions options,
                               EventHandler handler,
                               std::shared_ptr<const Clock> clock)
    : pool_(std::move(pool)),
      redis_(redis),
      options_(std::move(options)),
      handler_(std::move(handler)),
      clock_(std::move(clock)),
      streams_(redis_),
      dead_letter_stream_(options_.dead_letter_stream.empty()
                              ? absl::StrCat(options_.stream, ":dead")
                              : options_.dead_letter_stream) {}

StreamConsumer::~StreamConsumer() { Stop(); }

ConsumerStats StreamConsumer::stats() const {
  return ConsumerStats{
      .applied = counters_.applied.load(),
      .duplicates = counters_.duplicates.load(),
      .poison = counters_.poison.load(),
      .trimmed = counters_.trimmed.load(),
      .failed = counters_.failed.load(),
      .claimed = counters_.claimed.load(),
  };
}

absl::Status StreamConsumer::EnsureGroup() {
  std::lock_guard<std::mutex> lock(poll_mu_);
  return EnsureGroupLocked();
}

absl::Status StreamConsumer::EnsureGroupLocked() {
  RETURN_IF_ERROR(options_.Validate());
  RETURN_IF_ERROR(
      streams_.EnsureGroup(options_.stream, options_.group, options_.start_id));
  group_ready_ = true;
  return absl::OkStatus();
}

void StreamConsumer::NoteRedisError(const absl::Status& status) {
  if (redis::IsRedisError(status, "NOGROUP")) group_ready_ = false;
}

absl::StatusOr<int> StreamConsumer::PollOnce(int max) {
  if (max < 1) return InvalidField("max", "must be >= 1");
  return Poll(PollPlan{.max = max,
                       .own_pending = true,
                       .claim = true,
                       .block = absl::ZeroDuration()});
}

absl::StatusOr<int> StreamConsumer::Poll(const PollPlan& plan) {
  std::lock_guard<std::mutex> lock(poll_mu_);
  if (!group_ready_) RETURN_IF_ERROR(EnsureGroupLocked());
  int budget = plan.max;
  int acked = 0;
  if (plan.own_pending) RETURN_IF_ERROR(ProcessOwnPending(&budget, &acked));
  if (plan.claim) RETURN_IF_ERROR(ClaimAndProcess(&budget, &acked));

  // New entries. Block only when the poll found nothing else to do, and
  // keep reading while full batches come back.
  // (Failed entries do not count as work, so a consumer whose pending
  // entries keep failing does not spin.)
  absl::Duration block = acked == 0 ? plan.block : absl::ZeroDuration();
  while (budget > 0) {
    const int count = std::min(budget, options_.batch_size);
    absl::StatusOr<std::vector<redis::StreamEntry>> entries =
        streams_.XReadGroup(options_.group, options_.consumer, options_.stream,
                            count, block, ">");
    if (!entries.ok()) {
      NoteRedisError(entries.status());
      return entries.status();
    }
    if (entries->empty()) break;
    budget -= static_cast<int>(entries->size());
    RETURN_IF_ERROR(ProcessEntries(*entries, &acked));
    if (static_cast<int>(entries->size()) < count) break;
    block = absl::ZeroDuration();
  }
  return acked;
}

absl::Status StreamConsumer::ProcessOwnPending(int* budget, int* acked) {
  // XREADGROUP with an id returns this consumer's pending entries after
  // that id; paging by the last id seen moves past entries whose handler
  // keeps failing.
  std::string after = "0";
  while (*budget > 0) {
    const int count = std::min(*budget, options_.batch_size);
    absl::StatusOr<std::vector<redis::StreamEntry>> entries =
        streams_.XReadGroup(options_.group, options_.consumer, options_.stream,
                            count, absl::ZeroDuration(), after);
    if (!entries.ok()) {
      NoteRedisError(entries.status());
      return entries.status();
    }
    if (entries->empty()) break;
    *budget -= static_cast<int>(entries->size());
    after = entries->back().id;
    RETURN_IF_ERROR(ProcessEntries(*entries, acked));
    if (static_cast<int>(entries->size()) < count) break;
  }
  return absl::OkStatus();
}

absl::Status StreamConsumer::ClaimAndProcess(int* budget, int* acked) {
  std::string start = "0-0";
  for (int round = 0; round<kMaxClaimRounds&& * budget> 0; ++round) {
    const int count = std::min(*budget, options_.batch_size);
    absl::StatusOr<redis::AutoClaimResult> claimed =
        streams_.XAutoClaim(options_.stream, options_.group, options_.consumer,
                            options_.claim_idle, start, count);
    if (!claimed.ok()) {
      NoteRedisError(claimed.status());
      return claimed.status();
    }
    if (!claimed->deleted_ids.empty()) {
      // Redis already dropped these from the pending list.
      counters_.trimmed += static_cast<int64_t>(claimed->deleted_ids.size());
      log::Error(
          "event consumer: pending entries were trimmed from the "
          "stream before being processed",
          {{"stream", options_.stream},
           {"group", options_.group},
           {"ids", claimed->deleted_ids}});
    }
    if (!claimed->entries.empty()) {
      counters_.claimed += static_cast<int64_t>(claimed->entries.size());
      log::Info("event consumer: claimed idle entries",
                {{"stream", options_.stream},
                 {"group", options_.group},
                 {"consumer", options_.consumer},
                 {"count", claimed->entries.size()}});
      *budget -= static_cast<int>(claimed->entries.size());
      RETURN_IF_ERROR(ProcessEntries(claimed->entries, acked));
    }
    start = claimed->next_start;
    if (start == "0-0") break;  // scanned the whole pending list
  }
  return absl::OkStatus();
}

absl::Status StreamConsumer::ProcessEntries(
    const std::vector<redis::StreamEntry>& entries, int* acked) {
  std::vector<std::string> done;
  done.reserve(entries.size());
  for (const redis::StreamEntry& entry : entries) {
    if (ProcessEntry(entry) == Outcome::kAck) done.push_back(entry.id);
  }
  if (done.empty()) return absl::OkStatus();
  // After the commit: if the ack is lost, the entry is delivered again and
  // skipped as a duplicate.
  absl::StatusOr<int64_t> n =
      streams_.XAck(options_.stream, options_.group, done);
  if (!n.ok()) {
    NoteRedisError(n.status());
    return n.status();
  }
  *acked += static_cast<int>(done.size());
  return absl::OkStatus();
}

StreamConsumer::Outcome StreamConsumer::ProcessEntry(
    const redis::StreamEntry& entry) {
  if (entry.deleted) {
    ++counters_.trimmed;
    log::Error(
        "event consumer: pending entry was trimmed from the stream "
        "before being processed",
        {{"stream", options_.stream},
         {"group", options_.group},
         {"entry_id", entry.id}});
    return Outcome::kAck;
  }

  absl::StatusOr<Event> decoded = DecodeEvent(entry.fields);
  if (!decoded.ok()) {
    absl::Status parked = Park(entry, decoded.status());
    if (!parked.ok()) {
      ++counters_.failed;
      log::Error(
          "event consumer: could not park a malformed entry; it stays "
          "pending",
          {{"stream", options_.stream},
           {"group", options_.group},
           {"entry_id", entry.id},
           {"reason", std::string(decoded.status().message())},
           {"error", parked.ToString()}});
      return Outcome::kLeavePending;
    }
    ++counters_.poison;
    log::Error(
        "event consumer: malformed entry moved to the dead-letter "
        "stream",
        {{"stream", options_.stream},
         {"group", options_.group},
         {"entry_id", entry.id},
         {"dead_letter_stream", dead_letter_stream_},
         {"reason", std::string(decoded.status().message())}});
    return Outcome::kAck;
  }
  Event& event = *decoded;
  event.stream = options_.stream;
  event.entry_id = entry.id;

  bool duplicate = false;
  absl::Status status =
      db::RunInTransaction(*pool_, [&](db::Connection& tx) -> absl::Status {
        duplicate = false;  // reset on a retried attempt
        absl::StatusOr<int64_t> inserted = tx.Exec(
            kInsertProcessed, {options_.group, event.event_id, clock_->Now()});
        if (!inserted.ok()) {
          if (db::MysqlErrorOf(inserted.status()) == db::kErrDuplicateEntry) {
            duplicate = true;  // commits an empty transaction
            return absl::OkStatus();
          }
          return inserted.status();
        }
        try {
          return handler_(event, tx);
        } catch (const std::exception& e) {
          return absl::InternalError(
              absl::StrCat("event handler threw: ", e.what()));
        } catch (...) {
          return absl::InternalError("event handler threw");
        }
      });
  if (!status.ok()) {
    ++counters_.failed;
    log::Warn("event consumer: handling failed; the entry stays pending",
              {{"stream", options_.stream},
               {"group", options_.group},
               {"consumer", options_.consumer},
               {"entry_id", entry.id},
               {"event_id", event.event_id},
               {"type", event.type},
               {"error", status.ToString()}});
    return Outcome::kLeavePending;
  }
  if (duplicate) {
    ++counters_.duplicates;
    log::Debug("event consumer: duplicate skipped",
               {{"stream", options_.stream},
                {"group", options_.group},
                {"entry_id", entry.id},
                {"event_id", event.event_id}});
  } else {
    ++counters_.applied;
  }
  return Outcome::kAck;
}

absl::Status StreamConsumer::Park(const redis::StreamEntry& entry,
                                  const absl::Status& reason) {
  redis::StreamFields fields = {
      {"dead_letter_reason", std::string(reason.message())},
      {"dead_letter_stream", options_.stream},
      {"dead_letter_group", options_.group},
      {"dead_letter_entry_id", entry.id},
  };
  fields.insert(fields.end(), entry.fields.begin(), entry.fields.end());
  return streams_
      .XAdd(dead_letter_stream_, fields, options_.dead_letter_max_length)
      .status();
}

void StreamConsumer::Start() {
  loop_.Start([this] { Loop(); });
}

void StreamConsumer::Stop() { loop_.Stop(); }

void StreamConsumer::Loop() {
  if (absl::Status valid = options_.Validate(); !valid.ok()) {
    log::Error("event consumer: not started",
               {{"stream", options_.stream}, {"error", valid.ToString()}});
    return;
  }
  log::Info("event consumer started", {{"stream", options_.stream},
                                       {"group", options_.group},
                                       {"consumer", options_.consumer}});
  absl::Time next_maintenance = absl::InfinitePast();
  bool last_failed = false;
  while (!loop_.stopping()) {
    // Own pending retries and claims run every claim_interval (and at
    // start, which is the crash recovery); new entries on every round.
    const absl::Time now = absl::Now();
    const bool maintenance = now >= next_maintenance;
    if (maintenance) next_maintenance = now + options_.claim_interval;
    absl::StatusOr<int> polled = Poll(PollPlan{.max = options_.batch_size,
                                               .own_pending = maintenance,
                                               .claim = maintenance,
                                               .block = options_.block});
    if (polled.ok()) {
      if (last_failed) {
        log::Info("event consumer recovered",
                  {{"stream", options_.stream}, {"group", options_.group}});
      }
      last_failed = false;
      continue;
    }
    if (!last_failed) {  // log the transition, not every retry
      log::Error("event consumer poll failed",
                 {{"stream", options_.stream},
                  {"group", options_.group},
                  {"error", polled.status().ToString()}});
    }
    last_failed = true;
    // Pending entries are retried after recovering.
    next_maintenance = absl::InfinitePast();
    if (!loop_.WaitFor(options_.error_backoff)) break;
  }
  log::Info("event consumer stopped", {{"stream", options_.stream},
                                       {"group", options_.group},
                                       {"consumer", options_.consumer}});
}

ConsumerOptions ConsumerOptionsFor(const std::string& producer,
                                   const std::string& group,
                                   std::string consumer) {
  ConsumerOptions o;
  o.stream = StreamFor(producer);
  o.group = group;
  o.consumer =
      consumer.empty() ? DefaultConsumerName(group) : std::move(consumer);
  return o;
}

std::string DefaultConsumerName(std::string_view fallback) {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  const std::string name = host[0] ? std::string(host) : std::string(fallback);
  return absl::StrCat(name, "-", static_cast<int64_t>(getpid()));
}

}  // namespace crm::events
