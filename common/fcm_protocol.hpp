// The FCM HTTP v1 protocol as plain functions with no I/O (vectors/fcm.md): the message body
// (the seed's payload shape), what an answer means for the notification row and the device
// token, Retry-After, backoff, and the OAuth2 token endpoint's answer. FcmClient
// (fcm_client.hpp) does the I/O around them; unit tests reach them directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "http_client.hpp"
#include "json.hpp"

namespace nt {

// FCM's payload limit (title, body and data keys and values count), vectors/fcm.md §1.
inline constexpr size_t kFcmMaxPayloadBytes = 4096;
// The OAuth2 scope that authorizes messages:send.
inline constexpr const char* kFcmScope = "https://www.googleapis.com/auth/firebase.messaging";
inline constexpr const char* kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

// One push to one device token.
struct PushMessage {
  std::string token;  // the device registration token
  std::string title;
  std::string body;
  std::map<std::string, std::string> data;  // strings only, as FCM wants
  bool high_priority = true;                // android HIGH + apns-priority 10; else NORMAL + 5
  std::optional<int64_t> badge;             // apns aps.badge, omitted when unset
  // The seed's android notification fields.
  std::string click_action = "FLUTTER_NOTIFICATION_CLICK";
  std::string sound = "default";
};

// Why FCM would refuse `m` whatever the token (no token, a reserved data key such as "from" or
// "google.*", more than kFcmMaxPayloadBytes), or "" when it is fine. Checked before sending, so
// a payload bug never reaches FCM where its 400 could be mistaken for a bad token.
std::string push_message_problem(const PushMessage& m);

// {"message": {token, notification {title, body}, data, android {priority, notification
// {click_action, sound}}, apns {headers {apns-priority}, payload {aps {sound, badge?}}}}}.
Json fcm_request_body(const PushMessage& m);

enum class FcmOutcome {
  kSent,             // FCM accepted the message
  kRetryable,        // 429, 5xx or a transport error: send again later
  kTokenInvalid,     // the token is dead (UNREGISTERED, 404, SENDER_ID_MISMATCH, bad token)
  kFailed,           // permanent: the payload or the configuration is wrong; keep the token
  kUnauthenticated,  // 401 about the access token; FcmClient refreshes it once and resends
};

// What a send attempt came to, in the terms of a push_notifications row.
struct FcmResult {
  FcmOutcome outcome = FcmOutcome::kFailed;
  bool is_sent = false;
  std::string fcm_message_id;  // FCM's "projects/{p}/messages/{id}" when sent
  std::string error_message;   // "" when sent; never holds a credential
  int64_t retry_after_ms = 0;  // the server's Retry-After (0 when none was given)
  bool deactivate_token = false;
  long http_status = 0;    // 0 without an HTTP answer
  std::string error_code;  // FcmError errorCode, else google.rpc status ("UNAVAILABLE")
  int attempts = 0;        // set by FcmClient
};

// A result with is_sent / deactivate_token derived from `outcome`.
FcmResult fcm_result(FcmOutcome outcome, std::string error_message);

const char* fcm_outcome_name(FcmOutcome o);

// Classifies an answer of messages:send (vectors/fcm.md §3). `now_s` dates an HTTP-date
// Retry-After.
FcmResult classify_fcm_response(const HttpResponse& resp, int64_t now_s);

// Retry-After as delta-seconds or an HTTP-date (IMF-fixdate), in milliseconds from `now_s`,
// capped at one day; nullopt when absent or unreadable. A date in the past gives 0.
std::optional<int64_t> parse_retry_after_ms(std::string_view value, int64_t now_s);

// The wait before retry number `attempt` (1 = after the first failure): base * 2^(attempt-1)
// capped at `cap_ms`, of which the upper half is scaled by `jitter` in [0, 1).
int64_t fcm_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, double jitter);

struct OAuthToken {
  std::string access_token;
  int64_t expires_in_s = 0;
};

// Reads the token endpoint's answer: {"access_token", "expires_in" (number or string)} on 200;
// otherwise fills `error` with "HTTP 400 invalid_grant: Invalid JWT Signature." and the like.
std::optional<OAuthToken> parse_oauth_response(const HttpResponse& resp, std::string* error);

// When a token obtained at `obtained_s` should be replaced: 5 minutes before it expires, or
// half-way through its life if it is shorter than 10 minutes.
int64_t oauth_refresh_at(int64_t obtained_s, int64_t expires_in_s);

// The JWT claims of the service-account grant: iss, scope, aud, iat, exp = iat + 3600.
Json oauth_jwt_claims(std::string_view client_email, std::string_view audience, int64_t now_s);

}  // namespace nt
