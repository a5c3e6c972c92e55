// JWT HS256 (common/jwt.hpp) and the strict base64url / HMAC helpers it stands on
// (common/crypto.hpp): known-answer vectors from RFC 7515 A.1 and jwt.io, the negative cases of
// RFC 8725, and claim checks of jwt_decode.
#include "jwt.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>

#include "crypto.hpp"
#include "test_files.hpp"

namespace nt {

// Names in failure messages instead of raw bytes.
void PrintTo(JwtStatus s, std::ostream* os) {
  static const char* const kNames[] = {"kOk",           "kMalformed",    "kBadAlgorithm",
                                       "kBadSignature", "kExpired",      "kNotYetValid",
                                       "kWrongType",    "kMissingClaims"};
  const auto i = static_cast<size_t>(s);
  *os << (i < sizeof kNames / sizeof kNames[0] ? kNames[i] : "JwtStatus(?)");
}

namespace {

using test::json_str;

constexpr int64_t kNow = 1'800'000'000;
const std::string kKey = "0123456789abcdef0123456789abcdef-unit-test-key";

Json vector_named(const std::string& name) {
  const Json doc = test::load_json_file(NERUTALK_VECTORS_DIR "/jwt_vectors.json");
  json_t* arr = json_object_get(doc.get(), "vectors");
  for (size_t i = 0; arr && i < json_array_size(arr); ++i) {
    const Json v = Json::borrow(json_array_get(arr, i));
    if (json_str(v, "name") == name) return v;
  }
  return Json();
}

// A token with the given raw header and payload JSON, correctly HMAC-SHA256 signed with `key`,
// whatever the header claims; only the field under test is wrong.
std::string make_token(const std::string& header_json, const std::string& payload_json,
                       const std::string& key) {
  const std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(hmac_sha256(key, input));
}

const char kHs256Header[] = R"({"alg":"HS256","typ":"JWT"})";
const char kJwtIoPayload[] = R"({"sub":"1234567890","name":"John Doe","iat":1516239022})";
const char kJwtIoSecret[] = "your-256-bit-secret";
const char kJwtIoToken[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
    "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

JwtStatus verify(const std::string& token, const std::string& key) {
  Json payload;
  return jwt_verify_signature(token, key, &payload);
}

TokenClaims claims(const std::string& typ) {
  TokenClaims c;
  c.sub = "8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d";
  c.sid = "session-1";
  c.jti = "jti-1";
  c.typ = typ;
  c.iat = kNow;
  c.exp = kNow + 1800;
  return c;
}

// ---------------------------------------------------------------- RFC 7515 Appendix A.1

TEST(JwtRfc7515, VectorFileLoads) {
  const Json v = vector_named("rfc7515_a1_hs256");
  ASSERT_TRUE(v) << "jwt_vectors.json missing or without rfc7515_a1_hs256";
  EXPECT_FALSE(json_str(v, "compact").empty());
}

TEST(JwtRfc7515, KeyIsTheDecodedJwkK) {
  const Json v = vector_named("rfc7515_a1_hs256");
  ASSERT_TRUE(v);
  const auto key = base64url_decode(json_str(v.at("key_jwk"), "k"));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 64u);
}

TEST(JwtRfc7515, HmacOfSigningInputIsTheSignature) {
  const Json v = vector_named("rfc7515_a1_hs256");
  ASSERT_TRUE(v);
  const std::string key = base64url_decode(json_str(v.at("key_jwk"), "k")).value_or("");
  const std::string input = json_str(v, "header_b64u") + "." + json_str(v, "payload_b64u");
  EXPECT_EQ(base64url_encode(hmac_sha256(key, input)), json_str(v, "signature_b64u"));
  EXPECT_EQ(json_str(v, "signature_b64u"), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  // The header and payload segments are the base64url of the exact octets (CRLF included).
  EXPECT_EQ(base64url_encode(json_str(v, "header_json")), json_str(v, "header_b64u"));
  EXPECT_EQ(base64url_encode(json_str(v, "payload_json")), json_str(v, "payload_b64u"));
}

TEST(JwtRfc7515, UsingTheAsciiOfKAsKeyGivesAnotherSignature) {
  const Json v = vector_named("rfc7515_a1_hs256");
  ASSERT_TRUE(v);
  EXPECT_EQ(verify(json_str(v, "compact"), json_str(v.at("key_jwk"), "k")),
            JwtStatus::kBadSignature);
}

TEST(JwtRfc7515, CompactTokenVerifiesAndDecodesClaims) {
  const Json v = vector_named("rfc7515_a1_hs256");
  ASSERT_TRUE(v);
  const std::string key = base64url_decode(json_str(v.at("key_jwk"), "k")).value_or("");
  Json payload;
  ASSERT_EQ(jwt_verify_signature(json_str(v, "compact"), key, &payload), JwtStatus::kOk);
  ASSERT_TRUE(payload);
  EXPECT_EQ(json_str(payload, "iss"), "joe");
  EXPECT_EQ(json_integer_value(json_object_get(payload.get(), "exp")), 1300819380);
  EXPECT_TRUE(json_is_true(json_object_get(payload.get(), "http://example.com/is_root")));
  EXPECT_EQ(json_object_size(payload.get()), 3u);
  EXPECT_TRUE(json_equal(payload.get(), v.at("decoded_claims").get()));
}

TEST(JwtRfc7515, CompactTokenIsNotOneOfOurs) {
  // It lacks sub/sid/jti/typ/iat, so jwt_decode refuses it even with the right key and clock.
  const Json v = vector_named("rfc7515_a1_hs256");
  ASSERT_TRUE(v);
  const std::string key = base64url_decode(json_str(v.at("key_jwk"), "k")).value_or("");
  TokenClaims out;
  EXPECT_EQ(jwt_decode(json_str(v, "compact"), key, "access", 1300819000, &out),
            JwtStatus::kMissingClaims);
}

// ---------------------------------------------------------------- jwt.io

TEST(JwtJwtIo, DefaultTokenVerifies) {
  Json payload;
  ASSERT_EQ(jwt_verify_signature(kJwtIoToken, kJwtIoSecret, &payload), JwtStatus::kOk);
  EXPECT_EQ(json_str(payload, "sub"), "1234567890");
  EXPECT_EQ(json_str(payload, "name"), "John Doe");
  EXPECT_EQ(json_integer_value(json_object_get(payload.get(), "iat")), 1516239022);
}

TEST(JwtJwtIo, VectorFileAgreesWithTheConstant) {
  const Json v = vector_named("jwtio_default_hs256");
  ASSERT_TRUE(v);
  EXPECT_EQ(json_str(v, "compact"), kJwtIoToken);
  EXPECT_EQ(json_str(v, "key_utf8"), kJwtIoSecret);
}

TEST(JwtJwtIo, SignReproducesTheTokenByteForByte) {
  Json payload = Json::object();
  payload.set("sub", "1234567890").set("name", "John Doe").set("iat", int64_t{1516239022});
  EXPECT_EQ(jwt_sign(payload, kJwtIoSecret), kJwtIoToken);
}

TEST(JwtJwtIo, WrongKeyIsBadSignature) {
  EXPECT_EQ(verify(kJwtIoToken, "your-256-bit-secreT"), JwtStatus::kBadSignature);
  EXPECT_EQ(verify(kJwtIoToken, ""), JwtStatus::kBadSignature);
}

// ---------------------------------------------------------------- tampering (RFC 8725)

TEST(JwtTamper, AlgNoneWithEmptySignatureIsRefused) {
  for (const char* alg : {"none", "None", "nOnE", "NONE"}) {
    const std::string token =
        base64url_encode(std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})") + "." +
        base64url_encode(kJwtIoPayload) + ".";
    const JwtStatus st = verify(token, kJwtIoSecret);
    EXPECT_NE(st, JwtStatus::kOk) << alg;
    EXPECT_TRUE(st == JwtStatus::kBadAlgorithm || st == JwtStatus::kMalformed)
        << alg << " gave " << static_cast<int>(st);
  }
}

TEST(JwtTamper, OtherAlgorithmsAreRefusedEvenWhenTheHmacMatches) {
  for (const char* alg : {"HS512", "RS256", "HS384", "ES256", "hs256", "HS256 "}) {
    const std::string token = make_token(std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})",
                                         kJwtIoPayload, kJwtIoSecret);
    EXPECT_EQ(verify(token, kJwtIoSecret), JwtStatus::kBadAlgorithm) << alg;
  }
}

TEST(JwtTamper, MissingOrNonStringAlgIsRefused) {
  for (const char* header :
       {R"({"typ":"JWT"})", R"({"alg":256})", R"({"alg":null})", R"(["HS256"])", "not json"}) {
    const JwtStatus st = verify(make_token(header, kJwtIoPayload, kJwtIoSecret), kJwtIoSecret);
    EXPECT_TRUE(st == JwtStatus::kMalformed || st == JwtStatus::kBadAlgorithm)
        << header << " gave " << static_cast<int>(st);
  }
}

TEST(JwtTamper, OneFlippedSignatureBitIsBadSignature) {
  const std::string token = kJwtIoToken;
  const size_t dot = token.rfind('.');
  std::string sig = base64url_decode(token.substr(dot + 1)).value_or("");
  ASSERT_EQ(sig.size(), 32u);
  for (size_t bit : {0u, 7u, 128u, 255u}) {
    std::string flipped = sig;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_EQ(verify(token.substr(0, dot + 1) + base64url_encode(flipped), kJwtIoSecret),
              JwtStatus::kBadSignature)
        << "bit " << bit;
  }
}

TEST(JwtTamper, TruncatedSignatureIsRefused) {
  const std::string token = kJwtIoToken;
  const size_t dot = token.rfind('.');
  const std::string sig = base64url_decode(token.substr(dot + 1)).value_or("");
  const std::string shorter = token.substr(0, dot + 1) + base64url_encode(sig.substr(0, 31));
  EXPECT_EQ(verify(shorter, kJwtIoSecret), JwtStatus::kBadSignature);
  EXPECT_EQ(verify(token.substr(0, dot + 1), kJwtIoSecret), JwtStatus::kBadSignature);
}

TEST(JwtTamper, ChangedPayloadKeepsOldSignatureAndFails) {
  const std::string token = kJwtIoToken;
  const size_t d1 = token.find('.');
  const size_t d2 = token.rfind('.');
  const std::string forged_payload =
      base64url_encode(R"({"sub":"1234567890","name":"John Doe","iat":1516239023})");
  const std::string forged = token.substr(0, d1 + 1) + forged_payload + token.substr(d2);
  EXPECT_EQ(verify(forged, kJwtIoSecret), JwtStatus::kBadSignature);
}

TEST(JwtTamper, SwappedSegmentsFail) {
  // Header and payload swapped: the "header" then has no alg.
  const std::string token = kJwtIoToken;
  const size_t d1 = token.find('.');
  const size_t d2 = token.rfind('.');
  const std::string swapped =
      token.substr(d1 + 1, d2 - d1 - 1) + "." + token.substr(0, d1) + token.substr(d2);
  EXPECT_NE(verify(swapped, kJwtIoSecret), JwtStatus::kOk);
}

TEST(JwtMalformed, WrongNumberOfSegments) {
  const std::string token = kJwtIoToken;
  const size_t d2 = token.rfind('.');
  EXPECT_EQ(verify(token.substr(0, d2), kJwtIoSecret), JwtStatus::kMalformed);  // 2 segments
  EXPECT_EQ(verify(token + ".e30", kJwtIoSecret), JwtStatus::kMalformed);       // 4 segments
  EXPECT_EQ(verify(token + ".", kJwtIoSecret), JwtStatus::kMalformed);
  EXPECT_EQ(verify("", kJwtIoSecret), JwtStatus::kMalformed);
  EXPECT_EQ(verify("abc", kJwtIoSecret), JwtStatus::kMalformed);
  EXPECT_EQ(verify("..", kJwtIoSecret), JwtStatus::kMalformed);
}

TEST(JwtMalformed, PaddingIsRefused) {
  const std::string token = kJwtIoToken;
  const size_t d1 = token.find('.');
  const size_t d2 = token.rfind('.');
  // The payload segment is 70 characters: standard base64 would pad it with "==".
  const std::string padded_payload = token.substr(0, d2) + "==" + token.substr(d2);
  EXPECT_EQ(verify(padded_payload, kJwtIoSecret), JwtStatus::kMalformed);
  // The signature is 43 characters: standard base64 would add one '='.
  EXPECT_EQ(verify(token + "=", kJwtIoSecret), JwtStatus::kMalformed);
  EXPECT_EQ(verify(token.substr(0, d1) + "=" + token.substr(d1), kJwtIoSecret),
            JwtStatus::kMalformed);
}

TEST(JwtMalformed, StandardBase64AlphabetIsRefused) {
  // The RFC 7515 signature holds '-' and '_': the same bytes in standard base64 use '+' and '/',
  // which a lax decoder would accept.
  const Json v = vector_named("rfc7515_a1_hs256");
  ASSERT_TRUE(v);
  const std::string key = base64url_decode(json_str(v.at("key_jwk"), "k")).value_or("");
  const std::string compact = json_str(v, "compact");
  ASSERT_EQ(verify(compact, key), JwtStatus::kOk);
  std::string plus = compact;
  const size_t dash = plus.rfind('-');
  ASSERT_NE(dash, std::string::npos);
  ASSERT_GT(dash, plus.rfind('.'));
  plus[dash] = '+';
  EXPECT_EQ(verify(plus, key), JwtStatus::kMalformed);
  std::string slash = compact;
  const size_t underscore = slash.rfind('_');
  ASSERT_GT(underscore, slash.rfind('.'));
  slash[underscore] = '/';
  EXPECT_EQ(verify(slash, key), JwtStatus::kMalformed);
}

TEST(JwtMalformed, WhitespaceInsideTheTokenIsRefused) {
  const std::string token = kJwtIoToken;
  EXPECT_EQ(verify(" " + token, kJwtIoSecret), JwtStatus::kMalformed);
  EXPECT_EQ(verify(token + "\n", kJwtIoSecret), JwtStatus::kMalformed);
}

TEST(JwtMalformed, HugeHeaderIsRefusedBeforeAnyWork) {
  const std::string header =
      std::string(R"({"alg":"HS256","typ":"JWT","pad":")") + std::string(16 * 1024, 'A') + "\"}";
  EXPECT_EQ(verify(make_token(header, kJwtIoPayload, kJwtIoSecret), kJwtIoSecret),
            JwtStatus::kMalformed);
}

TEST(JwtMalformed, PayloadThatIsNotAnObjectIsRefused) {
  for (const char* payload : {"[1,2]", "\"sub\"", "42", "{\"a\":1", "{\"a\":1,\"a\":2}"}) {
    EXPECT_EQ(verify(make_token(kHs256Header, payload, kKey), kKey), JwtStatus::kMalformed)
        << payload;
  }
}

// ---------------------------------------------------------------- our tokens

TEST(JwtDecode, IssueDecodeRoundTrip) {
  const TokenClaims in = claims("access");
  const std::string token = jwt_issue(in, kKey);
  TokenClaims out;
  ASSERT_EQ(jwt_decode(token, kKey, "access", kNow + 60, &out), JwtStatus::kOk);
  EXPECT_EQ(out.sub, in.sub);
  EXPECT_EQ(out.sid, "session-1");
  EXPECT_EQ(out.jti, "jti-1");
  EXPECT_EQ(out.typ, "access");
  EXPECT_EQ(out.iat, kNow);
  EXPECT_EQ(out.exp, kNow + 1800);
}

TEST(JwtDecode, IssuedTokenHasThePinnedHeader) {
  const std::string token = jwt_issue(claims("access"), kKey);
  EXPECT_EQ(token.substr(0, token.find('.')), base64url_encode(kHs256Header));
}

TEST(JwtDecode, RefreshTokenUsedAsAccessIsWrongType) {
  TokenClaims out;
  EXPECT_EQ(jwt_decode(jwt_issue(claims("refresh"), kKey), kKey, "access", kNow, &out),
            JwtStatus::kWrongType);
  EXPECT_EQ(jwt_decode(jwt_issue(claims("access"), kKey), kKey, "refresh", kNow, &out),
            JwtStatus::kWrongType);
  EXPECT_EQ(jwt_decode(jwt_issue(claims("refresh"), kKey), kKey, "refresh", kNow, &out),
            JwtStatus::kOk);
}

TEST(JwtDecode, ExpiryHonoursLeeway) {
  const std::string token = jwt_issue(claims("access"), kKey);
  TokenClaims out;
  EXPECT_EQ(jwt_decode(token, kKey, "access", kNow + 1800 + 30, &out, 30), JwtStatus::kOk);
  EXPECT_EQ(jwt_decode(token, kKey, "access", kNow + 1800 + 31, &out, 30), JwtStatus::kExpired);
  EXPECT_EQ(jwt_decode(token, kKey, "access", kNow + 1801, &out, 0), JwtStatus::kExpired);
  EXPECT_EQ(jwt_decode(token, kKey, "access", kNow + 86400, &out), JwtStatus::kExpired);
}

TEST(JwtDecode, WrongKeyIsBadSignature) {
  TokenClaims out;
  EXPECT_EQ(jwt_decode(jwt_issue(claims("access"), kKey), kKey + "x", "access", kNow, &out),
            JwtStatus::kBadSignature);
}

TEST(JwtDecode, MissingClaimsAreRefused) {
  const char* keys[] = {"sub", "sid", "jti", "typ", "iat", "exp"};
  for (const char* missing : keys) {
    Json p = Json::object();
    if (std::string(missing) != "sub") p.set("sub", "u1");
    if (std::string(missing) != "sid") p.set("sid", "s1");
    if (std::string(missing) != "jti") p.set("jti", "j1");
    if (std::string(missing) != "typ") p.set("typ", "access");
    if (std::string(missing) != "iat") p.set("iat", kNow);
    if (std::string(missing) != "exp") p.set("exp", kNow + 600);
    TokenClaims out;
    EXPECT_EQ(jwt_decode(jwt_sign(p, kKey), kKey, "access", kNow, &out), JwtStatus::kMissingClaims)
        << "without " << missing;
  }
}

TEST(JwtDecode, ClaimsOfTheWrongJsonTypeAreMissing) {
  Json p = Json::object();
  p.set("sub", "u1").set("sid", int64_t{7}).set("jti", "j1").set("typ", "access");
  p.set("iat", kNow).set("exp", kNow + 600);
  TokenClaims out;
  EXPECT_EQ(jwt_decode(jwt_sign(p, kKey), kKey, "access", kNow, &out), JwtStatus::kMissingClaims);

  Json q = Json::object();
  q.set("sub", "u1").set("sid", "s1").set("jti", "j1").set("typ", "access");
  q.set("iat", kNow).set("exp", std::to_string(kNow + 600));
  EXPECT_EQ(jwt_decode(jwt_sign(q, kKey), kKey, "access", kNow, &out), JwtStatus::kMissingClaims);
}

TEST(JwtDecode, IssuedInTheFutureIsNotYetValid) {
  TokenClaims c = claims("access");
  c.iat = kNow + 3600;
  c.exp = kNow + 7200;
  TokenClaims out;
  EXPECT_EQ(jwt_decode(jwt_issue(c, kKey), kKey, "access", kNow, &out), JwtStatus::kNotYetValid);
  // Within the leeway a small clock skew is tolerated.
  c.iat = kNow + 20;
  EXPECT_EQ(jwt_decode(jwt_issue(c, kKey), kKey, "access", kNow, &out, 30), JwtStatus::kOk);
}

TEST(JwtDecode, NotBeforeInTheFutureIsNotYetValid) {
  Json p = Json::object();
  p.set("sub", "u1").set("sid", "s1").set("jti", "j1").set("typ", "access");
  p.set("iat", kNow).set("exp", kNow + 600).set("nbf", kNow + 300);
  TokenClaims out;
  EXPECT_EQ(jwt_decode(jwt_sign(p, kKey), kKey, "access", kNow, &out), JwtStatus::kNotYetValid);
  EXPECT_EQ(jwt_decode(jwt_sign(p, kKey), kKey, "access", kNow + 300, &out), JwtStatus::kOk);
}

TEST(JwtDecode, FarFutureExpiryDoesNotOverflow) {
  // exp + leeway must not be computed in a way that overflows (signed overflow is undefined
  // behaviour and in practice wraps to "expired").
  TokenClaims c = claims("access");
  c.exp = INT64_MAX;
  TokenClaims out;
  EXPECT_EQ(jwt_decode(jwt_issue(c, kKey), kKey, "access", kNow, &out), JwtStatus::kOk);
  EXPECT_EQ(out.exp, INT64_MAX);
}

TEST(JwtDecode, FailedDecodeLeavesOutputUntouched) {
  TokenClaims out;
  out.sub = "untouched";
  EXPECT_EQ(jwt_decode(jwt_issue(claims("refresh"), kKey), kKey, "access", kNow, &out),
            JwtStatus::kWrongType);
  EXPECT_EQ(out.sub, "untouched");
}

// ---------------------------------------------------------------- base64url and HMAC

TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(base64url_decode("Zm9vYmE"), std::optional<std::string>("fooba"));
  EXPECT_EQ(base64url_decode("-_8"), std::optional<std::string>(std::string("\xfb\xff", 2)));
  EXPECT_EQ(base64url_decode(""), std::optional<std::string>(""));
}

TEST(Base64Url, RoundTripsEveryLengthAndByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); ++len) {
    const std::string bytes = all.substr(256 - len);
    const std::string enc = base64url_encode(bytes);
    EXPECT_EQ(enc.size(), (len * 4 + 2) / 3) << len;
    EXPECT_EQ(enc.find_first_of("+/="), std::string::npos) << len;
    const auto dec = base64url_decode(enc);
    ASSERT_TRUE(dec.has_value()) << len;
    EXPECT_EQ(*dec, bytes) << len;
  }
}

TEST(Base64Url, StrictRejects) {
  EXPECT_FALSE(base64url_decode("Z").has_value());      // length % 4 == 1
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());  // length % 4 == 1
  EXPECT_FALSE(base64url_decode("Zh").has_value());     // 'h' leaves non-zero trailing bits
  EXPECT_FALSE(base64url_decode("Zm9").has_value());    // "fo" is "Zm8"; '9' sets a spare bit
  EXPECT_FALSE(base64url_decode("-_9").has_value());
  EXPECT_FALSE(base64url_decode("Zg==").has_value());  // padding
  EXPECT_FALSE(base64url_decode("Zm9v=").has_value());
  EXPECT_FALSE(base64url_decode("+/8").has_value());    // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm 9v").has_value());  // whitespace
  EXPECT_FALSE(base64url_decode("Zm9v\n").has_value());
  EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4)).has_value());
  EXPECT_TRUE(base64url_decode("Zg").has_value());
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
}

TEST(Hmac, Rfc4231TestCase2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hmac, Sha256OfAbc) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace nt
