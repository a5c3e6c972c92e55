// AWS Signature Version 4 (common/sigv4.hpp) against the official suites in
// shared/vectors/sigv4_cases.json: aws-c-auth v4 (header and query mode), botocore's classic
// layout (header mode), the S3 API Reference examples (header and presigned) and the AWS
// General Reference signing-key example. Every step is compared byte for byte.
#include "sigv4.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "crypto.hpp"
#include "test_files.hpp"
#include "text.hpp"

namespace nt {
namespace {

using test::json_str;

constexpr int64_t kSuiteEpoch = 1'440'938'160;  // 2015-08-30T12:36:00Z
constexpr int64_t kS3Epoch = 1'369'353'600;     // 2013-05-24T00:00:00Z

Json load_vectors() {
  return test::load_json_file(NERUTALK_VECTORS_DIR "/sigv4_cases.json");
}

Json member(const Json& obj, const char* key) {
  return obj.at(key);
}

bool json_bool(const Json& obj, const char* key) {
  return json_is_true(json_object_get(obj.get(), key));
}

// "a=1&b&c=%2F" as decoded pairs.
SigV4Pairs parse_query(const std::string& q) {
  SigV4Pairs out;
  size_t pos = 0;
  while (pos < q.size()) {
    size_t end = q.find('&', pos);
    if (end == std::string::npos) end = q.size();
    const std::string item = q.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(url_decode(item, false), "");
    } else {
      out.emplace_back(url_decode(item.substr(0, eq), false),
                       url_decode(item.substr(eq + 1), false));
    }
    pos = end + 1;
  }
  return out;
}

struct RawRequest {
  SigV4Request req;
  std::string raw_query;  // as written after '?'
  std::string body;
};

// A request.txt: request line, "Name:value" lines (an indented line continues the previous
// value), then an optional blank line and body.
RawRequest parse_request(const std::string& text) {
  RawRequest out;
  size_t pos = text.find('\n');
  const std::string line = text.substr(0, pos);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(" HTTP/");
  out.req.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.empty() || target[0] != '/') target = "/" + target;  // S3 docs write "PUT key"
  const size_t qm = target.find('?');
  out.req.path = target.substr(0, qm);
  if (qm != std::string::npos) {
    out.raw_query = target.substr(qm + 1);
    out.req.query = parse_query(out.raw_query);
  }
  while (pos != std::string::npos && pos + 1 <= text.size()) {
    const size_t start = pos + 1;
    pos = text.find('\n', start);
    const std::string l = text.substr(start, pos == std::string::npos ? pos : pos - start);
    if (l.empty()) {
      if (pos != std::string::npos) out.body = text.substr(pos + 1);
      break;
    }
    if ((l[0] == ' ' || l[0] == '\t') && !out.req.headers.empty()) {
      out.req.headers.back().second += "\n" + l;
    } else {
      const size_t colon = l.find(':');
      const size_t value = l.find_first_not_of(" \t", colon + 1);
      out.req.headers.emplace_back(l.substr(0, colon),
                                   value == std::string::npos ? "" : l.substr(value));
    }
  }
  out.req.payload_hash = sha256_hex(out.body);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Headers of `signed_request` that `original` does not have, names lower-cased, sorted.
SigV4Pairs added_headers(const SigV4Pairs& original, const SigV4Pairs& signed_headers) {
  SigV4Pairs out;
  for (const auto& h : signed_headers) {
    if (std::find(original.begin(), original.end(), h) == original.end()) {
      out.emplace_back(lower(h.first), h.second);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

SigV4Pairs lowered_sorted(SigV4Pairs headers) {
  for (auto& h : headers) h.first = lower(h.first);
  std::sort(headers.begin(), headers.end());
  return headers;
}

SigV4Pairs without(SigV4Pairs headers, const std::string& lower_name) {
  std::erase_if(headers, [&](const auto& h) { return lower(h.first) == lower_name; });
  return headers;
}

std::string header_value(const SigV4Pairs& headers, const std::string& lower_name) {
  for (const auto& h : headers) {
    if (lower(h.first) == lower_name) return h.second;
  }
  return "";
}

// ---------------------------------------------------------------- steps

TEST(SigV4, AmzDateAndScope) {
  EXPECT_EQ(sigv4_amz_date(kSuiteEpoch), "20150830T123600Z");
  EXPECT_EQ(sigv4_amz_date(kS3Epoch), "20130524T000000Z");
  EXPECT_EQ(sigv4_amz_date(0), "19700101T000000Z");
  EXPECT_EQ(sigv4_amz_date(1'709'251'199), "20240229T235959Z");
  EXPECT_EQ(sigv4_credential_scope({"us-east-1", "service", kSuiteEpoch}),
            "20150830/us-east-1/service/aws4_request");
}

TEST(SigV4, SigningKeysFromTheDocs) {
  const Json doc = load_vectors();
  ASSERT_TRUE(doc);
  const Json general = member(doc, "general_docs_signing_key_example");
  EXPECT_EQ(to_hex(sigv4_signing_key(
                json_str(general, "secret_access_key"),
                {json_str(general, "region"), json_str(general, "service"), 1'329'264'000})),
            json_str(general, "expected_signing_key_hex"));
  const Json common = member(doc, "common");
  EXPECT_EQ(to_hex(sigv4_signing_key(json_str(common, "secret_access_key"),
                                     {"us-east-1", "service", kSuiteEpoch})),
            json_str(common, "suite_signing_key_hex"));
  const Json s3 = member(doc, "s3_doc_examples");
  EXPECT_EQ(
      to_hex(sigv4_signing_key(json_str(s3, "secret_access_key"), {"us-east-1", "s3", kS3Epoch})),
      json_str(s3, "signing_key_hex"));
}

TEST(SigV4, UriEncodingAndPaths) {
  EXPECT_EQ(url_encode("a b/c+d=e;f~", true), "a%20b/c%2Bd%3De%3Bf~");
  EXPECT_EQ(url_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(url_encode("\xff\x01~", false), "%FF%01~");
  // Paths keep '+'; query strings read it as a space; a malformed escape stays as it is.
  EXPECT_EQ(url_decode("/a%2fb+c%zz%4", false), "/a/b+c%zz%4");
  EXPECT_EQ(url_decode("a%2Bb+c", true), "a+b c");
  const SigV4Options other = sigv4_options_for("service");
  const SigV4Options s3 = sigv4_options_for("s3");
  // Other services encode the path as sent, so an escape is escaped again.
  EXPECT_EQ(sigv4_canonical_uri("/a%20b", other), "/a%2520b");
  EXPECT_EQ(sigv4_canonical_uri("/example/..", other), "/");
  EXPECT_EQ(sigv4_canonical_uri("//example//", other), "/example/");
  EXPECT_EQ(sigv4_canonical_uri("", other), "/");
  // S3 encodes once and keeps "//" and "." segments: they name different keys.
  EXPECT_EQ(sigv4_canonical_uri("/a%20b", s3), "/a%20b");
  EXPECT_EQ(sigv4_canonical_uri("/a b", s3), "/a%20b");
  EXPECT_EQ(sigv4_canonical_uri("/bucket/a//b/./c", s3), "/bucket/a//b/./c");
  EXPECT_EQ(sigv4_canonical_uri("/test$file.text", s3), "/test%24file.text");
  EXPECT_EQ(sigv4_canonical_query({{"lifecycle", ""}}), "lifecycle=");
  EXPECT_EQ(sigv4_canonical_query({{"b", "2"}, {"a", "y"}, {"a", "x"}}), "a=x&a=y&b=2");
}

// ---------------------------------------------------------------- aws-c-auth v4 suite

// All 38 cases apply in both modes: they use only AWS4-HMAC-SHA256 (the v4a/ECDSA cases live
// in another folder that the vector file does not carry) and no streaming payloads.
constexpr int kExpectedSuiteCases = 38;

TEST(SigV4, AwsCAuthSuiteHeaderAndQueryMode) {
  const Json doc = load_vectors();
  ASSERT_TRUE(doc);
  json_t* cases = json_object_get(doc.get(), "cases");
  ASSERT_TRUE(json_is_array(cases));
  int header_ran = 0, query_ran = 0;
  for (size_t i = 0; i < json_array_size(cases); ++i) {
    const Json c = Json::borrow(json_array_get(cases, i));
    const std::string name = json_str(c, "name");
    SCOPED_TRACE(name);
    const Json ctx = member(c, "context");
    const Json cred = member(ctx, "credentials");
    ASSERT_EQ(json_str(ctx, "timestamp"), "2015-08-30T12:36:00Z");
    const SigV4Credentials creds{json_str(cred, "access_key_id"),
                                 json_str(cred, "secret_access_key"), json_str(cred, "token")};
    const SigV4Scope scope{json_str(ctx, "region"), json_str(ctx, "service"), kSuiteEpoch};
    SigV4Options opts = sigv4_options_for(scope.service);
    opts.normalize_path = json_bool(ctx, "normalize");
    opts.sign_content_sha256 = json_bool(ctx, "sign_body");
    opts.omit_session_token = json_bool(ctx, "omit_session_token");
    const RawRequest raw = parse_request(json_str(c, "request"));

    // Header mode.
    const SigV4Signed h = sigv4_sign_headers(raw.req, creds, scope, opts);
    EXPECT_EQ(h.canonical_request, json_str(c, "header_canonical_request"));
    EXPECT_EQ(h.string_to_sign, json_str(c, "header_string_to_sign"));
    EXPECT_EQ(h.signature, json_str(c, "header_signature"));
    const RawRequest expected_h = parse_request(json_str(c, "header_signed_request"));
    EXPECT_EQ(lowered_sorted(h.headers), added_headers(raw.req.headers, expected_h.req.headers));
    // The step functions alone give the same answer.
    EXPECT_EQ(sigv4_string_to_sign(json_str(c, "header_canonical_request"), scope),
              json_str(c, "header_string_to_sign"));
    EXPECT_EQ(sigv4_signature(sigv4_signing_key(creds.secret_key, scope),
                              json_str(c, "header_string_to_sign")),
              json_str(c, "header_signature"));
    ++header_ran;

    // Query mode: the suite signs the real body hash, not UNSIGNED-PAYLOAD.
    const SigV4Signed q = sigv4_presign(raw.req, creds, scope, 3600, opts);
    EXPECT_EQ(q.canonical_request, json_str(c, "query_canonical_request"));
    EXPECT_EQ(q.string_to_sign, json_str(c, "query_string_to_sign"));
    EXPECT_EQ(q.signature, json_str(c, "query_signature"));
    // Parameter order in the URL is free; every parameter must match after decoding.
    SigV4Pairs got = parse_query(q.query);
    SigV4Pairs want = parse_request(json_str(c, "query_signed_request")).req.query;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
    ++query_ran;
  }
  EXPECT_EQ(header_ran, kExpectedSuiteCases);
  EXPECT_EQ(query_ran, kExpectedSuiteCases);
}

// ---------------------------------------------------------------- botocore classic layout

// All 34 apply (header mode only: the classic layout has no query-mode files). Its requests
// already carry X-Amz-Date (and the token for post-sts-header-before); its copies of the
// x-www-form-urlencoded cases do not sign x-amz-content-sha256.
constexpr int kExpectedClassicCases = 34;

// The context of the aws-c-auth case with the same name ("post-sts-token/x" -> "x"); the
// classic layout keeps the session token of get-vanilla-with-session-token only there.
Json suite_context(const Json& doc, std::string name) {
  name = name.substr(name.find('/') + 1);
  json_t* cases = json_object_get(doc.get(), "cases");
  for (size_t i = 0; i < json_array_size(cases); ++i) {
    const Json c = Json::borrow(json_array_get(cases, i));
    if (json_str(c, "name") == name) return member(c, "context");
  }
  return Json();
}

TEST(SigV4, BotocoreClassicSuiteHeaderMode) {
  const Json doc = load_vectors();
  ASSERT_TRUE(doc);
  json_t* cases = json_object_get(doc.get(), "botocore_classic_cases");
  ASSERT_TRUE(json_is_array(cases));
  int ran = 0;
  for (size_t i = 0; i < json_array_size(cases); ++i) {
    const Json c = Json::borrow(json_array_get(cases, i));
    SCOPED_TRACE(json_str(c, "name"));
    RawRequest raw = parse_request(json_str(c, "request"));
    const SigV4Scope scope{"us-east-1", "service", kSuiteEpoch};
    SigV4Options opts = sigv4_options_for("service");
    SigV4Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                           header_value(raw.req.headers, "x-amz-security-token")};
    const Json ctx = suite_context(doc, json_str(c, "name"));
    opts.omit_session_token = json_bool(ctx, "omit_session_token");
    const std::string token = json_str(member(ctx, "credentials"), "token");
    if (creds.session_token.empty() && !token.empty() && !opts.omit_session_token) {
      // Only get-vanilla-with-session-token: its .req leaves the token to the harness.
      creds.session_token = token;
      raw.req.headers.emplace_back("X-Amz-Security-Token", token);
    }

    // Steps on the request as written.
    const std::string creq = sigv4_canonical_request(raw.req, opts);
    EXPECT_EQ(creq, json_str(c, "canonical_request"));
    const std::string sts = sigv4_string_to_sign(creq, scope);
    EXPECT_EQ(sts, json_str(c, "string_to_sign"));
    EXPECT_EQ(sigv4_authorization(creds.access_key, scope, sigv4_signed_headers(raw.req.headers),
                                  sigv4_signature(sigv4_signing_key(creds.secret_key, scope), sts)),
              json_str(c, "authorization"));

    // The whole signer adds X-Amz-Date and the token itself.
    SigV4Request bare = raw.req;
    bare.headers = without(without(bare.headers, "x-amz-date"), "x-amz-security-token");
    const SigV4Pairs added = sigv4_sign_headers(bare, creds, scope, opts).headers;
    EXPECT_EQ(header_value(added, "authorization"), json_str(c, "authorization"));
    EXPECT_EQ(header_value(added, "x-amz-date"), "20150830T123600Z");
    ++ran;
  }
  EXPECT_EQ(ran, kExpectedClassicCases);
}

// ---------------------------------------------------------------- S3 documentation examples

std::string without_spaces_after_commas(std::string s) {
  for (size_t p; (p = s.find(", ")) != std::string::npos;) s.erase(p + 1, 1);
  return s;
}

TEST(SigV4, S3DocumentationExamples) {
  const Json doc = load_vectors();
  ASSERT_TRUE(doc);
  const Json s3 = member(doc, "s3_doc_examples");
  const SigV4Credentials creds{json_str(s3, "access_key_id"), json_str(s3, "secret_access_key"),
                               ""};
  const SigV4Scope scope{json_str(s3, "region"), json_str(s3, "service"), kS3Epoch};
  ASSERT_EQ(scope.service, "s3");
  const SigV4Options opts = sigv4_options_for("s3");
  json_t* examples = json_object_get(s3.get(), "examples");
  int header_ran = 0, presign_ran = 0;
  for (size_t i = 0; i < json_array_size(examples); ++i) {
    const Json e = Json::borrow(json_array_get(examples, i));
    const std::string name = json_str(e, "name");
    SCOPED_TRACE(name);
    if (name == "s3_presigned_get") {
      SigV4Request req{"GET",
                       "/test.txt",
                       {},
                       {{"host", "examplebucket.s3.amazonaws.com"}},
                       std::string(kSigV4UnsignedPayload)};
      const SigV4Signed q = sigv4_presign(req, creds, scope, 86400, opts);
      EXPECT_EQ(q.canonical_request, json_str(e, "canonical_request"));
      EXPECT_EQ(q.string_to_sign, json_str(e, "string_to_sign"));
      EXPECT_EQ(q.signature, json_str(e, "expected_signature"));
      const std::string qs = presign_url("GET", "examplebucket.s3.amazonaws.com", "/test.txt", {},
                                         creds, scope, 86400);
      EXPECT_EQ("https://examplebucket.s3.amazonaws.com/test.txt?" + qs,
                json_str(e, "expected_url"));
      ++presign_ran;
      continue;
    }
    const RawRequest raw = parse_request(json_str(e, "request"));
    // The documented x-amz-content-sha256 is the hash of the documented body.
    EXPECT_EQ(header_value(raw.req.headers, "x-amz-content-sha256"), raw.req.payload_hash);
    const std::string creq = sigv4_canonical_request(raw.req, opts);
    EXPECT_EQ(creq, json_str(e, "canonical_request"));
    EXPECT_EQ(sigv4_string_to_sign(creq, scope), json_str(e, "string_to_sign"));
    // sign_headers adds x-amz-date and x-amz-content-sha256 itself.
    SigV4Request bare = raw.req;
    bare.headers = without(without(bare.headers, "x-amz-date"), "x-amz-content-sha256");
    const SigV4Signed h = sigv4_sign_headers(bare, creds, scope, opts);
    EXPECT_EQ(h.canonical_request, json_str(e, "canonical_request"));
    EXPECT_EQ(h.signature, json_str(e, "expected_signature"));
    const SigV4Pairs added = sign_headers(bare, creds, scope);
    EXPECT_EQ(header_value(added, "x-amz-content-sha256"), raw.req.payload_hash);
    // The docs write "," between the parts and the suite ", "; AWS accepts both.
    EXPECT_EQ(without_spaces_after_commas(header_value(added, "authorization")),
              json_str(e, "authorization"));
    ++header_ran;
  }
  EXPECT_EQ(header_ran, 4);
  EXPECT_EQ(presign_ran, 1);
}

// ---------------------------------------------------------------- our own contract

TEST(SigV4, PresignRejectsBadExpiry) {
  const SigV4Credentials creds{"AKID", "secret", ""};
  const SigV4Scope scope{"us-east-1", "s3", kS3Epoch};
  EXPECT_THROW(presign_url("GET", "h", "/k", {}, creds, scope, 0), std::invalid_argument);
  EXPECT_THROW(presign_url("GET", "h", "/k", {}, creds, scope, 604801), std::invalid_argument);
  EXPECT_NE(presign_url("GET", "h", "/k", {}, creds, scope, 604800).find("&X-Amz-Expires=604800&"),
            std::string::npos);
}

TEST(SigV4, PresignS3WithSessionTokenAndPort) {
  const SigV4Credentials creds{"AKID", "secret", "tok/en+=="};
  const SigV4Scope scope{"us-east-1", "s3", kS3Epoch};
  const std::string qs = presign_url("PUT", "localhost:9000", "/bucket/a b.png",
                                     {{"x-id", "PutObject"}}, creds, scope, 900);
  EXPECT_NE(qs.find("X-Amz-Security-Token=tok%2Fen%2B%3D%3D&"), std::string::npos);
  EXPECT_NE(qs.find("X-Amz-Expires=900&"), std::string::npos);
  EXPECT_NE(qs.find("X-Amz-SignedHeaders=host&"), std::string::npos);
  EXPECT_NE(qs.find("x-id=PutObject"), std::string::npos);
  // The signature is over the token, the port and the single-encoded path.
  SigV4Request req{"PUT",
                   "/bucket/a b.png",
                   {{"x-id", "PutObject"}},
                   {{"host", "localhost:9000"}},
                   std::string(kSigV4UnsignedPayload)};
  const SigV4Signed s = sigv4_presign(req, creds, scope, 900, sigv4_options_for("s3"));
  EXPECT_EQ(qs, s.query);
  EXPECT_NE(s.canonical_request.find("\n/bucket/a%20b.png\n"), std::string::npos);
  EXPECT_NE(s.canonical_request.find("\nhost:localhost:9000\n"), std::string::npos);
  EXPECT_EQ(qs.substr(qs.size() - 64), s.signature);
}

TEST(SigV4, SignHeadersS3AddsContentHashAndToken) {
  const SigV4Credentials creds{"AKID", "secret", "token"};
  const SigV4Scope scope{"eu-west-1", "s3", kS3Epoch};
  SigV4Request req{"GET", "/b/k", {}, {{"Host", "s3.example"}}, sha256_hex("")};
  const SigV4Pairs added = sign_headers(req, creds, scope);
  EXPECT_EQ(header_value(added, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(header_value(added, "x-amz-content-sha256"), sha256_hex(""));
  EXPECT_EQ(header_value(added, "x-amz-security-token"), "token");
  EXPECT_NE(header_value(added, "authorization")
                .find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  req.headers.emplace_back("X-Amz-Date", "20130524T000000Z");
  EXPECT_THROW(sign_headers(req, creds, scope), std::invalid_argument);
}

}  // namespace
}  // namespace nt
