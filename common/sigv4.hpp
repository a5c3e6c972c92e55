// AWS Signature Version 4 (AWS4-HMAC-SHA256) for S3-compatible object storage and other AWS
// services: Authorization-header signing and presigned URLs. Each step (canonical request,
// string to sign, signing key, signature) is its own function so the unit test can check it
// against the official aws-c-auth suite. Pure functions, no I/O, no clock: the caller passes
// the time in SigV4Scope. Every function is thread-safe. SigV4a (ECDSA) and aws-chunked
// streaming payloads are not supported.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nt {

using SigV4Pairs = std::vector<std::pair<std::string, std::string>>;

struct SigV4Request {
  std::string method;        // "GET", "PUT", ...
  std::string path;          // raw, as sent on the wire ("/bucket/key", "/a%20b")
  SigV4Pairs query;          // decoded name/value pairs; a name without value has ""
  SigV4Pairs headers;        // every header here is signed; must include Host
  std::string payload_hash;  // lower-case hex sha256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigV4Credentials {
  std::string access_key, secret_key, session_token;  // session_token "" when not temporary
};

struct SigV4Scope {
  std::string region, service;
  int64_t epoch_seconds = 0;  // request time, UTC
};

// How the canonical request is built. sigv4_options_for() gives the right set per service.
struct SigV4Options {
  // Remove "." / ".." segments and collapse "//" before encoding (not for S3: "a//b" and
  // "a/./b" are distinct keys there).
  bool normalize_path = true;
  // true: encode the path as sent, so "%20" becomes "%2520" (every service but S3).
  // false: percent-decode it first and encode once (S3).
  bool double_encode_path = true;
  // Header mode: add and sign x-amz-content-sha256 with the payload hash (S3 requires it).
  bool sign_content_sha256 = false;
  // Add the session token after signing, unsigned (some services, e.g. IoT, want this).
  bool omit_session_token = false;
};

// S3 ("s3"): no normalization, single encoding, x-amz-content-sha256. Others: the defaults.
SigV4Options sigv4_options_for(std::string_view service);

constexpr int64_t kSigV4MaxExpiresSeconds = 604800;  // 7 days, the AWS limit for presigning
constexpr std::string_view kSigV4UnsignedPayload = "UNSIGNED-PAYLOAD";

// --- Steps, each checked against the suite's intermediate files. ---

// "20150830T123600Z" for the scope's time.
std::string sigv4_amz_date(int64_t epoch_seconds);
// "20150830/us-east-1/service/aws4_request".
std::string sigv4_credential_scope(const SigV4Scope& scope);
// URI-encoding is text.hpp's url_encode (RFC 3986, upper-case hex), as SigV4 asks.
// The CanonicalURI line for a raw path ("" counts as "/").
std::string sigv4_canonical_uri(std::string_view raw_path, const SigV4Options& opts);
// "a=1&b=" from decoded pairs: encoded, sorted by name then value.
std::string sigv4_canonical_query(const SigV4Pairs& query);
// Lower-case, ';'-joined, sorted names of req.headers.
std::string sigv4_signed_headers(const SigV4Pairs& headers);
// The canonical request exactly as signed: req.headers (and req.query) must already hold
// everything to sign, e.g. x-amz-date in header mode or the X-Amz-* parameters in query mode.
std::string sigv4_canonical_request(const SigV4Request& req, const SigV4Options& opts);
std::string sigv4_string_to_sign(std::string_view canonical_request, const SigV4Scope& scope);
// Raw 32-byte kSigning for the scope's date, region and service.
std::string sigv4_signing_key(std::string_view secret_key, const SigV4Scope& scope);
// Lower-case hex HMAC of the string to sign.
std::string sigv4_signature(std::string_view signing_key, std::string_view string_to_sign);
// "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=a;b, Signature=hex".
std::string sigv4_authorization(std::string_view access_key, const SigV4Scope& scope,
                                std::string_view signed_headers, std::string_view signature);

// --- Whole signatures. ---

// A signature with the intermediate values that produced it.
struct SigV4Signed {
  SigV4Pairs headers;  // header mode: headers to add to the request
  std::string query;   // query mode: the full query string, without '?'
  std::string canonical_request, string_to_sign, signature;
};

// Header mode. Adds X-Amz-Date, X-Amz-Content-Sha256 (opts.sign_content_sha256),
// X-Amz-Security-Token (when creds carry one) and Authorization. req.headers must not already
// contain any of these; throws std::invalid_argument if it does.
SigV4Signed sigv4_sign_headers(const SigV4Request& req, const SigV4Credentials& creds,
                               const SigV4Scope& scope, const SigV4Options& opts);
// The headers to add, with the options for scope.service.
SigV4Pairs sign_headers(const SigV4Request& req, const SigV4Credentials& creds,
                        const SigV4Scope& scope);

// Query mode (presigning). req.query holds the caller's own parameters; X-Amz-Algorithm,
// -Credential, -Date, -Expires, -SignedHeaders (and -Security-Token) are added and signed,
// then X-Amz-Signature is appended. Throws std::invalid_argument unless
// 1 <= expires_seconds <= kSigV4MaxExpiresSeconds.
SigV4Signed sigv4_presign(const SigV4Request& req, const SigV4Credentials& creds,
                          const SigV4Scope& scope, int64_t expires_seconds,
                          const SigV4Options& opts);
// A presigned URL's query string (without '?') for `method` on https://host/path, signing only
// the Host header. For S3 the payload line is UNSIGNED-PAYLOAD, otherwise the empty-body hash.
// `host` carries ":port" when it is not the default; `path` is the raw path of the URL.
std::string presign_url(std::string_view method, std::string_view host, std::string_view path,
                        const SigV4Pairs& query, const SigV4Credentials& creds,
                        const SigV4Scope& scope, int64_t expires_seconds);

}  // namespace nt
