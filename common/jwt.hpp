// JWT HS256 (RFC 7515/7519) with the algorithm pinned: the header must say HS256, the
// signature is checked in constant time before any claim is trusted, and the token type
// (access/refresh) is an explicit claim checked by the caller's expectation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json.hpp"

namespace nt {

enum class JwtStatus { kOk, kMalformed, kBadAlgorithm, kBadSignature, kExpired, kNotYetValid,
                       kWrongType, kMissingClaims };

struct TokenClaims {
  std::string sub;  // user id
  std::string sid;  // session (refresh family) id
  std::string jti;
  std::string typ;  // "access" or "refresh"
  int64_t iat = 0;
  int64_t exp = 0;
};

// Signs header {"alg":"HS256","typ":"JWT"} + payload as given.
std::string jwt_sign(const Json& payload, std::string_view key);

// Checks structure, pinned algorithm and signature only; on success fills `payload`.
JwtStatus jwt_verify_signature(std::string_view token, std::string_view key, Json* payload);

// Full check for our tokens: signature, exp/nbf with `leeway_s` against `now`, required claims
// and `expected_typ`.
JwtStatus jwt_decode(std::string_view token, std::string_view key, std::string_view expected_typ,
                     int64_t now, TokenClaims* out, int64_t leeway_s = 30);

std::string jwt_issue(const TokenClaims& claims, std::string_view key);

}  // namespace nt
