#include "fcm_protocol.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <vector>

#include "text.hpp"

namespace nt {
namespace {

constexpr int kMaxResponseDepth = 16;
constexpr int64_t kMaxRetryAfterMs = 24LL * 3600 * 1000;
constexpr const char* kFcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
constexpr const char* kBadRequestType = "type.googleapis.com/google.rpc.BadRequest";

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// A google.rpc.Status error body: {"error": {code, message, status, details: [...]}}.
struct RpcError {
  std::string status;  // "NOT_FOUND"
  std::string message;
  std::string fcm_code;                       // details[FcmError].errorCode
  std::vector<std::string> violation_fields;  // details[BadRequest].fieldViolations[].field
};

RpcError read_rpc_error(std::string_view body) {
  RpcError e;
  JsonParseError err;
  const Json doc = parse_json(body, kMaxResponseDepth, true, &err);
  json_t* error = json_object_get(doc.get(), "error");
  if (!json_is_object(error)) return e;
  e.status = string_member(error, "status");
  e.message = string_member(error, "message");
  size_t i;
  json_t* detail;
  json_array_foreach(json_object_get(error, "details"), i, detail) {
    const std::string type = string_member(detail, "@type");
    if (type == kFcmErrorType && e.fcm_code.empty()) {
      e.fcm_code = string_member(detail, "errorCode");
    } else if (type == kBadRequestType) {
      size_t k;
      json_t* violation;
      json_array_foreach(json_object_get(detail, "fieldViolations"), k, violation) {
        e.violation_fields.push_back(string_member(violation, "field"));
      }
    }
  }
  return e;
}

// Whether a 400 is about the registration token rather than the payload (vectors/fcm.md §3:
// deactivate only then). A field violation or a message naming another message field means
// the payload is at fault.
bool about_token(const RpcError& e) {
  if (contains(e.message, "registration token")) return true;
  for (const auto& f : e.violation_fields) {
    if (f != "message.token") return false;
  }
  if (!e.violation_fields.empty()) return true;
  if (e.fcm_code != "INVALID_ARGUMENT") return false;
  return !contains(e.message, "'message.") || contains(e.message, "'message.token'");
}

FcmOutcome outcome_of(long status, const RpcError& e) {
  const std::string& code = e.fcm_code;
  if (code == "UNREGISTERED" || code == "SENDER_ID_MISMATCH" || status == 404) {
    return FcmOutcome::kTokenInvalid;
  }
  if (status == 400) return about_token(e) ? FcmOutcome::kTokenInvalid : FcmOutcome::kFailed;
  if (status == 401) {
    // A bad APNs or web-push credential is the project's configuration, not our access token.
    const bool third_party = code == "THIRD_PARTY_AUTH_ERROR" || code == "APNS_AUTH_ERROR";
    return third_party ? FcmOutcome::kFailed : FcmOutcome::kUnauthenticated;
  }
  if (status == 429 || status >= 500 || code == "QUOTA_EXCEEDED" || code == "UNAVAILABLE" ||
      code == "INTERNAL") {
    return FcmOutcome::kRetryable;
  }
  return FcmOutcome::kFailed;
}

bool reserved_data_key(std::string_view key) {
  return key == "from" || key == "gcm" || key == "message_type" || key.rfind("google.", 0) == 0 ||
         key.rfind("gcm.", 0) == 0;
}

}  // namespace

std::string push_message_problem(const PushMessage& m) {
  if (m.token.empty()) return "no device token";
  size_t bytes = m.title.size() + m.body.size();
  for (const std::string* text : {&m.token, &m.title, &m.body, &m.click_action, &m.sound}) {
    if (!Json::str(*text)) return "a text of the message is not valid UTF-8";
  }
  for (const auto& [key, value] : m.data) {
    if (key.empty()) return "an empty data key";
    if (reserved_data_key(key))
      return "data key \"" + printable_excerpt(key, 40) + "\" is reserved";
    if (!Json::str(key) || !Json::str(value)) return "a data entry is not valid UTF-8";
    bytes += key.size() + value.size();
  }
  if (bytes > kFcmMaxPayloadBytes) {
    return "payload of " + std::to_string(bytes) + " bytes is over FCM's " +
           std::to_string(kFcmMaxPayloadBytes);
  }
  return "";
}

Json fcm_request_body(const PushMessage& m) {
  Json notification = Json::object();
  notification.set("title", m.title).set("body", m.body);
  Json data = Json::object();
  for (const auto& [key, value] : m.data) data.set(key.c_str(), value);
  Json android_notification = Json::object();
  android_notification.set("click_action", m.click_action).set("sound", m.sound);
  Json android = Json::object();
  android.set("priority", m.high_priority ? "HIGH" : "NORMAL")
      .set("notification", android_notification);
  Json aps = Json::object();
  aps.set("sound", m.sound);
  if (m.badge) aps.set("badge", *m.badge);
  Json apns_headers = Json::object();
  apns_headers.set("apns-priority", m.high_priority ? "10" : "5");
  Json apns = Json::object();
  apns.set("headers", apns_headers).set("payload", Json::object().set("aps", aps));
  Json message = Json::object();
  message.set("token", m.token).set("notification", notification);
  if (!m.data.empty()) message.set("data", data);
  message.set("android", android).set("apns", apns);
  return Json::object().set("message", message);
}

FcmResult fcm_result(FcmOutcome outcome, std::string error_message) {
  FcmResult r;
  r.outcome = outcome;
  r.is_sent = outcome == FcmOutcome::kSent;
  r.deactivate_token = outcome == FcmOutcome::kTokenInvalid;
  r.error_message = std::move(error_message);
  return r;
}

const char* fcm_outcome_name(FcmOutcome o) {
  switch (o) {
    case FcmOutcome::kSent:
      return "sent";
    case FcmOutcome::kRetryable:
      return "retryable";
    case FcmOutcome::kTokenInvalid:
      return "token_invalid";
    case FcmOutcome::kFailed:
      return "failed";
    case FcmOutcome::kUnauthenticated:
      return "unauthenticated";
  }
  return "failed";
}

FcmResult classify_fcm_response(const HttpResponse& resp, int64_t now_s) {
  if (resp.status == 0) {
    FcmResult r = fcm_result(FcmOutcome::kRetryable, "FCM request failed: " + resp.error);
    r.error_code = "TRANSPORT";
    return r;
  }
  if (resp.ok()) {
    JsonParseError err;
    const Json doc = parse_json(resp.body, kMaxResponseDepth, true, &err);
    const std::string name = string_member(doc.get(), "name");
    FcmResult r = fcm_result(FcmOutcome::kSent, name.empty() ? "FCM accepted the message but "
                                                               "answered without a message name"
                                                             : "");
    r.fcm_message_id = name;
    r.http_status = resp.status;
    return r;
  }
  const RpcError e = read_rpc_error(resp.body);
  const FcmOutcome outcome = outcome_of(resp.status, e);
  std::string code = !e.fcm_code.empty() ? e.fcm_code
                     : !e.status.empty() ? e.status
                                         : "HTTP_" + std::to_string(resp.status);
  std::string text = "FCM " + std::to_string(resp.status) + " " + printable_excerpt(code, 40);
  if (!e.message.empty()) text += ": " + printable_excerpt(e.message);
  FcmResult r = fcm_result(outcome, std::move(text));
  r.http_status = resp.status;
  r.error_code = std::move(code);
  if (outcome == FcmOutcome::kRetryable) {
    r.retry_after_ms = parse_retry_after_ms(resp.header("retry-after"), now_s).value_or(0);
  }
  return r;
}

std::optional<int64_t> parse_retry_after_ms(std::string_view value, int64_t now_s) {
  value = trim(value, " \t");
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) return kMaxRetryAfterMs;
    return std::min<int64_t>(std::stoll(std::string(value)) * 1000, kMaxRetryAfterMs);
  }
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7).
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const int64_t at = static_cast<int64_t>(timegm(&tm));
  return std::clamp<int64_t>((at - now_s) * 1000, 0, kMaxRetryAfterMs);
}

int64_t fcm_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, double jitter) {
  int64_t delay = std::max<int64_t>(base_ms, 1);
  for (int i = 1; i < attempt && delay < cap_ms; ++i) delay *= 2;
  delay = std::min(delay, cap_ms);
  const double j = std::clamp(jitter, 0.0, 1.0);
  return delay / 2 + static_cast<int64_t>(std::floor(static_cast<double>(delay - delay / 2) * j));
}

std::optional<OAuthToken> parse_oauth_response(const HttpResponse& resp, std::string* error) {
  if (resp.status == 0) {
    *error = "request failed: " + resp.error;
    return std::nullopt;
  }
  JsonParseError err;
  const Json doc = parse_json(resp.body, kMaxResponseDepth, true, &err);
  if (!resp.ok()) {
    *error = "HTTP " + std::to_string(resp.status);
    const std::string code = string_member(doc.get(), "error");
    const std::string description = string_member(doc.get(), "error_description");
    if (!code.empty()) *error += " " + printable_excerpt(code, 60);
    if (!description.empty()) *error += ": " + printable_excerpt(description);
    return std::nullopt;
  }
  OAuthToken t;
  t.access_token = string_member(doc.get(), "access_token");
  json_t* expires = json_object_get(doc.get(), "expires_in");
  const std::string expires_text = string_member(doc.get(), "expires_in");
  if (json_is_integer(expires)) {
    t.expires_in_s = json_integer_value(expires);
  } else if (!expires_text.empty() && expires_text.size() < 10 &&
             expires_text.find_first_not_of("0123456789") == std::string::npos) {
    t.expires_in_s = std::stoll(expires_text);  // google-auth accepts a string too
  } else if (expires == nullptr) {
    t.expires_in_s = 3600;  // Google always sends it; assume the usual hour if not
  } else {
    *error = "HTTP 200 with an unreadable expires_in";
    return std::nullopt;
  }
  if (t.access_token.empty()) {
    *error = "HTTP 200 without an access_token";
    return std::nullopt;
  }
  return t;
}

int64_t oauth_refresh_at(int64_t obtained_s, int64_t expires_in_s) {
  constexpr int64_t kEarly = 300;
  return obtained_s + std::max<int64_t>(expires_in_s - kEarly, expires_in_s / 2);
}

Json oauth_jwt_claims(std::string_view client_email, std::string_view audience, int64_t now_s) {
  Json claims = Json::object();
  claims.set("iss", client_email)
      .set("scope", kFcmScope)
      .set("aud", audience)
      .set("iat", now_s)
      .set("exp", now_s + 3600);
  return claims;
}

}  // namespace nt
