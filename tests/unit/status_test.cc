#include "common/status/status.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(StatusTest, CodesMapOneToOne) {
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("user 7 not found")).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      ToGrpcStatus(absl::NotFoundError("user 7 not found")).error_message(),
      "user 7 not found");
  EXPECT_EQ(ToGrpcStatus(absl::PermissionDeniedError("x")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ToGrpcStatus(absl::ResourceExhaustedError("x")).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("x")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(StatusTest, InternalTextNeverReachesClients) {
  grpc::Status s = ToGrpcStatus(
      absl::InternalError("mysql error 1064 (42000): You have an error in your "
                          "SQL syntax near 'SELECT * FROM users'"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(s.error_message(), "internal error");
  EXPECT_EQ(ToGrpcStatus(absl::UnknownError("secret")).error_message(),
            "internal error");
  EXPECT_EQ(ToGrpcStatus(absl::DataLossError("secret")).error_message(),
            "internal error");
}

TEST(StatusTest, LongMessagesAreCappedAtACharacterBoundary) {
  // A message quoting a huge hostile field: cut, never echoed in full.
  const std::string field(1 << 20, 'x');
  grpc::Status s = ToGrpcStatus(InvalidField("notes", field));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().size(), kMaxErrorMessageBytes + 3);
  EXPECT_EQ(s.error_message().substr(0, 7), "notes: ");
  EXPECT_EQ(s.error_message().substr(s.error_message().size() - 3), "...");
  // Three-byte characters across the limit: the cut keeps whole ones.
  std::string cjk;
  while (cjk.size() < 2 * kMaxErrorMessageBytes) cjk += "\xe5\x85\xac";
  const std::string got =
      ToGrpcStatus(absl::NotFoundError(cjk)).error_message();
  ASSERT_GT(got.size(), 3u);
  const std::string kept = got.substr(0, got.size() - 3);
  EXPECT_LE(kept.size(), kMaxErrorMessageBytes);
  EXPECT_EQ(kept.size() % 3, 0u);
  EXPECT_EQ(kept, cjk.substr(0, kept.size()));
  // At the limit: unchanged.
  const std::string exact(kMaxErrorMessageBytes, 'y');
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError(exact)).error_message(), exact);
}

TEST(StatusTest, FromGrpcKeepsCodeAndMessage) {
  absl::Status s =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "dup 5"));
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "dup 5");
}

TEST(StatusTest, InvalidFieldNamesFieldAndRule) {
  absl::Status s = InvalidField("name", "must not be empty");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "name: must not be empty");
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::Status UseMacros(int x, int* out) {
  ASSIGN_OR_RETURN(int h, Half(x));
  RETURN_IF_ERROR(h > 10 ? absl::OutOfRangeError("big") : absl::OkStatus());
  *out = h;
  return absl::OkStatus();
}

TEST(StatusTest, Macros) {
  int out = 0;
  EXPECT_TRUE(UseMacros(8, &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(UseMacros(3, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UseMacros(40, &out).code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace crm
