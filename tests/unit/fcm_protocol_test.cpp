// The FCM HTTP v1 protocol functions (common/fcm_protocol.hpp) against vectors/fcm.md: the
// request body in the seed's shape, the classification of FCM's answers (what is retried, what
// deactivates the token), Retry-After in both forms, backoff bounds, the token endpoint's answer.
#include "fcm_protocol.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

namespace nt {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z

HttpResponse answer(long status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string rpc_error(int code, const std::string& status, const std::string& message,
                      const std::string& details = "") {
  return R"({"error":{"code":)" + std::to_string(code) + R"(,"message":")" + message +
         R"(","status":")" + status + R"(","details":[)" + details + "]}}";
}

std::string fcm_error(const std::string& code) {
  return R"({"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":")" + code +
         R"("})";
}

std::string bad_request(const std::string& field) {
  return R"({"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":")" +
         field + R"(","description":"Invalid value"}]})";
}

PushMessage chat_message() {
  PushMessage m;
  m.token = "device-token";
  m.title = "Alice";
  m.body = "hi there";
  m.data = {{"type", "message"}, {"chat_id", "123"}, {"sender_id", "user-id"}};
  m.badge = 1;
  return m;
}

TEST(FcmBody, HighPriorityMessageHasTheSeedShape) {
  EXPECT_EQ(
      fcm_request_body(chat_message()).dump(),
      R"({"message":{"token":"device-token","notification":{"title":"Alice","body":"hi there"},)"
      R"("data":{"chat_id":"123","sender_id":"user-id","type":"message"},)"
      R"("android":{"priority":"HIGH","notification":{"click_action":"FLUTTER_NOTIFICATION_CLICK","sound":"default"}},)"
      R"("apns":{"headers":{"apns-priority":"10"},"payload":{"aps":{"sound":"default","badge":1}}}}})");
}

TEST(FcmBody, NormalPriorityWithoutDataOrBadge) {
  PushMessage m = chat_message();
  m.high_priority = false;
  m.data.clear();
  m.badge.reset();
  EXPECT_EQ(
      fcm_request_body(m).dump(),
      R"({"message":{"token":"device-token","notification":{"title":"Alice","body":"hi there"},)"
      R"("android":{"priority":"NORMAL","notification":{"click_action":"FLUTTER_NOTIFICATION_CLICK","sound":"default"}},)"
      R"("apns":{"headers":{"apns-priority":"5"},"payload":{"aps":{"sound":"default"}}}}})");
}

TEST(FcmBody, ProblemsFcmWouldRefuseAreFoundBeforeSending) {
  EXPECT_EQ(push_message_problem(chat_message()), "");
  PushMessage m = chat_message();
  m.token.clear();
  EXPECT_EQ(push_message_problem(m), "no device token");
  for (const char* reserved : {"from", "gcm", "message_type", "google.c.a.e", "gcm.n.e"}) {
    m = chat_message();
    m.data[reserved] = "x";
    EXPECT_THAT(push_message_problem(m), HasSubstr("is reserved")) << reserved;
  }
  m = chat_message();
  m.data["googled"] = "fine";  // only the "google." prefix is reserved
  EXPECT_EQ(push_message_problem(m), "");
  m.data["blob"] = std::string(4096, 'x');
  EXPECT_THAT(push_message_problem(m), HasSubstr("over FCM's 4096"));
  m = chat_message();
  m.body = "\xff\xfe";
  EXPECT_THAT(push_message_problem(m), HasSubstr("UTF-8"));
}

struct Case {
  const char* name;
  long status;
  std::string body;
  std::string retry_after;
  FcmOutcome outcome;
  std::string error_code;
  int64_t retry_after_ms;
};

TEST(FcmClassify, AnswersMapToOutcomesAsVectorsSay) {
  const std::vector<Case> cases = {
      {"404 UNREGISTERED", 404,
       rpc_error(404, "NOT_FOUND", "Requested entity was not found.", fcm_error("UNREGISTERED")),
       "", FcmOutcome::kTokenInvalid, "UNREGISTERED", 0},
      {"bare 404", 404, "", "", FcmOutcome::kTokenInvalid, "HTTP_404", 0},
      {"400 bad token", 400,
       rpc_error(400, "INVALID_ARGUMENT",
                 "The registration token is not a valid FCM registration token",
                 fcm_error("INVALID_ARGUMENT")),
       "", FcmOutcome::kTokenInvalid, "INVALID_ARGUMENT", 0},
      {"400 FcmError without field", 400,
       rpc_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                 fcm_error("INVALID_ARGUMENT")),
       "", FcmOutcome::kTokenInvalid, "INVALID_ARGUMENT", 0},
      {"400 violation on message.token", 400,
       rpc_error(400, "INVALID_ARGUMENT", "Invalid value", bad_request("message.token")), "",
       FcmOutcome::kTokenInvalid, "INVALID_ARGUMENT", 0},
      {"400 data value not a string", 400,
       rpc_error(400, "INVALID_ARGUMENT",
                 "Invalid value at 'message.data[0].value' (TYPE_STRING), 12",
                 bad_request("message.data[0].value")),
       "", FcmOutcome::kFailed, "INVALID_ARGUMENT", 0},
      {"400 FcmError and data violation", 400,
       rpc_error(400, "INVALID_ARGUMENT", "Invalid value",
                 fcm_error("INVALID_ARGUMENT") + "," + bad_request("message.data[0].value")),
       "", FcmOutcome::kFailed, "INVALID_ARGUMENT", 0},
      {"400 message names a payload field", 400,
       rpc_error(400, "INVALID_ARGUMENT", "Invalid value at 'message.android.ttl'",
                 fcm_error("INVALID_ARGUMENT")),
       "", FcmOutcome::kFailed, "INVALID_ARGUMENT", 0},
      {"400 without details", 400, rpc_error(400, "INVALID_ARGUMENT", "Bad request"), "",
       FcmOutcome::kFailed, "INVALID_ARGUMENT", 0},
      {"403 SENDER_ID_MISMATCH", 403,
       rpc_error(403, "PERMISSION_DENIED", "SenderId mismatch", fcm_error("SENDER_ID_MISMATCH")),
       "", FcmOutcome::kTokenInvalid, "SENDER_ID_MISMATCH", 0},
      {"403 PERMISSION_DENIED", 403,
       rpc_error(403, "PERMISSION_DENIED", "Permission 'cloudmessaging.messages.create' denied"),
       "", FcmOutcome::kFailed, "PERMISSION_DENIED", 0},
      {"401 UNAUTHENTICATED", 401,
       rpc_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), "",
       FcmOutcome::kUnauthenticated, "UNAUTHENTICATED", 0},
      {"401 THIRD_PARTY_AUTH_ERROR", 401,
       rpc_error(401, "UNAUTHENTICATED", "Auth error from APNS or Web Push Service",
                 fcm_error("THIRD_PARTY_AUTH_ERROR")),
       "", FcmOutcome::kFailed, "THIRD_PARTY_AUTH_ERROR", 0},
      {"429 QUOTA_EXCEEDED with Retry-After", 429,
       rpc_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", fcm_error("QUOTA_EXCEEDED")), "7",
       FcmOutcome::kRetryable, "QUOTA_EXCEEDED", 7000},
      {"503 UNAVAILABLE with Retry-After", 503,
       rpc_error(503, "UNAVAILABLE", "The service is currently unavailable.",
                 fcm_error("UNAVAILABLE")),
       "1", FcmOutcome::kRetryable, "UNAVAILABLE", 1000},
      {"500 INTERNAL", 500, rpc_error(500, "INTERNAL", "Internal error", fcm_error("INTERNAL")), "",
       FcmOutcome::kRetryable, "INTERNAL", 0},
      {"502 from a proxy, HTML", 502, "<html>Bad Gateway</html>", "", FcmOutcome::kRetryable,
       "HTTP_502", 0},
      {"413 too large", 413, "", "", FcmOutcome::kFailed, "HTTP_413", 0},
  };
  for (const Case& c : cases) {
    HttpHeaders headers;
    if (!c.retry_after.empty()) headers.emplace_back("retry-after", c.retry_after);
    const FcmResult r = classify_fcm_response(answer(c.status, c.body, headers), kNow);
    EXPECT_EQ(fcm_outcome_name(r.outcome), std::string(fcm_outcome_name(c.outcome))) << c.name;
    EXPECT_EQ(r.error_code, c.error_code) << c.name;
    EXPECT_EQ(r.retry_after_ms, c.retry_after_ms) << c.name;
    EXPECT_EQ(r.http_status, c.status) << c.name;
    EXPECT_FALSE(r.is_sent) << c.name;
    EXPECT_EQ(r.deactivate_token, c.outcome == FcmOutcome::kTokenInvalid) << c.name;
    EXPECT_THAT(r.error_message, HasSubstr("FCM " + std::to_string(c.status))) << c.name;
  }
}

TEST(FcmClassify, SuccessCarriesTheMessageName) {
  const FcmResult r = classify_fcm_response(
      answer(200, R"({"name":"projects/p1/messages/0:1500415314455276%31bd1c9631bd1c96"})"), kNow);
  EXPECT_EQ(r.outcome, FcmOutcome::kSent);
  EXPECT_TRUE(r.is_sent);
  EXPECT_FALSE(r.deactivate_token);
  EXPECT_EQ(r.fcm_message_id, "projects/p1/messages/0:1500415314455276%31bd1c9631bd1c96");
  EXPECT_EQ(r.error_message, "");
}

TEST(FcmClassify, TransportErrorIsRetryable) {
  HttpResponse resp;
  resp.error = "timeout";
  const FcmResult r = classify_fcm_response(resp, kNow);
  EXPECT_EQ(r.outcome, FcmOutcome::kRetryable);
  EXPECT_EQ(r.error_message, "FCM request failed: timeout");
  EXPECT_EQ(r.http_status, 0);
}

TEST(FcmClassify, ErrorMessageIsPrintableAndShort) {
  const FcmResult r = classify_fcm_response(
      answer(400, rpc_error(400, "INVALID_ARGUMENT", std::string(1000, 'm') + "\\u0001")), kNow);
  EXPECT_LT(r.error_message.size(), 400u);
  for (char c : r.error_message) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
}

std::string http_date(int64_t epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST(FcmRetryAfter, SecondsAndHttpDates) {
  EXPECT_EQ(parse_retry_after_ms("1", kNow), 1000);
  EXPECT_EQ(parse_retry_after_ms(" 7 ", kNow), 7000);
  EXPECT_EQ(parse_retry_after_ms("0", kNow), 0);
  EXPECT_EQ(parse_retry_after_ms("99999999999", kNow), 86'400'000);  // capped at a day
  EXPECT_EQ(parse_retry_after_ms(http_date(kNow + 30), kNow), 30'000);
  EXPECT_EQ(parse_retry_after_ms(http_date(kNow - 30), kNow), 0);
  EXPECT_EQ(parse_retry_after_ms("Tue, 14 Nov 2023 22:13:50 GMT", kNow), 30'000);
  EXPECT_EQ(parse_retry_after_ms("", kNow), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms("1.5", kNow), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms("-3", kNow), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms("soon", kNow), std::nullopt);
  EXPECT_EQ(parse_retry_after_ms("Tue, 14 Nov 2023 22:13:50 GMT junk", kNow), std::nullopt);
}

TEST(FcmBackoff, DoublesWithJitterInTheUpperHalfAndStopsAtTheCap) {
  EXPECT_EQ(fcm_backoff_ms(1, 500, 60000, 0.0), 250);
  EXPECT_EQ(fcm_backoff_ms(1, 500, 60000, 0.999999), 499);
  EXPECT_EQ(fcm_backoff_ms(2, 500, 60000, 0.0), 500);
  EXPECT_EQ(fcm_backoff_ms(3, 500, 60000, 0.5), 1500);
  EXPECT_EQ(fcm_backoff_ms(10, 500, 60000, 0.0), 30000);
  EXPECT_EQ(fcm_backoff_ms(1000, 500, 60000, 0.999999), 59999);
  for (int attempt = 1; attempt < 64; ++attempt) {
    const int64_t d = fcm_backoff_ms(attempt, 500, 60000, 0.7);
    EXPECT_GE(d, 250);
    EXPECT_LE(d, 60000);
  }
}

TEST(FcmOAuth, TokenAnswerWithNumberOrStringExpiry) {
  std::string error;
  auto t = parse_oauth_response(
      answer(200, R"({"access_token":"ya29.abc","expires_in":3599,"token_type":"Bearer"})"),
      &error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->access_token, "ya29.abc");
  EXPECT_EQ(t->expires_in_s, 3599);
  t = parse_oauth_response(answer(200, R"({"access_token":"ya29.x","expires_in":"120"})"), &error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->expires_in_s, 120);
}

TEST(FcmOAuth, ErrorsSayWhatTheEndpointSaid) {
  std::string error;
  EXPECT_FALSE(parse_oauth_response(
      answer(400, R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})"),
      &error));
  EXPECT_EQ(error, "HTTP 400 invalid_grant: Invalid JWT Signature.");
  EXPECT_FALSE(parse_oauth_response(answer(200, R"({"expires_in":3599})"), &error));
  EXPECT_EQ(error, "HTTP 200 without an access_token");
  EXPECT_FALSE(
      parse_oauth_response(answer(200, R"({"access_token":"a","expires_in":"x"})"), &error));
  EXPECT_THAT(error, HasSubstr("expires_in"));
  HttpResponse down;
  down.error = "connect: Connection refused";
  EXPECT_FALSE(parse_oauth_response(down, &error));
  EXPECT_EQ(error, "request failed: connect: Connection refused");
}

TEST(FcmOAuth, RefreshFiveMinutesEarlyOrHalfWayForShortTokens) {
  EXPECT_EQ(oauth_refresh_at(kNow, 3599), kNow + 3299);
  EXPECT_EQ(oauth_refresh_at(kNow, 600), kNow + 300);
  EXPECT_EQ(oauth_refresh_at(kNow, 60), kNow + 30);
  EXPECT_EQ(oauth_refresh_at(kNow, 0), kNow);
}

TEST(FcmOAuth, JwtClaimsAreTheOnesGoogleExpects) {
  EXPECT_EQ(
      oauth_jwt_claims("sa@p.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token", kNow)
          .dump(),
      R"({"iss":"sa@p.iam.gserviceaccount.com",)"
      R"("scope":"https://www.googleapis.com/auth/firebase.messaging",)"
      R"("aud":"https://oauth2.googleapis.com/token","iat":1700000000,"exp":1700003600})");
}

}  // namespace
}  // namespace nt
