#include "services/identity/domain/password.h"

#include <gtest/gtest.h>

namespace crm::identity {
namespace {

TEST(PasswordTest, HashVerifies) {
  auto hash = HashPassword("correct horse", PasswordCost::Minimum());
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse", *hash));
  EXPECT_FALSE(VerifyPassword("correct horsE", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse", ""));
  EXPECT_FALSE(VerifyPassword("correct horse", "$argon2id$garbage"));
}

TEST(PasswordTest, SaltMakesHashesDiffer) {
  auto a = HashPassword("same password", PasswordCost::Minimum());
  auto b = HashPassword("same password", PasswordCost::Minimum());
  EXPECT_NE(*a, *b);
}

TEST(PasswordTest, NeedsRehashWhenCostRises) {
  auto weak = HashPassword("some password", PasswordCost::Minimum());
  PasswordCost stronger = PasswordCost::Minimum();
  stronger.ops += 1;
  EXPECT_TRUE(NeedsRehash(*weak, stronger));
  EXPECT_FALSE(NeedsRehash(*weak, PasswordCost::Minimum()));
}

TEST(PasswordTest, NewPasswordRules) {
  EXPECT_TRUE(ValidateNewPassword("Abcdefg1", "password").ok());
  EXPECT_EQ(ValidateNewPassword("short", "password").message(),
            "password: must be at least 8 characters");
  EXPECT_EQ(ValidateNewPassword(std::string(129, 'x') + "y", "password").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateNewPassword("aaaaaaaaaa", "password").message(),
            "password: must not repeat a single character");
}

}  // namespace
}  // namespace crm::identity
