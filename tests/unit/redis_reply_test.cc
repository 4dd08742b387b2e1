// Reply conversion from hiredis replies (built by hiredis's own parser from
// RESP bytes, no server needed) and the mapping of Redis errors to statuses.
#include <hiredis/hiredis.h>

#include <memory>
#include <string>

#include "common/redis/reply.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace crm::redis {
namespace {

using ::testing::HasSubstr;

struct ReaderDeleter {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

// Parses one RESP value with hiredis and converts it.
Reply Parse(const std::string& resp) {
  std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
  EXPECT_EQ(redisReaderFeed(reader.get(), resp.data(), resp.size()), REDIS_OK);
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader.get(), &raw), REDIS_OK);
  std::unique_ptr<redisReply, ReplyDeleter> reply(
      static_cast<redisReply*>(raw));
  EXPECT_NE(reply, nullptr) << "incomplete RESP: " << resp;
  if (reply == nullptr) return Reply::Error("incomplete");
  return ConvertReply(*reply);
}

TEST(ConvertReplyTest, Scalars) {
  EXPECT_EQ(Parse(":-42\r\n"), Reply::Integer(-42));
  EXPECT_EQ(Parse("+OK\r\n"), Reply::Status("OK"));
  EXPECT_EQ(Parse("-ERR boom\r\n"), Reply::Error("ERR boom"));
  EXPECT_EQ(Parse("$-1\r\n"), Reply::Nil());
  EXPECT_EQ(Parse("$0\r\n\r\n"), Reply::String(""));
}

TEST(ConvertReplyTest, BulkStringsAreBinarySafe) {
  const std::string value("a\0b\r\nc", 6);
  const Reply r = Parse("$6\r\n" + value + "\r\n");
  EXPECT_EQ(r.type, Reply::Type::kString);
  EXPECT_EQ(r.str, value);
  EXPECT_EQ(r.str.size(), 6u);
}

TEST(ConvertReplyTest, NestedArraysWithNils) {
  // The shape of an XREADGROUP reply: [[stream, [[id, [f, v]], [id, nil]]]].
  const Reply r = Parse(
      "*1\r\n"
      "*2\r\n$1\r\ns\r\n"
      "*2\r\n"
      "*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
      "*2\r\n$3\r\n2-0\r\n*-1\r\n");
  const Reply expected = Reply::Array({Reply::Array(
      {Reply::String("s"),
       Reply::Array({Reply::Array({Reply::String("1-0"),
                                   Reply::Array({Reply::String("f"),
                                                 Reply::String("v")})}),
                     Reply::Array({Reply::String("2-0"), Reply::Nil()})})})});
  EXPECT_EQ(r, expected) << r.DebugString();
}

TEST(ConvertReplyTest, EmptyAndNilArrays) {
  EXPECT_EQ(Parse("*0\r\n"), Reply::Array({}));
  EXPECT_EQ(Parse("*-1\r\n"), Reply::Nil());
  EXPECT_EQ(
      Parse("*3\r\n:1\r\n$-1\r\n+x\r\n"),
      Reply::Array({Reply::Integer(1), Reply::Nil(), Reply::Status("x")}));
}

TEST(ReplyTest, TypedReadsCheckTheType) {
  EXPECT_EQ(*Reply::Integer(7).AsInteger(), 7);
  EXPECT_EQ(Reply::String("7").AsInteger().status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(*Reply::String("x").AsString(), "x");
  EXPECT_EQ(*Reply::Status("OK").AsString(), "OK");
  EXPECT_FALSE(Reply::Nil().AsString().ok());
  EXPECT_EQ(*Reply::Nil().AsOptionalString(), std::nullopt);
  EXPECT_EQ(*Reply::String("y").AsOptionalString(), "y");
  EXPECT_FALSE(Reply::Integer(1).AsOptionalString().ok());
  EXPECT_DOUBLE_EQ(*Reply::String("1.5").AsDouble(), 1.5);
  EXPECT_EQ(*Reply::String("-inf").AsDouble(),
            -std::numeric_limits<double>::infinity());
  EXPECT_FALSE(Reply::String("abc").AsDouble().ok());
  EXPECT_FALSE(Reply::Integer(1).AsDouble().ok());
}

TEST(ReplyTest, DebugStringCutsLongValues) {
  const std::string s = Reply::String(std::string(1000, 'x')).DebugString();
  EXPECT_LT(s.size(), 100u);
  EXPECT_THAT(s, HasSubstr("..."));
  EXPECT_EQ(Reply::Array({Reply::Integer(1), Reply::Nil()}).DebugString(),
            "[(integer) 1, nil]");
}

TEST(ErrorReplyToStatusTest, MapsCodesAndKeepsThemDetectable) {
  const absl::Status busy =
      ErrorReplyToStatus("BUSYGROUP Consumer Group name already exists");
  EXPECT_EQ(busy.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(IsRedisError(busy, "BUSYGROUP"));
  EXPECT_FALSE(IsRedisError(busy, "NOGROUP"));
  EXPECT_THAT(busy.message(), HasSubstr("BUSYGROUP Consumer Group"));

  const absl::Status nogroup = ErrorReplyToStatus("NOGROUP No such key");
  EXPECT_EQ(nogroup.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(IsRedisError(nogroup, "NOGROUP"));

  const absl::Status loading = ErrorReplyToStatus("LOADING Redis is loading");
  EXPECT_EQ(loading.code(), absl::StatusCode::kUnavailable);

  const absl::Status wrongtype =
      ErrorReplyToStatus("WRONGTYPE Operation against a key");
  EXPECT_EQ(wrongtype.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(IsRedisError(wrongtype, "WRONGTYPE"));

  const absl::Status bare = ErrorReplyToStatus("ERR");
  EXPECT_EQ(bare.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(IsRedisError(bare, "ERR"));
}

TEST(ErrorReplyToStatusTest, OtherStatusesAreNotRedisErrors) {
  EXPECT_FALSE(IsRedisError(absl::OkStatus(), "ERR"));
  EXPECT_FALSE(IsRedisError(absl::InternalError("BUSYGROUP x"), "BUSYGROUP"));
}

}  // namespace
}  // namespace crm::redis
