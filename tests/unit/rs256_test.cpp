// RS256 signing (common/rs256.hpp): signatures verify under the public key with OpenSSL's own
// RSASSA-PKCS1-v1_5 verification, fail under another key or for other bytes, and the JWT has
// the header Google's token endpoint expects. Keys are generated at run time.
#include "rs256.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crypto.hpp"
#include "test_rsa.hpp"

namespace nt {
namespace {

using ::testing::HasSubstr;

std::string part(const std::string& jwt, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) start = jwt.find('.', start) + 1;
  const size_t end = jwt.find('.', start);
  return jwt.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(Rs256, SignatureVerifiesUnderThePublicKeyOnly) {
  const RsaPrivateKey key = RsaPrivateKey::from_pem(test::rsa_key_a().private_pem);
  const std::string sig = key.sign("hello");
  EXPECT_EQ(sig.size(), 256u);  // a 2048-bit modulus
  EXPECT_TRUE(test::rs256_verifies(test::rsa_key_a().public_pem, "hello", sig));
  EXPECT_FALSE(test::rs256_verifies(test::rsa_key_a().public_pem, "hellO", sig));
  EXPECT_FALSE(test::rs256_verifies(test::rsa_key_b().public_pem, "hello", sig));
}

TEST(Rs256, PaddingIsDeterministicPkcs1v15NotPss) {
  // PSS signatures are randomized; PKCS#1 v1.5 (what RS256 means) gives the same bytes twice.
  const RsaPrivateKey key = RsaPrivateKey::from_pem(test::rsa_key_a().private_pem);
  EXPECT_EQ(key.sign("same input"), key.sign("same input"));
}

TEST(Rs256, ReadsTraditionalPkcs1PemToo) {
  // "BEGIN RSA PRIVATE KEY" is the older OpenSSL form; some tools still write it.
  const std::string pkcs1 = test::rewrite_private_pem(test::rsa_key_a().private_pem, true);
  ASSERT_THAT(pkcs1, HasSubstr("BEGIN RSA PRIVATE KEY"));
  const RsaPrivateKey key = RsaPrivateKey::from_pem(pkcs1);
  EXPECT_TRUE(test::rs256_verifies(test::rsa_key_a().public_pem, "x", key.sign("x")));
}

TEST(Rs256, RefusesWhatIsNotAnRsaPrivateKey) {
  const auto error_of = [](const std::string& pem) -> std::string {
    try {
      RsaPrivateKey::from_pem(pem);
    } catch (const Rs256Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_THAT(error_of("not a key"), HasSubstr("not a PEM private key"));
  EXPECT_THAT(error_of("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
              HasSubstr("not a readable PEM private key"));
  EXPECT_THAT(error_of(test::rsa_key_a().public_pem), HasSubstr("not a readable PEM private key"));
  EXPECT_THAT(error_of(test::make_ec_pems().private_pem), HasSubstr("not an RSA key"));
  // An encrypted key fails at once instead of asking for a passphrase on the terminal.
  EXPECT_THAT(error_of(test::rewrite_private_pem(test::rsa_key_a().private_pem, false, "pass1234")),
              HasSubstr("not a readable PEM private key"));
}

TEST(Rs256, JwtHasRs256HeaderWithKidAndAVerifiableSignature) {
  const RsaPrivateKey key = RsaPrivateKey::from_pem(test::rsa_key_a().private_pem);
  const std::string jwt = jwt_sign_rs256(Json::object().set("a", 1), key, "key-1");
  EXPECT_EQ(*base64url_decode(part(jwt, 0)), R"({"alg":"RS256","typ":"JWT","kid":"key-1"})");
  EXPECT_EQ(*base64url_decode(part(jwt, 1)), R"({"a":1})");
  const std::string input = part(jwt, 0) + "." + part(jwt, 1);
  EXPECT_TRUE(
      test::rs256_verifies(test::rsa_key_a().public_pem, input, *base64url_decode(part(jwt, 2))));
}

TEST(Rs256, JwtWithoutKeyIdHasNoKid) {
  const RsaPrivateKey key = RsaPrivateKey::from_pem(test::rsa_key_a().private_pem);
  const std::string jwt = jwt_sign_rs256(Json::object(), key, "");
  EXPECT_EQ(*base64url_decode(part(jwt, 0)), R"({"alg":"RS256","typ":"JWT"})");
}

}  // namespace
}  // namespace nt
