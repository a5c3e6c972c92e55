// FcmClient (common/fcm_client.hpp) with a scripted transport instead of the network: the
// service-account file, the JWT-bearer token request (its assertion verified with OpenSSL under
// the public key), one token for many sends, one refresh on a 401, the retry loop's waits, and
// which failures never reach FCM.
#include "fcm_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto.hpp"
#include "test_rsa.hpp"
#include "time_util.hpp"

namespace nt {
namespace {

using ::testing::HasSubstr;

constexpr const char* kTokenUri = "https://oauth2.googleapis.com/token";
constexpr const char* kEmail = "push@nerutalk-test.iam.gserviceaccount.com";

std::string service_account_json(const std::string& private_pem, const std::string& project) {
  Json j = Json::object();
  j.set("type", "service_account")
      .set("project_id", project)
      .set("private_key_id", "kid-42")
      .set("private_key", private_pem)
      .set("client_email", kEmail)
      .set("token_uri", kTokenUri);
  return j.dump();
}

ServiceAccount account(const std::string& project = "file-project") {
  return parse_service_account(service_account_json(test::rsa_key_a().private_pem, project),
                               "test account");
}

Config config(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> vars = {{"DATABASE_URL", "postgresql://x@/x"},
                                             {"REDIS_URL", "redis://127.0.0.1:6379/0"},
                                             {"JWT_SECRET_KEY", std::string(32, 's')},
                                             {"FCM_BASE_URL", "http://fcm.test/"}};
  for (auto& [k, v] : extra) vars[k] = v;
  return config_from_map(vars);
}

std::string config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const FcmConfigError& e) {
    return e.what();
  }
  return "";
}

// A transport that records requests and answers from per-URL queues (the last answer of a queue
// repeats once it is the only one left); the token URI, unless scripted, issues "tok-1",
// "tok-2", ... in turn.
struct Script {
  struct Seen {
    std::string url;
    HttpHeaders headers;
    std::string body;
  };
  std::map<std::string, std::deque<HttpResponse>> answers;
  std::vector<Seen> seen;
  std::mutex mutex;
  int issued = 0;

  void add(const std::string& url, long status, std::string body, HttpHeaders headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    answers[url].push_back(std::move(r));
  }
  HttpTransport transport() {
    return [this](const HttpRequest& req) {
      std::lock_guard<std::mutex> lock(mutex);  // senders on several threads share a Script
      seen.push_back({req.url, req.headers, std::string(req.body)});
      if (req.url == kTokenUri && answers[kTokenUri].empty()) {
        HttpResponse r;
        r.status = 200;
        r.body = R"({"access_token":"tok-)" + std::to_string(++issued) +
                 R"(","expires_in":3599,"token_type":"Bearer"})";
        return r;
      }
      auto& q = answers[req.url];
      if (q.empty()) {
        HttpResponse none;
        none.error = "no scripted answer for " + req.url;
        return none;
      }
      HttpResponse r = q.front();
      if (q.size() > 1) q.pop_front();
      return r;
    };
  }
  std::vector<Seen> to(const std::string& url) const {
    std::vector<Seen> out;
    for (const auto& s : seen) {
      if (s.url == url) out.push_back(s);
    }
    return out;
  }
};

const std::string kSendUrl = "http://fcm.test/v1/projects/file-project/messages:send";

std::string header(const HttpHeaders& h, const std::string& name) {
  for (const auto& [k, v] : h) {
    if (k == name) return v;
  }
  return "";
}

std::string form_value(const std::string& form, const std::string& name) {
  const size_t at = form.find(name + "=");
  if (at == std::string::npos) return "";
  const size_t start = at + name.size() + 1;
  return form.substr(start, form.find('&', start) - start);
}

PushMessage message(const std::string& token = "device-1") {
  PushMessage m;
  m.token = token;
  m.title = "Alice";
  m.body = "hi";
  m.data = {{"chat_id", "42"}};
  return m;
}

TEST(FcmServiceAccount, ReadsTheFieldsOfAGoogleFile) {
  const ServiceAccount a = account();
  EXPECT_EQ(a.project_id, "file-project");
  EXPECT_EQ(a.private_key_id, "kid-42");
  EXPECT_EQ(a.client_email, kEmail);
  EXPECT_EQ(a.token_uri, kTokenUri);
  EXPECT_THAT(a.private_key, HasSubstr("BEGIN PRIVATE KEY"));
}

TEST(FcmServiceAccount, NamesEveryProblemAtOnce) {
  EXPECT_EQ(config_error([] { parse_service_account(R"({"type":"authorized_user"})", "f.json"); }),
            R"(f.json: "type" is "authorized_user", not "service_account"; missing "private_key"; )"
            R"(missing "client_email"; missing "token_uri")");
  EXPECT_EQ(config_error([] { parse_service_account("[1]", "f.json"); }),
            "f.json: not a JSON object");
  EXPECT_THAT(
      config_error([] {
        parse_service_account(
            R"({"type":"service_account","private_key":"k","client_email":"e","token_uri":"ftp://x"})",
            "f.json");
      }),
      HasSubstr("\"token_uri\" is not an http(s) URL"));
}

TEST(FcmServiceAccount, UnreadableFileNamesThePath) {
  EXPECT_THAT(config_error([] { load_service_account("/nonexistent/sa.json"); }),
              HasSubstr("FCM_SERVICE_ACCOUNT_FILE /nonexistent/sa.json: cannot read"));
}

TEST(FcmServiceAccount, FileOverOneMegabyteIsRefused) {
  const std::string path = testing::TempDir() + "fcm_sa_huge.json";
  std::ofstream(path) << std::string((1 << 20) + 1, ' ');
  EXPECT_THAT(config_error([&] { load_service_account(path); }),
              HasSubstr("FCM_SERVICE_ACCOUNT_FILE " + path + ": larger than 1 MB"));
  std::remove(path.c_str());
}

TEST(FcmServiceAccount, LoadsFromAFileAndMakeClientNeedsOne) {
  const std::string path = testing::TempDir() + "fcm_sa_test.json";
  std::ofstream(path) << service_account_json(test::rsa_key_a().private_pem, "from-file");
  const auto client = make_fcm_client(config({{"FCM_SERVICE_ACCOUNT_FILE", path}}));
  ASSERT_TRUE(client);
  EXPECT_EQ(client->project_id(), "from-file");
  EXPECT_EQ(make_fcm_client(config()), nullptr);  // no file: push is not configured
  std::ofstream(path) << service_account_json(
      "-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n", "p");
  EXPECT_THAT(config_error([&] {
                make_fcm_client(config({{"FCM_SERVICE_ACCOUNT_FILE", path}}));
              }),
              HasSubstr("FCM_SERVICE_ACCOUNT_FILE " + path + ": FCM service account " +
                        std::string(kEmail) + ": private_key does not load"));
  std::remove(path.c_str());
}

TEST(FcmSettings, DefaultsAndUrlChecks) {
  const std::map<std::string, std::string> base = {{"DATABASE_URL", "postgresql://x@/x"},
                                                   {"REDIS_URL", "redis://127.0.0.1:6379/0"},
                                                   {"JWT_SECRET_KEY", std::string(32, 's')}};
  const Config c = config_from_map(base);
  EXPECT_EQ(c.fcm_service_account_file, "");
  EXPECT_EQ(c.fcm_project_id, "");
  EXPECT_EQ(c.fcm_base_url, "https://fcm.googleapis.com");
  EXPECT_EQ(c.fcm_oauth_url, "");
  EXPECT_EQ(c.fcm_max_attempts, 5);
  EXPECT_EQ(c.fcm_retry_base_ms, 500);
  EXPECT_EQ(c.fcm_retry_max_ms, 60000);
  auto vars = base;
  vars["FCM_BASE_URL"] = "fcm.googleapis.com";
  vars["FCM_OAUTH_URL"] = "file:///etc/passwd";
  vars["FCM_MAX_ATTEMPTS"] = "0";
  try {
    config_from_map(vars);
    ADD_FAILURE() << "bad FCM settings were accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("FCM_BASE_URL (an http:// or https:// URL)"));
    EXPECT_THAT(e.what(), HasSubstr("FCM_OAUTH_URL (an http:// or https:// URL)"));
    EXPECT_THAT(e.what(), HasSubstr("FCM_MAX_ATTEMPTS"));
  }
}

TEST(FcmClientSetup, ProjectIdSettingOverridesTheFile) {
  Script s;
  EXPECT_EQ(
      FcmClient(config({{"FCM_PROJECT_ID", "env-project"}}), account(), s.transport()).project_id(),
      "env-project");
  EXPECT_EQ(FcmClient(config(), account(), s.transport()).project_id(), "file-project");
  EXPECT_THAT(config_error([&] { FcmClient(config(), account(""), s.transport()); }),
              HasSubstr("no FCM project id"));
  EXPECT_THAT(config_error([&] {
                FcmClient(config({{"FCM_PROJECT_ID", "a/b"}}), account(), s.transport());
              }),
              HasSubstr("not a project id"));
}

TEST(FcmClientSetup, BadPrivateKeyIsAConfigError) {
  ServiceAccount a = account();
  a.private_key = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n";
  Script s;
  EXPECT_THAT(config_error([&] { FcmClient(config(), a, s.transport()); }),
              HasSubstr("private_key does not load"));
}

TEST(FcmClientSend, TokenRequestIsAVerifiableJwtBearerGrant) {
  Script s;
  s.add(kSendUrl, 200, R"({"name":"projects/file-project/messages/m1"})");
  const FcmClient client(config(), account(), s.transport());
  const int64_t before = now_s();
  const FcmResult r = client.send(message());
  EXPECT_TRUE(r.is_sent) << r.error_message;
  EXPECT_EQ(r.fcm_message_id, "projects/file-project/messages/m1");
  const auto token_requests = s.to(kTokenUri);
  ASSERT_EQ(token_requests.size(), 1u);
  const auto& t = token_requests[0];
  EXPECT_EQ(header(t.headers, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(form_value(t.body, "grant_type"),
            "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer");
  const std::string jwt = form_value(t.body, "assertion");  // base64url and dots: not escaped
  const size_t dot1 = jwt.find('.');
  const size_t dot2 = jwt.rfind('.');
  ASSERT_NE(dot1, dot2);
  EXPECT_EQ(*base64url_decode(jwt.substr(0, dot1)),
            R"({"alg":"RS256","typ":"JWT","kid":"kid-42"})");
  JsonParseError err;
  const Json claims =
      parse_json(*base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1)), 4, true, &err);
  EXPECT_EQ(json_string_value(claims.at("iss").get()), std::string(kEmail));
  EXPECT_EQ(json_string_value(claims.at("aud").get()), std::string(kTokenUri));
  EXPECT_EQ(json_string_value(claims.at("scope").get()),
            std::string("https://www.googleapis.com/auth/firebase.messaging"));
  const int64_t iat = json_integer_value(claims.at("iat").get());
  EXPECT_GE(iat, before);
  EXPECT_LE(iat, now_s());
  EXPECT_EQ(json_integer_value(claims.at("exp").get()), iat + 3600);
  EXPECT_TRUE(test::rs256_verifies(test::rsa_key_a().public_pem, jwt.substr(0, dot2),
                                   *base64url_decode(jwt.substr(dot2 + 1))));
  EXPECT_FALSE(test::rs256_verifies(test::rsa_key_b().public_pem, jwt.substr(0, dot2),
                                    *base64url_decode(jwt.substr(dot2 + 1))));
}

TEST(FcmClientSend, OneTokenServesManySendsWithTheBodyAndBearer) {
  Script s;
  s.add(kSendUrl, 200, R"({"name":"projects/file-project/messages/m"})");
  const FcmClient client(config(), account(), s.transport());
  for (const char* token : {"d1", "d2", "d3"}) EXPECT_TRUE(client.send(message(token)).is_sent);
  EXPECT_EQ(s.to(kTokenUri).size(), 1u);
  const auto sends = s.to(kSendUrl);
  ASSERT_EQ(sends.size(), 3u);
  for (const auto& send : sends) {
    EXPECT_EQ(header(send.headers, "Authorization"), "Bearer tok-1");
    EXPECT_EQ(header(send.headers, "Content-Type"), "application/json; charset=UTF-8");
  }
  EXPECT_EQ(sends[1].body, fcm_request_body(message("d2")).dump());
}

TEST(FcmClientSend, ThreadsSendingAtOnceShareOneTokenRequest) {
  Script s;
  s.add(kSendUrl, 200, R"({"name":"projects/file-project/messages/m"})");
  const FcmClient client(config(), account(), s.transport());
  std::atomic<int> sent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (client.send(message("d" + std::to_string(t * 10 + i))).is_sent) ++sent;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sent.load(), 40);
  EXPECT_EQ(s.to(kTokenUri).size(), 1u);
  EXPECT_EQ(s.to(kSendUrl).size(), 40u);
}

TEST(FcmClientSend, OAuthUrlSettingChangesTheTargetNotTheAudience) {
  Script s;
  s.add(kSendUrl, 200, R"({"name":"projects/file-project/messages/m"})");
  const std::string proxy = "http://token-proxy.test/token";
  s.add(proxy, 200, R"({"access_token":"via-proxy","expires_in":3599})");
  const FcmClient client(config({{"FCM_OAUTH_URL", proxy}}), account(), s.transport());
  EXPECT_TRUE(client.send(message()).is_sent);
  ASSERT_EQ(s.to(proxy).size(), 1u);
  EXPECT_EQ(s.to(kTokenUri).size(), 0u);
  const std::string jwt = form_value(s.to(proxy)[0].body, "assertion");
  const size_t dot1 = jwt.find('.');
  EXPECT_THAT(*base64url_decode(jwt.substr(dot1 + 1, jwt.rfind('.') - dot1 - 1)),
              HasSubstr(R"("aud":"https://oauth2.googleapis.com/token")"));
  EXPECT_EQ(header(s.to(kSendUrl)[0].headers, "Authorization"), "Bearer via-proxy");
}

TEST(FcmClientSend, A401RefreshesTheTokenOnceAndResends) {
  Script s;
  s.add(kSendUrl, 401, R"({"error":{"code":401,"status":"UNAUTHENTICATED"}})");
  s.add(kSendUrl, 200, R"({"name":"projects/file-project/messages/m"})");
  const FcmClient client(config(), account(), s.transport());
  const FcmResult r = client.send(message());
  EXPECT_TRUE(r.is_sent) << r.error_message;
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(s.to(kTokenUri).size(), 2u);
  const auto sends = s.to(kSendUrl);
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(header(sends[0].headers, "Authorization"), "Bearer tok-1");
  EXPECT_EQ(header(sends[1].headers, "Authorization"), "Bearer tok-2");
}

TEST(FcmClientSend, ASecond401IsAPermanentFailure) {
  Script s;
  s.add(kSendUrl, 401, R"({"error":{"code":401,"status":"UNAUTHENTICATED"}})");
  const FcmClient client(config(), account(), s.transport());
  const FcmResult r = client.send(message());
  EXPECT_EQ(r.outcome, FcmOutcome::kFailed);
  EXPECT_FALSE(r.deactivate_token);
  EXPECT_THAT(r.error_message, HasSubstr("again with a fresh access token"));
  EXPECT_EQ(s.to(kTokenUri).size(), 2u);
  EXPECT_EQ(s.to(kSendUrl).size(), 2u);
}

TEST(FcmClientSend, RefusedTokenRequestFailsClearlyWithoutSending) {
  Script s;
  s.add(kTokenUri, 400,
        R"({"error":"invalid_grant","error_description":"Invalid JWT Signature."})");
  const FcmClient client(config(), account(), s.transport());
  const FcmResult r = client.send(message());
  EXPECT_EQ(r.outcome, FcmOutcome::kFailed);
  EXPECT_EQ(r.error_message,
            "OAuth token request to https://oauth2.googleapis.com/token failed: "
            "HTTP 400 invalid_grant: Invalid JWT Signature.");
  EXPECT_EQ(s.to(kSendUrl).size(), 0u);
}

TEST(FcmClientSend, TokenEndpointOutageIsRetryable) {
  Script s;
  s.add(kTokenUri, 503, "", {{"retry-after", "3"}});
  const FcmClient client(config(), account(), s.transport());
  const FcmResult r = client.send(message());
  EXPECT_EQ(r.outcome, FcmOutcome::kRetryable);
  EXPECT_EQ(r.retry_after_ms, 3000);
}

TEST(FcmClientSend, PayloadProblemsNeverReachTheNetwork) {
  Script s;
  const FcmClient client(config(), account(), s.transport());
  PushMessage m = message();
  m.data["from"] = "x";
  const FcmResult r = client.send_with_retry(m, 5, [](int64_t) { return true; });
  EXPECT_EQ(r.outcome, FcmOutcome::kFailed);
  EXPECT_EQ(r.error_code, "INVALID_PAYLOAD");
  EXPECT_TRUE(s.seen.empty());
}

TEST(FcmClientSend, UnregisteredSaysDeactivate) {
  Script s;
  s.add(
      kSendUrl, 404,
      R"({"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND",)"
      R"("details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}})");
  const FcmClient client(config(), account(), s.transport());
  const FcmResult r = client.send_with_retry(message(), 5, [](int64_t) { return true; });
  EXPECT_TRUE(r.deactivate_token);
  EXPECT_FALSE(r.is_sent);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.error_message, "FCM 404 UNREGISTERED: Requested entity was not found.");
}

TEST(FcmClientRetry, HonoursRetryAfterThenSucceeds) {
  Script s;
  s.add(kSendUrl, 503, R"({"error":{"code":503,"status":"UNAVAILABLE"}})", {{"retry-after", "2"}});
  s.add(kSendUrl, 200, R"({"name":"projects/file-project/messages/m"})");
  const FcmClient client(config(), account(), s.transport());
  std::vector<int64_t> waits;
  const FcmResult r = client.send_with_retry(message(), 5, [&](int64_t ms) {
    waits.push_back(ms);
    return true;
  });
  EXPECT_TRUE(r.is_sent);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(waits, std::vector<int64_t>{2000});
  EXPECT_EQ(s.to(kTokenUri).size(), 1u);
}

TEST(FcmClientRetry, BacksOffExponentiallyAndStopsAtMaxAttempts) {
  Script s;
  s.add(kSendUrl, 500, R"({"error":{"code":500,"status":"INTERNAL"}})");
  const FcmClient client(config({{"FCM_RETRY_BASE_MS", "400"}}), account(), s.transport());
  std::vector<int64_t> waits;
  const FcmResult r = client.send_with_retry(message(), 4, [&](int64_t ms) {
    waits.push_back(ms);
    return true;
  });
  EXPECT_EQ(r.outcome, FcmOutcome::kRetryable);
  EXPECT_EQ(r.attempts, 4);
  EXPECT_EQ(s.to(kSendUrl).size(), 4u);
  ASSERT_EQ(waits.size(), 3u);
  for (size_t i = 0; i < waits.size(); ++i) {
    const int64_t full = 400LL << i;
    EXPECT_GE(waits[i], full / 2) << i;
    EXPECT_LT(waits[i], full) << i;
  }
}

TEST(FcmClientRetry, ARetryAfterBeyondTheCapGoesBackToTheCaller) {
  Script s;
  s.add(kSendUrl, 429, R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}})",
        {{"retry-after", "120"}});
  const FcmClient client(config({{"FCM_RETRY_MAX_MS", "10000"}}), account(), s.transport());
  int sleeps = 0;
  const FcmResult r = client.send_with_retry(message(), 5, [&](int64_t) {
    ++sleeps;
    return true;
  });
  EXPECT_EQ(r.outcome, FcmOutcome::kRetryable);
  EXPECT_EQ(r.retry_after_ms, 120000);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(sleeps, 0);
}

TEST(FcmClientRetry, ASleeperThatGivesUpEndsTheLoop) {
  Script s;
  s.add(kSendUrl, 503, "");
  const FcmClient client(config(), account(), s.transport());
  const FcmResult r = client.send_with_retry(message(), 5, [](int64_t) { return false; });
  EXPECT_EQ(r.outcome, FcmOutcome::kRetryable);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(s.to(kSendUrl).size(), 1u);
}

}  // namespace
}  // namespace nt
