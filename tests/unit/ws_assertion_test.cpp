// The gateway assertion nginx forwards to the realtime daemon (common/ws_assertion.hpp): a
// short-lived HMAC statement of who the user is.
#include "ws_assertion.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crypto.hpp"

namespace nt {
namespace {

constexpr int64_t kNow = 1'800'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef";

WsIdentity identity() {
  return {"8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d", "sess_AbC-123", "jp", kNow + 30};
}

// Replaces the first occurrence of `from` in `s` with `to`.
std::string replace(std::string s, const std::string& from, const std::string& to) {
  const size_t pos = s.find(from);
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

TEST(WsAssertion, RoundTrip) {
  const std::string a = make_ws_assertion(identity(), kSecret);
  EXPECT_EQ(a.rfind("v1.", 0), 0u);
  const auto id = verify_ws_assertion(a, kSecret, kNow);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->user_id, "8d3c9a52-3f4e-4b7a-9c1d-2e5f6a7b8c9d");
  EXPECT_EQ(id->session_id, "sess_AbC-123");
  EXPECT_EQ(id->language, "jp");
  EXPECT_EQ(id->expires_at, kNow + 30);
}

TEST(WsAssertion, DeterministicForSameInput) {
  EXPECT_EQ(make_ws_assertion(identity(), kSecret), make_ws_assertion(identity(), kSecret));
  EXPECT_NE(make_ws_assertion(identity(), kSecret), make_ws_assertion(identity(), kSecret + "x"));
}

TEST(WsAssertion, WrongSecret) {
  const std::string a = make_ws_assertion(identity(), kSecret);
  EXPECT_FALSE(verify_ws_assertion(a, kSecret + "x", kNow).has_value());
  EXPECT_FALSE(verify_ws_assertion(a, "", kNow).has_value());
}

TEST(WsAssertion, SignatureIsNotTheRawJwtSecretHmac) {
  // The key is derived, so an HMAC made directly with JWT_SECRET_KEY does not verify.
  WsIdentity id = identity();
  const std::string body = "v1." + id.user_id + "." + id.session_id + "." + id.language + "." +
                           std::to_string(id.expires_at);
  const std::string forged = body + "." + base64url_encode(hmac_sha256(kSecret, body));
  EXPECT_FALSE(verify_ws_assertion(forged, kSecret, kNow).has_value());
}

TEST(WsAssertion, TamperedFields) {
  const std::string a = make_ws_assertion(identity(), kSecret);
  EXPECT_FALSE(verify_ws_assertion(replace(a, "8d3c9a52", "8d3c9a53"), kSecret, kNow));
  EXPECT_FALSE(verify_ws_assertion(replace(a, "sess_AbC", "sess_AbD"), kSecret, kNow));
  EXPECT_FALSE(verify_ws_assertion(replace(a, ".jp.", ".en."), kSecret, kNow));
  EXPECT_FALSE(verify_ws_assertion(
      replace(a, std::to_string(kNow + 30), std::to_string(kNow + 3000)), kSecret, kNow));
  EXPECT_FALSE(verify_ws_assertion(replace(a, "v1.", "v2."), kSecret, kNow));
  // Flip the last signature character.
  std::string b = a;
  b.back() = b.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_ws_assertion(b, kSecret, kNow));
}

TEST(WsAssertion, Expired) {
  const std::string a = make_ws_assertion(identity(), kSecret);
  EXPECT_TRUE(verify_ws_assertion(a, kSecret, kNow + 29).has_value());
  EXPECT_FALSE(verify_ws_assertion(a, kSecret, kNow + 31).has_value());
  EXPECT_FALSE(verify_ws_assertion(a, kSecret, kNow + 86400).has_value());
}

TEST(WsAssertion, Malformed) {
  const std::string a = make_ws_assertion(identity(), kSecret);
  for (const std::string& bad :
       {std::string(""), std::string("."), std::string("v1"), std::string("garbage"),
        std::string("v1.a.b.c.d"), std::string("v1.a.b.c.d.e"), a + ".", a + "=",
        a.substr(0, a.rfind('.')), a.substr(0, a.size() - 1), std::string(600, 'a'),
        a + std::string(600, 'A'), "x" + a}) {
    EXPECT_FALSE(verify_ws_assertion(bad, kSecret, kNow).has_value()) << bad;
  }
}

TEST(WsAssertion, EmptyIdentityNeverVerifies) {
  WsIdentity no_user = identity();
  no_user.user_id = "";
  EXPECT_FALSE(verify_ws_assertion(make_ws_assertion(no_user, kSecret), kSecret, kNow));
  WsIdentity no_session = identity();
  no_session.session_id = "";
  EXPECT_FALSE(verify_ws_assertion(make_ws_assertion(no_session, kSecret), kSecret, kNow));
}

}  // namespace
}  // namespace nt
