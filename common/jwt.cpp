#include "jwt.hpp"

#include "crypto.hpp"

namespace nt {
namespace {

constexpr size_t kMaxTokenBytes = 8192;

bool get_string(const Json& obj, const char* key, std::string* out) {
  json_t* v = json_object_get(obj.get(), key);
  if (!v || !json_is_string(v)) return false;
  *out = std::string(json_string_value(v), json_string_length(v));
  return true;
}

bool get_int(const Json& obj, const char* key, int64_t* out) {
  json_t* v = json_object_get(obj.get(), key);
  if (!v || !json_is_integer(v)) return false;
  *out = json_integer_value(v);
  return true;
}

}  // namespace

std::string jwt_sign(const Json& payload, std::string_view key) {
  const std::string signing_input =
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_encode(payload.dump());
  return signing_input + "." + base64url_encode(hmac_sha256(key, signing_input));
}

JwtStatus jwt_verify_signature(std::string_view token, std::string_view key, Json* payload) {
  if (token.size() > kMaxTokenBytes) return JwtStatus::kMalformed;
  const size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return JwtStatus::kMalformed;
  const size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return JwtStatus::kMalformed;
  }
  const auto header_raw = base64url_decode(token.substr(0, d1));
  const auto payload_raw = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  const auto sig = base64url_decode(token.substr(d2 + 1));
  if (!header_raw || !payload_raw || !sig) return JwtStatus::kMalformed;

  JsonParseError perr;
  const Json header = parse_json(*header_raw, 4, true, &perr);
  if (!header) return JwtStatus::kMalformed;
  std::string alg;
  if (!get_string(header, "alg", &alg)) return JwtStatus::kMalformed;
  // Pinned: the token never chooses the algorithm (RFC 8725 §3.1).
  if (alg != "HS256") return JwtStatus::kBadAlgorithm;

  const std::string expected = hmac_sha256(key, token.substr(0, d2));
  if (!constant_time_equal(expected, *sig)) return JwtStatus::kBadSignature;

  Json body = parse_json(*payload_raw, 8, true, &perr);
  if (!body) return JwtStatus::kMalformed;
  *payload = std::move(body);
  return JwtStatus::kOk;
}

JwtStatus jwt_decode(std::string_view token, std::string_view key, std::string_view expected_typ,
                     int64_t now, TokenClaims* out, int64_t leeway_s) {
  Json payload;
  const JwtStatus st = jwt_verify_signature(token, key, &payload);
  if (st != JwtStatus::kOk) return st;
  TokenClaims c;
  if (!get_string(payload, "sub", &c.sub) || !get_string(payload, "sid", &c.sid) ||
      !get_string(payload, "jti", &c.jti) || !get_string(payload, "typ", &c.typ) ||
      !get_int(payload, "exp", &c.exp) || !get_int(payload, "iat", &c.iat)) {
    return JwtStatus::kMissingClaims;
  }
  if (c.typ != expected_typ) return JwtStatus::kWrongType;
  if (c.exp < now - leeway_s) return JwtStatus::kExpired;
  int64_t nbf = 0;
  if (get_int(payload, "nbf", &nbf) && nbf - leeway_s > now) return JwtStatus::kNotYetValid;
  if (c.iat - leeway_s > now) return JwtStatus::kNotYetValid;
  *out = std::move(c);
  return JwtStatus::kOk;
}

std::string jwt_issue(const TokenClaims& c, std::string_view key) {
  Json p = Json::object();
  p.set("sub", c.sub).set("sid", c.sid).set("jti", c.jti).set("typ", c.typ).set("iat", c.iat).set(
      "exp", c.exp);
  return jwt_sign(p, key);
}

}  // namespace nt
