// The gRPC code -> HTTP status mapping and the JSON error body.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "services/gateway/json_errors.h"

namespace crm::gateway {
namespace {

using grpc::StatusCode;

TEST(GatewayErrorsTest, MapsEveryCanonicalCode) {
  const std::pair<StatusCode, int> kWant[] = {
      {StatusCode::OK, 200},
      {StatusCode::CANCELLED, 499},
      {StatusCode::UNKNOWN, 500},
      {StatusCode::INVALID_ARGUMENT, 400},
      {StatusCode::DEADLINE_EXCEEDED, 504},
      {StatusCode::NOT_FOUND, 404},
      {StatusCode::ALREADY_EXISTS, 409},
      {StatusCode::PERMISSION_DENIED, 403},
      {StatusCode::RESOURCE_EXHAUSTED, 429},
      {StatusCode::FAILED_PRECONDITION, 400},
      {StatusCode::ABORTED, 409},
      {StatusCode::OUT_OF_RANGE, 400},
      {StatusCode::UNIMPLEMENTED, 501},
      {StatusCode::INTERNAL, 500},
      {StatusCode::UNAVAILABLE, 503},
      {StatusCode::DATA_LOSS, 500},
      {StatusCode::UNAUTHENTICATED, 401},
  };
  for (const auto& [code, http] : kWant) {
    EXPECT_EQ(HttpStatusFor(code), http) << CodeName(code);
  }
  EXPECT_EQ(HttpStatusFor(static_cast<StatusCode>(99)), 500);
}

TEST(GatewayErrorsTest, NamesCodes) {
  EXPECT_EQ(CodeName(StatusCode::INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_EQ(CodeName(StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_EQ(CodeName(StatusCode::DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
  EXPECT_EQ(CodeName(static_cast<StatusCode>(99)), "UNKNOWN");
}

TEST(GatewayErrorsTest, ErrorBodyHasCodeMessageAndStatus) {
  auto j = nlohmann::json::parse(
      ErrorJson(StatusCode::NOT_FOUND, "account 7 \"x\" not found"));
  EXPECT_EQ(j["code"], "NOT_FOUND");
  EXPECT_EQ(j["message"], "account 7 \"x\" not found");
  EXPECT_EQ(j["http_status"], 404);
  auto big = nlohmann::json::parse(
      ErrorJson(StatusCode::RESOURCE_EXHAUSTED, "too large", 413));
  EXPECT_EQ(big["http_status"], 413);
  EXPECT_EQ(big["code"], "RESOURCE_EXHAUSTED");
}

TEST(GatewayErrorsTest, InvalidUtf8InMessagesDoesNotThrow) {
  auto j = nlohmann::json::parse(
      ErrorJson(StatusCode::INTERNAL, std::string("bad \xff byte")));
  EXPECT_EQ(j["code"], "INTERNAL");
}

}  // namespace
}  // namespace crm::gateway
