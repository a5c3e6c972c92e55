#include "storage_s3.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "crypto.hpp"
#include "http_client.hpp"
#include "sigv4.hpp"
#include "text.hpp"

namespace nt {
namespace {

// get() is for tools and tests; the API never stores more than MAX_FILE_SIZE.
constexpr size_t kMaxGetBytes = 256u * 1024 * 1024;

[[noreturn]] void bad_endpoint(const std::string& endpoint) {
  throw ConfigError("invalid settings: S3_ENDPOINT (http(s)://host[:port][/path], got \"" +
                    endpoint + "\")");
}

// The <Code> of an S3 XML error body, if it has a plausible one ("" otherwise).
std::string s3_error_code(std::string_view body) {
  const size_t start = body.find("<Code>");
  if (start == std::string_view::npos) return "";
  const size_t end = body.find("</Code>", start);
  if (end == std::string_view::npos) return "";
  const std::string_view code = body.substr(start + 6, end - start - 6);
  const bool plain = code.size() <= 64 && std::all_of(code.begin(), code.end(), [](char c) {
                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                              (c >= '0' && c <= '9') || c == '.';
                     });
  return plain ? std::string(code) : "";
}

class S3Storage final : public Storage {
 public:
  explicit S3Storage(const Config& cfg)
      : bucket_(s3_bucket(cfg)),
        creds_{cfg.aws_access_key_id, cfg.aws_secret_access_key, cfg.aws_session_token},
        region_(cfg.aws_region),
        presign_seconds_(cfg.s3_presign_seconds),
        timeout_ms_(static_cast<long>(cfg.http_client_timeout_ms)) {}

  const char* name() const override { return "s3"; }

  void put(const std::string& key, std::string_view bytes,
           const std::string& content_type) const override {
    const std::string type = content_type.empty() ? "application/octet-stream" : content_type;
    const HttpResponse resp = send("PUT", key, bytes, type);
    if (!resp.ok()) fail("PUT", key, resp);
  }

  void remove(const std::string& key) const override {
    const HttpResponse resp = send("DELETE", key, {}, "");
    if (!resp.ok() && resp.status != 404) fail("DELETE", key, resp);
  }

  bool exists(const std::string& key) const override {
    const HttpResponse resp = send("HEAD", key, {}, "");
    if (resp.status == 404) return false;
    if (!resp.ok()) fail("HEAD", key, resp);
    return true;
  }

  std::string get(const std::string& key) const override {
    HttpResponse resp = send("GET", key, {}, "");
    if (!resp.ok()) fail("GET", key, resp);
    return std::move(resp.body);
  }

  DownloadTarget download(const std::string& key, const DownloadOptions& opts) const override {
    const std::string path = s3_object_path(bucket_, key);
    SigV4Pairs query;
    if (!opts.content_type.empty()) query.emplace_back("response-content-type", opts.content_type);
    if (!opts.content_disposition.empty()) {
      query.emplace_back("response-content-disposition", opts.content_disposition);
    }
    const std::string signed_query =
        presign_url("GET", bucket_.host, path, query, creds_, scope(), presign_seconds_);
    return DownloadTarget{false, bucket_.origin + path + "?" + signed_query};
  }

 private:
  SigV4Scope scope() const { return SigV4Scope{region_, "s3", std::time(nullptr)}; }

  // One signed request on the object at `key`; transport failures come back as status 0.
  HttpResponse send(const std::string& method, const std::string& key, std::string_view body,
                    const std::string& content_type) const {
    SigV4Request sig;
    sig.method = method;
    sig.path = s3_object_path(bucket_, key);
    sig.headers.emplace_back("Host", bucket_.host);
    if (!content_type.empty()) sig.headers.emplace_back("Content-Type", content_type);
    sig.payload_hash = sha256_hex(body);
    HttpRequest req;
    req.method = method;
    req.url = bucket_.origin + sig.path;
    req.headers = sig.headers;
    for (auto& header : sign_headers(sig, creds_, scope()))
      req.headers.push_back(std::move(header));
    req.body = body;
    // HTTP_CLIENT_TIMEOUT_MS is meant for small calls: uploads get 1 ms more per KiB
    // (about 1 s per MiB) so a 10 MiB file to a distant region is not cut off.
    req.timeout_ms = timeout_ms_ + static_cast<long>(body.size() / 1024);
    req.connect_timeout_ms = std::min(timeout_ms_, 2000L);
    req.max_response_bytes = kMaxGetBytes;
    return http_request(req);
  }

  // The message is logged, never shown to clients (StorageError maps to 503).
  [[noreturn]] static void fail(const char* method, const std::string& key,
                                const HttpResponse& resp) {
    std::string msg = std::string("s3 ") + method + " " + key + ": ";
    if (resp.status == 0) throw StorageError(msg + resp.error);
    msg += "HTTP " + std::to_string(resp.status);
    const std::string code = s3_error_code(resp.body);
    if (!code.empty()) msg += " " + code;
    throw StorageError(msg);
  }

  S3Bucket bucket_;
  SigV4Credentials creds_;
  std::string region_;
  int64_t presign_seconds_;
  long timeout_ms_;
};

}  // namespace

S3Bucket s3_bucket(const Config& cfg) {
  if (cfg.s3_endpoint.empty()) {
    const std::string host = cfg.aws_s3_bucket + ".s3." + cfg.aws_region + ".amazonaws.com";
    return S3Bucket{"https://" + host, host, ""};
  }
  std::string_view rest = cfg.s3_endpoint;
  const bool https = rest.starts_with("https://");
  if (!https && !rest.starts_with("http://")) bad_endpoint(cfg.s3_endpoint);
  rest.remove_prefix(https ? 8 : 7);
  const std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = rest.substr(authority.size());
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (authority.empty() || authority.find_first_of("@?# \t") != std::string_view::npos ||
      path.find_first_of("?# \t") != std::string_view::npos) {
    bad_endpoint(cfg.s3_endpoint);
  }
  // host[:port], where an IPv6 literal is bracketed ("[::1]:9000").
  std::string_view hostname = authority;
  int port = https ? 443 : 80;
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    hostname = authority.substr(0, colon);
    const std::string_view digits = authority.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535) {
      bad_endpoint(cfg.s3_endpoint);
    }
  }
  if (hostname.empty()) bad_endpoint(cfg.s3_endpoint);
  const bool default_port = port == (https ? 443 : 80);
  return S3Bucket{std::string(https ? "https://" : "http://") + std::string(authority),
                  std::string(default_port ? hostname : authority),
                  std::string(path) + "/" + url_encode(cfg.aws_s3_bucket, false)};
}

std::string s3_object_path(const S3Bucket& bucket, std::string_view key) {
  if (!valid_storage_key(key)) throw StorageError("invalid storage key");
  return bucket.path_prefix + "/" + url_encode(key, true);
}

std::unique_ptr<Storage> make_s3_storage(const Config& cfg) {
  return std::make_unique<S3Storage>(cfg);
}

}  // namespace nt
