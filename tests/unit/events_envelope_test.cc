// Pure parts of common/events: the envelope <-> stream fields encoding, its
// validation of malformed (poison) entries, and option checks.
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "common/events/consumer.h"
#include "common/events/event.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace crm::events {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kId[] = "0123456789abcdef0123456789abcdef";

absl::Time At(int64_t micros) { return absl::FromUnixMicros(micros); }

OutboxEvent SampleRow() {
  return OutboxEvent{
      .event_id = kId,
      .stream = "events:leads",
      .type = "LeadConverted",
      .aggregate_id = "lead-42",
      .payload_json = R"({"account_id":7,"name":"Zhang San \u5f20"})",
      .occurred_at = At(1'700'000'000'123'456),
  };
}

redis::StreamFields ValidFields() { return EncodeEvent(SampleRow()); }

// ValidFields() with `name` removed.
redis::StreamFields Without(const std::string& name) {
  redis::StreamFields fields;
  for (auto& f : ValidFields()) {
    if (f.first != name) fields.push_back(f);
  }
  return fields;
}

// ValidFields() with the value of `name` replaced.
redis::StreamFields With(const std::string& name, std::string value) {
  redis::StreamFields fields = ValidFields();
  for (auto& f : fields) {
    if (f.first == name) f.second = value;
  }
  return fields;
}

void ExpectPoison(const redis::StreamFields& fields, const std::string& field,
                  const std::string& rule) {
  absl::StatusOr<Event> event = DecodeEvent(fields);
  ASSERT_FALSE(event.ok()) << "decoded a malformed entry";
  EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(event.status().message()),
              HasSubstr(field + ": " + rule));
}

TEST(EventEnvelopeTest, EncodesOutboxRowAsFiveFieldsInOrder) {
  EXPECT_THAT(EncodeEvent(SampleRow()),
              ElementsAre(Pair("event_id", kId), Pair("type", "LeadConverted"),
                          Pair("aggregate_id", "lead-42"),
                          // The stored payload text goes out byte for byte.
                          Pair("payload",
                               R"({"account_id":7,"name":"Zhang San \u5f20"})"),
                          Pair("occurred_at", "2023-11-14T22:13:20.123456Z")));
}

TEST(EventEnvelopeTest, RoundTripFromOutboxRow) {
  const OutboxEvent row = SampleRow();
  absl::StatusOr<Event> event = DecodeEvent(EncodeEvent(row));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->event_id, row.event_id);
  EXPECT_EQ(event->type, row.type);
  EXPECT_EQ(event->aggregate_id, row.aggregate_id);
  EXPECT_EQ(event->payload, nlohmann::json::parse(row.payload_json));
  EXPECT_EQ(event->payload["name"], "Zhang San \u5f20");
  EXPECT_EQ(event->occurred_at, row.occurred_at);  // microseconds survive
  EXPECT_EQ(event->stream, "");  // set by the consumer, not the encoding
  EXPECT_EQ(event->entry_id, "");
}

TEST(EventEnvelopeTest, RoundTripFromEvent) {
  Event in;
  in.event_id = NewEventId();
  in.type = "ContractSigned";
  in.aggregate_id = "";  // allowed: some events have no aggregate
  in.payload = {
      {"amount_minor", 1234500}, {"tags", {"a", "b"}}, {"x", nullptr}};
  in.occurred_at = At(0);
  absl::StatusOr<Event> out = DecodeEvent(EncodeEvent(in));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->event_id, in.event_id);
  EXPECT_EQ(out->type, in.type);
  EXPECT_EQ(out->aggregate_id, "");
  EXPECT_EQ(out->payload, in.payload);
  EXPECT_EQ(out->occurred_at, in.occurred_at);
}

TEST(EventEnvelopeTest, PayloadMayBeAnyJsonDocument) {
  for (const char* payload : {"{}", "[]", "null", "42", "\"text\""}) {
    absl::StatusOr<Event> event = DecodeEvent(With("payload", payload));
    ASSERT_TRUE(event.ok()) << payload << ": " << event.status();
    EXPECT_EQ(event->payload, nlohmann::json::parse(payload));
  }
}

TEST(EventEnvelopeTest, UnknownFieldsAndOrderDoNotMatter) {
  redis::StreamFields fields = ValidFields();
  std::swap(fields[0], fields[4]);
  fields.insert(fields.begin() + 2, {"trace_id", "abc"});
  fields.push_back({"schema_version", "2"});
  absl::StatusOr<Event> event = DecodeEvent(fields);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->event_id, kId);
  EXPECT_EQ(event->occurred_at, SampleRow().occurred_at);
}

TEST(EventEnvelopeTest, OccurredAtFormatAndOffsets) {
  EXPECT_EQ(FormatOccurredAt(At(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatOccurredAt(At(1'700'000'000'000'001)),
            "2023-11-14T22:13:20.000001Z");
  absl::Time t;
  ASSERT_TRUE(ParseOccurredAt("2023-11-15T06:13:20.5+08:00", &t));
  EXPECT_EQ(t, At(1'700'000'000'500'000));
  ASSERT_TRUE(ParseOccurredAt("2023-11-14T22:13:20Z", &t));
  EXPECT_EQ(t, At(1'700'000'000'000'000));
  EXPECT_FALSE(ParseOccurredAt("", &t));
  EXPECT_FALSE(ParseOccurredAt("2023-11-14 22:13:20", &t));  // no zone
  EXPECT_FALSE(ParseOccurredAt("1700000000", &t));
  EXPECT_FALSE(ParseOccurredAt("2023-13-14T22:13:20Z", &t));
}

TEST(EventEnvelopeTest, EventIds) {
  EXPECT_TRUE(IsEventId(kId));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(IsEventId(NewEventId()));
  EXPECT_FALSE(IsEventId(""));
  EXPECT_FALSE(IsEventId("0123456789abcdef0123456789abcde"));    // 31
  EXPECT_FALSE(IsEventId("0123456789abcdef0123456789abcdef0"));  // 33
  EXPECT_FALSE(IsEventId("0123456789ABCDEF0123456789abcdef"));   // upper
  EXPECT_FALSE(IsEventId("0123456789abcdeg0123456789abcdef"));   // g
}

TEST(EventEnvelopeTest, MissingFieldsArePoison) {
  for (const char* name :
       {"event_id", "type", "aggregate_id", "payload", "occurred_at"}) {
    SCOPED_TRACE(name);
    ExpectPoison(Without(name), name, "is missing");
  }
  ExpectPoison({}, "event_id", "is missing");
  // Only unknown fields: still nothing we can process.
  ExpectPoison({{"hello", "world"}}, "event_id", "is missing");
}

TEST(EventEnvelopeTest, RepeatedFieldsArePoison) {
  for (const char* name :
       {"event_id", "type", "aggregate_id", "payload", "occurred_at"}) {
    SCOPED_TRACE(name);
    redis::StreamFields fields = ValidFields();
    for (const auto& f : ValidFields()) {
      if (f.first == name) fields.push_back(f);  // same value, twice
    }
    ExpectPoison(fields, name, "appears more than once");
  }
}

TEST(EventEnvelopeTest, InvalidValuesArePoison) {
  ExpectPoison(With("event_id", ""), "event_id", "must be 32");
  ExpectPoison(With("event_id", "not-an-id"), "event_id", "must be 32");
  ExpectPoison(With("event_id", "0123456789ABCDEF0123456789ABCDEF"), "event_id",
               "must be 32");
  ExpectPoison(With("event_id", std::string(kId) + " "), "event_id",
               "must be 32");
  ExpectPoison(With("type", ""), "type", "must be 1..128");
  ExpectPoison(With("type", "Lead Converted"), "type", "must be 1..128");
  ExpectPoison(With("type", "Lead\nConverted"), "type", "must be 1..128");
  ExpectPoison(With("type", "\xe7\xba\xbf\xe7\xb4\xa2"), "type",
               "must be 1..128");
  ExpectPoison(With("type", std::string(129, 'T')), "type", "must be 1..128");
  ExpectPoison(With("aggregate_id", std::string(65, 'a')), "aggregate_id",
               "must be at most 64");
  ExpectPoison(With("payload", ""), "payload", "must be a JSON document");
  ExpectPoison(With("payload", "{\"a\":"), "payload",
               "must be a JSON document");
  ExpectPoison(With("payload", "{} trailing"), "payload",
               "must be a JSON document");
  ExpectPoison(With("occurred_at", ""), "occurred_at", "must be an RFC 3339");
  ExpectPoison(With("occurred_at", "yesterday"), "occurred_at",
               "must be an RFC 3339");
  ExpectPoison(With("occurred_at", "2023-11-14 22:13:20.123456"), "occurred_at",
               "must be an RFC 3339");
  // The limits themselves are fine.
  EXPECT_TRUE(DecodeEvent(With("type", std::string(128, 'T'))).ok());
  EXPECT_TRUE(DecodeEvent(With("aggregate_id", std::string(64, 'a'))).ok());
}

TEST(EventOptionsTest, RelayOptions) {
  RelayOptions o;
  EXPECT_THAT(std::string(o.Validate().message()), HasSubstr("name"));
  o.name = "leads";
  EXPECT_TRUE(o.Validate().ok());
  auto bad = [&](auto mutate, const std::string& field) {
    RelayOptions copy = o;
    mutate(copy);
    absl::Status s = copy.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(std::string(s.message()), HasSubstr(field));
  };
  bad([](RelayOptions& r) { r.batch_size = 0; }, "batch_size");
  bad([](RelayOptions& r) { r.batch_size = 10001; }, "batch_size");
  bad([](RelayOptions& r) { r.max_batches_per_run = 0; },
      "max_batches_per_run");
  bad([](RelayOptions& r) { r.poll_interval = absl::ZeroDuration(); },
      "poll_interval");
  bad([](RelayOptions& r) { r.error_backoff = absl::ZeroDuration(); },
      "error_backoff");
  bad([](RelayOptions& r) { r.lock_ttl = absl::Milliseconds(10); }, "lock_ttl");
  bad([](RelayOptions& r) { r.max_stream_length = 0; }, "max_stream_length");
  RelayOptions untrimmed = o;
  untrimmed.max_stream_length.reset();
  EXPECT_TRUE(untrimmed.Validate().ok());
}

TEST(EventOptionsTest, ConsumerOptions) {
  ConsumerOptions o;
  EXPECT_EQ(o.start_id, "0");  // a late subscriber sees the history
  EXPECT_THAT(std::string(o.Validate().message()), HasSubstr("stream"));
  o.stream = "events:leads";
  o.group = "accounts";
  o.consumer = "accounts-1";
  EXPECT_TRUE(o.Validate().ok());
  auto bad = [&](auto mutate, const std::string& field) {
    ConsumerOptions copy = o;
    mutate(copy);
    absl::Status s = copy.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(std::string(s.message()), HasSubstr(field));
  };
  bad([](ConsumerOptions& c) { c.group = ""; }, "group");
  bad([](ConsumerOptions& c) { c.group = "has space"; }, "group");
  bad([](ConsumerOptions& c) { c.group = std::string(129, 'g'); }, "group");
  bad([](ConsumerOptions& c) { c.consumer = ""; }, "consumer");
  bad([](ConsumerOptions& c) { c.start_id = ""; }, "start_id");
  bad([](ConsumerOptions& c) { c.batch_size = 0; }, "batch_size");
  bad([](ConsumerOptions& c) { c.block = absl::ZeroDuration(); }, "block");
  bad([](ConsumerOptions& c) { c.claim_idle = absl::ZeroDuration(); },
      "claim_idle");
  bad([](ConsumerOptions& c) { c.claim_interval = -absl::Seconds(1); },
      "claim_interval");
  bad([](ConsumerOptions& c) { c.error_backoff = absl::ZeroDuration(); },
      "error_backoff");
  bad([](ConsumerOptions& c) { c.dead_letter_max_length = 0; },
      "dead_letter_max_length");
}

}  // namespace
}  // namespace crm::events
