#include <gtest/gtest.h>

#include <string>

#include "common/validate/request_id.h"

namespace crm::validate {
namespace {

TEST(RequestIdTest, AcceptsEmptyAndPrintableAscii) {
  EXPECT_TRUE(ValidateRequestId("").ok());
  EXPECT_TRUE(ValidateRequestId("req-2026-11-25/42_abc:XYZ").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(64, 'a')).ok());
}

TEST(RequestIdTest, RejectsTooLongNamingTheField) {
  absl::Status s = ValidateRequestId(std::string(65, 'a'));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("request_id"), std::string::npos) << s;
  EXPECT_NE(s.message().find("64"), std::string::npos) << s;
}

TEST(RequestIdTest, RejectsSpacesControlAndNonAscii) {
  for (std::string bad :
       {std::string("a b"), std::string("a\tb"), std::string("a\0b", 3),
        std::string("请求"), std::string("\xff\xfe")}) {
    EXPECT_EQ(ValidateRequestId(bad).code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(RequestIdTest, NamesTheGivenField) {
  absl::Status s = ValidateRequestId("a b", "import.request_id");
  EXPECT_NE(s.message().find("import.request_id"), std::string::npos) << s;
}

}  // namespace
}  // namespace crm::validate
