// bcrypt through libxcrypt (common/password.hpp): the known-answer vectors of
// vectors/bcrypt_vectors.json (pyca/bcrypt and Openwall crypt_blowfish), settings that must be
// refused, and our own hashes.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "password.hpp"
#include "test_files.hpp"

namespace nt {
namespace {

using test::json_str;

struct BcryptVector {
  std::string password;
  std::string setting;
  std::string expected;
};

Json vectors_doc() {
  return test::load_json_file(NERUTALK_VECTORS_DIR "/bcrypt_vectors.json");
}

std::vector<BcryptVector> known_answers() {
  std::vector<BcryptVector> out;
  const Json doc = vectors_doc();
  json_t* arr = json_object_get(doc.get(), "vectors");
  for (size_t i = 0; arr && i < json_array_size(arr); ++i) {
    const Json v = Json::borrow(json_array_get(arr, i));
    out.push_back({test::from_hex(json_str(v, "password_hex")), json_str(v, "setting"),
                   json_str(v, "expected")});
  }
  return out;
}

std::vector<std::string> invalid_settings() {
  std::vector<std::string> out;
  const Json doc = vectors_doc();
  json_t* arr = json_object_get(doc.get(), "invalid_settings_must_fail");
  for (size_t i = 0; arr && i < json_array_size(arr); ++i) {
    out.push_back(json_str(Json::borrow(json_array_get(arr, i)), "setting"));
  }
  return out;
}

bool has_nul(const std::string& s) {
  return s.find('\0') != std::string::npos;
}

// A password that differs from `pw` within bcrypt's first 72 bytes.
std::string other_password(std::string pw) {
  if (pw.empty()) return "x";
  pw[0] = static_cast<char>(pw[0] ^ 0x01);
  return pw;
}

TEST(BcryptVectors, FileHasVectorsAndInvalidSettings) {
  const auto v = known_answers();
  EXPECT_GE(v.size(), 30u);
  EXPECT_GE(invalid_settings().size(), 6u);
  for (const auto& x : v) {
    EXPECT_EQ(x.expected.size(), 60u) << x.expected;
    EXPECT_EQ(x.expected.substr(0, 29), x.setting);
  }
}

TEST(BcryptVectors, SettingGivesExpectedHash) {
  int checked = 0;
  for (const auto& v : known_answers()) {
    // crypt(3) stops at a NUL; the vector with one is only usable with a (ptr, len) API, and
    // bcrypt_with_setting refuses such passwords instead of hashing a prefix.
    if (has_nul(v.password)) continue;
    EXPECT_EQ(bcrypt_with_setting(v.password, v.setting), v.expected) << v.setting;
    // The full hash works as the setting too (that is how verification recomputes it).
    EXPECT_EQ(bcrypt_with_setting(v.password, v.expected), v.expected) << v.setting;
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(BcryptVectors, PasswordWithNulIsRefusedNotTruncated) {
  int seen = 0;
  for (const auto& v : known_answers()) {
    if (!has_nul(v.password)) continue;
    ++seen;
    EXPECT_EQ(bcrypt_with_setting(v.password, v.setting), "");
    EXPECT_FALSE(verify_password(v.password, v.expected));
  }
  EXPECT_EQ(seen, 1);
}

TEST(BcryptVectors, VerifyAcceptsTheRightPasswordOnly) {
  for (const auto& v : known_answers()) {
    if (has_nul(v.password)) continue;
    if (v.password.size() <= kBcryptMaxPasswordBytes) {
      EXPECT_TRUE(verify_password(v.password, v.expected)) << v.expected;
    } else {
      // Over 72 bytes bcrypt would silently ignore the tail; we refuse rather than truncate.
      EXPECT_FALSE(verify_password(v.password, v.expected)) << v.expected;
    }
    EXPECT_FALSE(verify_password(other_password(v.password), v.expected)) << v.expected;
  }
}

TEST(BcryptVectors, TwoAVariantDiffersFromTwoBForEightBitInput) {
  // The Openwall $2a$ countermeasure: for 0xff 0xff 0xa3 $2a$ and $2b$ hashes differ.
  const std::string pw = test::from_hex("ffffa3");
  EXPECT_EQ(bcrypt_with_setting(pw, "$2b$05$/OK.fbVrR/bpIqNJ5ianF."),
            "$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e");
  EXPECT_EQ(bcrypt_with_setting(pw, "$2a$05$/OK.fbVrR/bpIqNJ5ianF."),
            "$2a$05$/OK.fbVrR/bpIqNJ5ianF.nqd1wy.pTMdcvrRWxyiGL2eMz.2a85.");
}

TEST(BcryptInvalid, SettingsThatMustFail) {
  const auto settings = invalid_settings();
  ASSERT_FALSE(settings.empty());
  for (const auto& s : settings) {
    EXPECT_EQ(bcrypt_with_setting("U*U", s), "") << s;
    // The same prefix padded to a full-length "hash" must not verify either.
    const std::string fake = s + std::string(60 > s.size() ? 60 - s.size() : 0, 'a');
    EXPECT_FALSE(verify_password("U*U", fake)) << s;
  }
}

TEST(BcryptInvalid, NonBcryptHashesNeverVerify) {
  EXPECT_FALSE(verify_password("secret", ""));
  EXPECT_FALSE(verify_password("secret", "secret"));
  EXPECT_FALSE(verify_password("", ""));
  EXPECT_FALSE(verify_password("secret", "$2b$04$short"));
  // A crypt(3) hash of another family (SHA-512, "$6$") is not accepted as a password hash.
  EXPECT_FALSE(verify_password("secret", "$6$saltsalt$" + std::string(86, 'a')));
  // A hash with its last character changed.
  const std::string good = "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm";
  ASSERT_TRUE(verify_password("Kk4DQuMMfZL9o", good));
  std::string bad = good;
  bad.back() = 'n';
  EXPECT_FALSE(verify_password("Kk4DQuMMfZL9o", bad));
  EXPECT_FALSE(verify_password("Kk4DQuMMfZL9o", good.substr(0, 59)));
}

TEST(HashPassword, NewHashHasFormatAndVerifies) {
  const std::string h = hash_password("Correct-Horse-9", 4);
  EXPECT_EQ(h.substr(0, 7), "$2b$04$");
  EXPECT_EQ(h.size(), 60u);
  EXPECT_TRUE(verify_password("Correct-Horse-9", h));
  EXPECT_FALSE(verify_password("Correct-Horse-8", h));
  EXPECT_FALSE(verify_password("", h));
}

TEST(HashPassword, SaltIsRandom) {
  const std::string a = hash_password("Same-Password-1", 4);
  const std::string b = hash_password("Same-Password-1", 4);
  EXPECT_NE(a.substr(0, 29), b.substr(0, 29));
  EXPECT_TRUE(verify_password("Same-Password-1", a));
  EXPECT_TRUE(verify_password("Same-Password-1", b));
}

TEST(HashPassword, CostIsEncoded) {
  EXPECT_EQ(hash_password("Abcdefg1", 5).substr(0, 7), "$2b$05$");
}

TEST(HashPassword, SeventyTwoBytesWorkSeventyThreeThrow) {
  const std::string pw72(72, 'a');
  const std::string h = hash_password(pw72, 4);
  EXPECT_TRUE(verify_password(pw72, h));
  EXPECT_THROW(hash_password(pw72 + "X", 4), std::runtime_error);
  // Nor does a 73-byte password that shares the 72-byte prefix verify.
  EXPECT_FALSE(verify_password(pw72 + "X", h));
}

TEST(HashPassword, InvalidCostThrows) {
  EXPECT_THROW(hash_password("Abcdefg1", 3), std::runtime_error);
  EXPECT_THROW(hash_password("Abcdefg1", 32), std::runtime_error);
}

TEST(DummyHash, IsAStableValidHash) {
  const std::string& a = dummy_password_hash(4);
  const std::string& b = dummy_password_hash(4);
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.substr(0, 7), "$2b$04$");
  EXPECT_EQ(a.size(), 60u);
  EXPECT_FALSE(verify_password("", a));
}

}  // namespace
}  // namespace nt
