#include "sigv4.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "crypto.hpp"
#include "text.hpp"

namespace nt {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 3986 remove_dot_segments plus collapsing of empty segments; keeps a trailing slash.
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  size_t pos = 0;
  while (pos <= path.size()) {
    const size_t end = std::min(path.find('/', pos), path.size());
    const std::string_view seg = path.substr(pos, end - pos);
    const bool last = end == path.size();
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    if (last) trailing_slash = seg.empty() || seg == "." || seg == "..";
    pos = end + 1;
  }
  std::string out;
  for (const auto seg : segments) {
    out += '/';
    out += seg;
  }
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

// Trimmed, with every run of whitespace (folded lines included) turned into one space.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// (lower-case name, values joined by ',' in request order), sorted by name.
SigV4Pairs canonical_headers(const SigV4Pairs& headers) {
  SigV4Pairs lowered;
  lowered.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    lowered.emplace_back(ascii_lower(name), canonical_header_value(value));
  }
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  SigV4Pairs merged;
  for (auto& [name, value] : lowered) {
    if (!merged.empty() && merged.back().first == name) {
      merged.back().second += ',';
      merged.back().second += value;
    } else {
      merged.emplace_back(std::move(name), std::move(value));
    }
  }
  return merged;
}

bool has_header(const SigV4Pairs& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return ascii_lower(h.first) == lower_name; });
}

std::string sign(const SigV4Request& req, const SigV4Credentials& creds, const SigV4Scope& scope,
                 const SigV4Options& opts, SigV4Signed* out) {
  out->canonical_request = sigv4_canonical_request(req, opts);
  out->string_to_sign = sigv4_string_to_sign(out->canonical_request, scope);
  out->signature = sigv4_signature(sigv4_signing_key(creds.secret_key, scope), out->string_to_sign);
  return out->signature;
}

}  // namespace

SigV4Options sigv4_options_for(std::string_view service) {
  SigV4Options opts;
  if (service == "s3") {
    opts.normalize_path = false;
    opts.double_encode_path = false;
    opts.sign_content_sha256 = true;
  }
  return opts;
}

std::string sigv4_amz_date(int64_t epoch_seconds) {
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm): no gmtime, no locale.
  int64_t days = epoch_seconds / 86400;
  int64_t secs = epoch_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[128];  // room for any int64 fields, to satisfy -Wformat-truncation
  std::snprintf(buf, sizeof buf, "%04lld%02lld%02lldT%02lld%02lld%02lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

std::string sigv4_credential_scope(const SigV4Scope& scope) {
  return sigv4_amz_date(scope.epoch_seconds).substr(0, 8) + "/" + scope.region + "/" +
         scope.service + "/aws4_request";
}

std::string sigv4_canonical_uri(std::string_view raw_path, const SigV4Options& opts) {
  std::string path = raw_path.empty() ? std::string("/") : std::string(raw_path);
  if (!opts.double_encode_path) path = url_decode(path, false);
  if (opts.normalize_path) path = normalize_path(path);
  return url_encode(path, true);
}

std::string sigv4_canonical_query(const SigV4Pairs& query) {
  SigV4Pairs encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(url_encode(name, false), url_encode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string sigv4_signed_headers(const SigV4Pairs& headers) {
  std::string out;
  for (const auto& [name, value] : canonical_headers(headers)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string sigv4_canonical_request(const SigV4Request& req, const SigV4Options& opts) {
  std::string out = req.method + "\n" + sigv4_canonical_uri(req.path, opts) + "\n" +
                    sigv4_canonical_query(req.query) + "\n";
  for (const auto& [name, value] : canonical_headers(req.headers)) {
    out += name + ":" + value + "\n";
  }
  out += "\n" + sigv4_signed_headers(req.headers) + "\n" + req.payload_hash;
  return out;
}

std::string sigv4_string_to_sign(std::string_view canonical_request, const SigV4Scope& scope) {
  return std::string(kAlgorithm) + "\n" + sigv4_amz_date(scope.epoch_seconds) + "\n" +
         sigv4_credential_scope(scope) + "\n" + sha256_hex(canonical_request);
}

std::string sigv4_signing_key(std::string_view secret_key, const SigV4Scope& scope) {
  const std::string date = sigv4_amz_date(scope.epoch_seconds).substr(0, 8);
  const std::string k_date = hmac_sha256("AWS4" + std::string(secret_key), date);
  const std::string k_region = hmac_sha256(k_date, scope.region);
  const std::string k_service = hmac_sha256(k_region, scope.service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string sigv4_signature(std::string_view signing_key, std::string_view string_to_sign) {
  return to_hex(hmac_sha256(signing_key, string_to_sign));
}

std::string sigv4_authorization(std::string_view access_key, const SigV4Scope& scope,
                                std::string_view signed_headers, std::string_view signature) {
  return std::string(kAlgorithm) + " Credential=" + std::string(access_key) + "/" +
         sigv4_credential_scope(scope) + ", SignedHeaders=" + std::string(signed_headers) +
         ", Signature=" + std::string(signature);
}

SigV4Signed sigv4_sign_headers(const SigV4Request& req, const SigV4Credentials& creds,
                               const SigV4Scope& scope, const SigV4Options& opts) {
  for (const std::string_view name :
       {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}) {
    if (has_header(req.headers, name)) {
      throw std::invalid_argument("sigv4: request already has header " + std::string(name));
    }
  }
  SigV4Signed out;
  out.headers.emplace_back("X-Amz-Date", sigv4_amz_date(scope.epoch_seconds));
  if (opts.sign_content_sha256) out.headers.emplace_back("X-Amz-Content-Sha256", req.payload_hash);
  if (!creds.session_token.empty() && !opts.omit_session_token) {
    out.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  SigV4Request signed_req = req;
  signed_req.headers.insert(signed_req.headers.end(), out.headers.begin(), out.headers.end());
  sign(signed_req, creds, scope, opts, &out);
  if (!creds.session_token.empty() && opts.omit_session_token) {
    out.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  out.headers.emplace_back(
      "Authorization",
      sigv4_authorization(creds.access_key, scope, sigv4_signed_headers(signed_req.headers),
                          out.signature));
  return out;
}

SigV4Pairs sign_headers(const SigV4Request& req, const SigV4Credentials& creds,
                        const SigV4Scope& scope) {
  return sigv4_sign_headers(req, creds, scope, sigv4_options_for(scope.service)).headers;
}

SigV4Signed sigv4_presign(const SigV4Request& req, const SigV4Credentials& creds,
                          const SigV4Scope& scope, int64_t expires_seconds,
                          const SigV4Options& opts) {
  if (expires_seconds < 1 || expires_seconds > kSigV4MaxExpiresSeconds) {
    throw std::invalid_argument("sigv4: X-Amz-Expires must be 1..604800");
  }
  SigV4Request signed_req = req;
  SigV4Pairs& q = signed_req.query;
  q.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  q.emplace_back("X-Amz-Credential", creds.access_key + "/" + sigv4_credential_scope(scope));
  q.emplace_back("X-Amz-Date", sigv4_amz_date(scope.epoch_seconds));
  q.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  q.emplace_back("X-Amz-SignedHeaders", sigv4_signed_headers(req.headers));
  if (!creds.session_token.empty() && !opts.omit_session_token) {
    q.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  SigV4Signed out;
  sign(signed_req, creds, scope, opts, &out);
  out.query = sigv4_canonical_query(q);
  if (!creds.session_token.empty() && opts.omit_session_token) {
    out.query += "&X-Amz-Security-Token=" + url_encode(creds.session_token, false);
  }
  out.query += "&X-Amz-Signature=" + out.signature;
  return out;
}

std::string presign_url(std::string_view method, std::string_view host, std::string_view path,
                        const SigV4Pairs& query, const SigV4Credentials& creds,
                        const SigV4Scope& scope, int64_t expires_seconds) {
  const SigV4Options opts = sigv4_options_for(scope.service);
  SigV4Request req;
  req.method = std::string(method);
  req.path = std::string(path);
  req.query = query;
  req.headers.emplace_back("host", std::string(host));
  // S3 presigned URLs never bind the body; other services sign the (empty) body of the URL.
  req.payload_hash = scope.service == "s3" ? std::string(kSigV4UnsignedPayload) : sha256_hex("");
  return sigv4_presign(req, creds, scope, expires_seconds, opts).query;
}

}  // namespace nt
