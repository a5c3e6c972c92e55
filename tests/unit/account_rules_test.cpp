// Account rules with no I/O (common/account_rules.hpp, DESIGN.md §4.1): usernames, emails and
// passwords, each returning "" or the 422 field code.
#include "account_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nt {
namespace {

// ---------------------------------------------------------------- usernames

TEST(Username, Accepted) {
  for (const std::string& u :
       {std::string("abc"), std::string(50, 'a'), std::string("a_b_c"), std::string("___"),
        std::string("User_123"), std::string("ABC"), std::string("007")}) {
    EXPECT_EQ(check_username(u), "") << u;
  }
}

TEST(Username, Rejected) {
  for (const std::string& u :
       {std::string(""), std::string("ab"), std::string(51, 'a'), std::string("a-b"),
        std::string("ünï"), std::string("a b"), std::string(" abc"), std::string("abc "),
        std::string("abc\n"), std::string("a.b"), std::string("a@b"), std::string("用户名"),
        std::string("ab\0c", 4), std::string("abc\t")}) {
    EXPECT_EQ(check_username(u), "invalid_username") << u;
  }
}

TEST(Username, MultiByteDoesNotSneakPastLength) {
  // Three bytes of a non-ASCII letter are not three allowed characters.
  EXPECT_EQ(check_username("日"), "invalid_username");
  EXPECT_EQ(check_username("ab\xc3\xa9"), "invalid_username");
}

TEST(Username, NormalizedToLowerCase) {
  EXPECT_EQ(normalize_username("AbC_Def_9"), "abc_def_9");
  EXPECT_EQ(normalize_username("abc"), "abc");
}

// ---------------------------------------------------------------- emails

TEST(Email, Accepted) {
  for (const char* e : {"user@example.com", "first.last+tag@sub.example.co.jp", "a@b.cd",
                        "USER@EXAMPLE.COM", "x_y-z@host-name.org"}) {
    EXPECT_EQ(check_email(e), "") << e;
  }
}

TEST(Email, Rejected) {
  for (const char* e :
       {"", "userexample.com", "@example.com", "user@", "user@example", "user@@example.com",
        "a@b@c.com", "user @example.com", "user@exa mple.com", "user@.com", "user@example.",
        "user@example..com", "user@exam\tple.com", "user@example.com\n", " user@example.com"}) {
    EXPECT_EQ(check_email(e), "invalid_email") << e;
  }
}

TEST(Email, LengthLimit) {
  const std::string domain = "@example.com";
  const std::string ok = std::string(255 - domain.size(), 'a') + domain;
  ASSERT_EQ(ok.size(), 255u);
  EXPECT_EQ(check_email(ok), "");
  EXPECT_EQ(check_email("a" + ok), "invalid_email");
}

TEST(Email, ControlCharactersRejected) {
  EXPECT_EQ(check_email(std::string("us\0er@example.com", 17)), "invalid_email");
  EXPECT_EQ(check_email("us\x7f"
                        "er@example.com"),
            "invalid_email");
}

TEST(Email, NormalizedToLowerCase) {
  EXPECT_EQ(normalize_email("John.Doe@Example.COM"), "john.doe@example.com");
}

// ---------------------------------------------------------------- passwords

TEST(Password, LengthBounds) {
  EXPECT_EQ(check_password(""), "password_too_short");
  EXPECT_EQ(check_password("Abcde1x"), "password_too_short");  // 7 bytes
  EXPECT_EQ(check_password("Abcde1xy"), "");                   // 8 bytes
  const std::string p72 = "Aa1" + std::string(69, 'b');
  ASSERT_EQ(p72.size(), 72u);
  EXPECT_EQ(check_password(p72), "");
  EXPECT_EQ(check_password(p72 + "c"), "password_too_long");
  EXPECT_EQ(check_password(std::string(1000, 'A') + "a1"), "password_too_long");
}

TEST(Password, A11NeverTruncated) {
  // 72 × 'a' then 'X': truncated to 72 bytes it would be all lower-case; it must be refused as
  // too long, not judged on its first 72 bytes.
  const std::string p = std::string(72, 'a') + "X";
  EXPECT_EQ(check_password(p), "password_too_long");
  EXPECT_EQ(check_password(std::string(71, 'a') + "X1"), "password_too_long");
}

TEST(Password, NeedsUpperLowerAndDigit) {
  EXPECT_EQ(check_password("abcdefg1"), "weak_password");  // no upper
  EXPECT_EQ(check_password("ABCDEFG1"), "weak_password");  // no lower
  EXPECT_EQ(check_password("Abcdefgh"), "weak_password");  // no digit
  EXPECT_EQ(check_password("12345678"), "weak_password");
  EXPECT_EQ(check_password("!@#$%^&*("), "weak_password");
  EXPECT_EQ(check_password("Abcdefg1"), "");
}

TEST(Password, CommonPasswordsAreWeak) {
  EXPECT_EQ(check_password("Password1"), "weak_password");
  EXPECT_EQ(check_password("pASSWORD1"), "weak_password");
  EXPECT_EQ(check_password("P@ssw0rd1"), "weak_password");
  EXPECT_EQ(check_password("Welcome123"), "weak_password");
  EXPECT_EQ(check_password("Qwerty123"), "weak_password");
  // Not every password containing a common word is refused.
  EXPECT_EQ(check_password("Password1-horse-battery"), "");
}

TEST(Password, MultiByteCountsBytes) {
  const std::string kanji = "漢";  // 3 bytes in UTF-8
  ASSERT_EQ(kanji.size(), 3u);
  EXPECT_EQ(check_password(kanji + kanji + "Aa1"), "");  // 9 bytes
  std::string k69;
  for (int i = 0; i < 23; ++i) k69 += kanji;
  EXPECT_EQ(check_password(k69 + "Aa1"), "");                           // 72 bytes
  EXPECT_EQ(check_password(k69 + kanji + "Aa1"), "password_too_long");  // 75 bytes
  EXPECT_EQ(check_password("😀😀Aa1"), "");                               // 4 + 4 + 3 = 11 bytes
  EXPECT_EQ(check_password("😀Aa1"), "password_too_short");              // 7 bytes
  EXPECT_EQ(check_password("漢字漢字漢字"), "weak_password");
}

TEST(Password, NulByteRejected) {
  const std::string p("Abcdefg1\0x", 10);
  EXPECT_NE(check_password(p), "");
}

}  // namespace
}  // namespace nt
