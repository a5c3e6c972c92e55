// Agora AccessToken2 (common/agora_token.hpp) against the official vectors in
// shared/vectors/agora_vectors.json: every "007" vector built byte for byte and parsed back to
// its fields; the RTC builder, uid 0 against accounts, tampering, malformed tokens, and the
// building blocks (packing, base64, zlib, the service table, derived uids).
#include "agora_token.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crypto.hpp"
#include "test_files.hpp"
#include "time_util.hpp"

namespace nt::agora {

void PrintTo(VerifyResult r, std::ostream* os) {
  static const char* const kNames[] = {"kOk", "kMalformed", "kBadCredential", "kBadSignature"};
  *os << kNames[static_cast<size_t>(r)];
}

namespace {

using test::json_str;

constexpr char kAppId[] = "970CA35de60c44645bbae8a215061b33";
constexpr char kCertificate[] = "5CFd2fd1755d40ecb72977518be15d3b";
constexpr char kChannel[] = "7d72365eb983485397e3e3f9d460bdda";
constexpr uint32_t kUid = 2882341273u;
constexpr uint32_t kIssueTs = 1111111;
constexpr uint32_t kSalt = 1;

int64_t json_int(const Json& obj, const char* key) {
  return json_integer_value(json_object_get(obj.get(), key));
}

std::vector<Json> vectors007() {
  const Json doc = test::load_json_file(NERUTALK_VECTORS_DIR "/agora_vectors.json");
  std::vector<Json> out;
  json_t* arr = json_object_get(doc.get(), "token007");
  for (size_t i = 0; arr && i < json_array_size(arr); ++i) {
    out.push_back(Json::borrow(json_array_get(arr, i)));
  }
  return out;
}

Json vector_named(const std::string& name) {
  for (const Json& v : vectors007()) {
    if (json_str(v, "name") == name) return v;
  }
  return Json();
}

// One JSON service, laid out by the service table (field names as in the JSON file).
Service service_from_json(const Json& s) {
  Service out;
  out.type = static_cast<uint16_t>(json_int(s, "type"));
  const ServiceInfo* info = service_info(out.type);
  if (!info) {
    ADD_FAILURE() << "vector service of unknown type " << out.type;
    return out;
  }
  EXPECT_EQ(json_str(s, "name"), info->name);
  for (int i = 0; i < info->field_count; ++i) out.fields.push_back(json_str(s, info->fields[i]));
  if (info->has_role) out.role = static_cast<int16_t>(json_int(s, "role"));
  const char* key = nullptr;
  json_t* value = nullptr;
  json_object_foreach(json_object_get(s.get(), "privileges"), key, value) {
    out.privileges[static_cast<uint16_t>(std::stoi(key))] =
        static_cast<uint32_t>(json_integer_value(value));
  }
  return out;
}

AccessToken2 token_from_json(const Json& v) {
  AccessToken2 t;
  t.app_id = json_str(v, "app_id");
  t.issue_ts = static_cast<uint32_t>(json_int(v, "issue_ts"));
  t.expire = static_cast<uint32_t>(json_int(v, "expire"));
  t.salt = static_cast<uint32_t>(json_int(v, "salt"));
  json_t* services = json_object_get(v.get(), "services");
  for (size_t i = 0; i < json_array_size(services); ++i) {
    t.services.push_back(service_from_json(Json::borrow(json_array_get(services, i))));
  }
  return t;
}

void expect_same_service(const Service& got, const Service& want, const std::string& what) {
  EXPECT_EQ(got.type, want.type) << what;
  EXPECT_EQ(got.privileges, want.privileges) << what;
  EXPECT_EQ(got.fields, want.fields) << what;
  EXPECT_EQ(got.role, want.role) << what;
}

// The decompressed payload of a token: str(signature) || signing_info.
std::string payload_of(const std::string& token) {
  const auto compressed = base64_decode(token.substr(3));
  EXPECT_TRUE(compressed);
  const auto payload = zlib_decompress(compressed.value_or(""), 4096);
  EXPECT_TRUE(payload);
  return payload.value_or("");
}

std::string rtc_vector_token() {
  return json_str(vector_named("rtc_int_uid_join"), "expected_token");
}

// ---------------------------------------------------------------- official vectors

TEST(AgoraVectors, FileHasElevenTokens007) {
  const std::vector<Json> v = vectors007();
  ASSERT_EQ(v.size(), 11u) << "agora_vectors.json missing or changed";
  std::set<std::string> names;
  for (const Json& x : v) names.insert(json_str(x, "name"));
  EXPECT_EQ(names.size(), 11u);
}

TEST(AgoraVectors, EveryTokenBuildsByteForByte) {
  for (const Json& v : vectors007()) {
    const std::string name = json_str(v, "name");
    const std::string expected = json_str(v, "expected_token");
    ASSERT_EQ(expected.substr(0, 3), "007") << name;
    EXPECT_EQ(build_token(token_from_json(v), json_str(v, "app_certificate")).value_or("<none>"),
              expected)
        << name;
  }
}

TEST(AgoraVectors, EveryTokenParsesToItsFieldsAndVerifies) {
  for (const Json& v : vectors007()) {
    const std::string name = json_str(v, "name");
    AccessToken2 want = token_from_json(v);
    // The wire order is by service type, stable for equal types.
    std::stable_sort(want.services.begin(), want.services.end(),
                     [](const Service& a, const Service& b) { return a.type < b.type; });
    ParsedToken got;
    ASSERT_EQ(verify_token(json_str(v, "expected_token"), json_str(v, "app_certificate"), &got),
              VerifyResult::kOk)
        << name;
    EXPECT_TRUE(got.complete) << name;
    EXPECT_EQ(got.token.app_id, want.app_id) << name;
    EXPECT_EQ(got.token.issue_ts, want.issue_ts) << name;
    EXPECT_EQ(got.token.expire, want.expire) << name;
    EXPECT_EQ(got.token.salt, want.salt) << name;
    EXPECT_EQ(got.signature.size(), 32u) << name;
    EXPECT_EQ(got.signing_info, signing_info(want)) << name;
    ASSERT_EQ(got.token.services.size(), want.services.size()) << name;
    for (size_t i = 0; i < want.services.size(); ++i) {
      expect_same_service(got.token.services[i], want.services[i], name);
    }
  }
}

TEST(AgoraVectors, ServicesAreWrittenInTypeOrder) {
  const Json v = vector_named("apaas_room_user_plus_rtm_plus_chat");
  ASSERT_TRUE(v);
  const AccessToken2 added = token_from_json(v);
  ASSERT_EQ(added.services.size(), 3u);
  EXPECT_EQ(added.services[0].type, 7);  // added apaas, rtm, chat
  const auto parsed = parse_token(json_str(v, "expected_token"));
  ASSERT_TRUE(parsed);
  std::vector<uint16_t> types;
  for (const Service& s : parsed->token.services) types.push_back(s.type);
  EXPECT_EQ(types, (std::vector<uint16_t>{2, 5, 7}));
}

// Intermediate values of agora.md §2.5 (computed by the vector notes' author; they lead to
// the official string, so each step is pinned on its own).
TEST(AgoraVectors, RtcIntermediateSteps) {
  EXPECT_EQ(to_hex(hmac_sha256(Packer().u32(kIssueTs).bytes(), kCertificate)),
            "e0f6141e54329d72102500478ec18e0020a5eeef53bbcccc442c6c2f7f178251");
  const std::string key = signing_key(kCertificate, kIssueTs, kSalt);
  EXPECT_EQ(to_hex(key), "cee2fa8dcbe868c30ca8c959d97fad4a5049c634da48449f1b8f59c14fa61073");
  const std::string info = payload_of(rtc_vector_token()).substr(34);
  // clang-format off
  EXPECT_EQ(to_hex(info), "2000" + to_hex(kAppId) +
                             "47f41000" "58020000" "01000000" "0100"  // ts, expire, salt, n
                             "0100" "0100" "0100" "58020000"          // RTC, {1: 600}
                             "2000" + to_hex(kChannel) + "0a00" + to_hex("2882341273"));
  // clang-format on
  EXPECT_EQ(info, signing_info(token_from_json(vector_named("rtc_int_uid_join"))));
  EXPECT_EQ(to_hex(hmac_sha256(key, info)),
            "16a0b84c5a5e82cbf74fb813d09f59c54bdac9c06120580539ac97578e958b1a");
  const std::string compressed = zlib_compress(payload_of(rtc_vector_token()));
  EXPECT_EQ(compressed.size(), 138u);
  EXPECT_EQ(to_hex(compressed.substr(0, 8)), "789c5360105bb0c3");
}

// ---------------------------------------------------------------- the RTC builder

TEST(AgoraRtc, SubscriberWithUidIsTheOfficialJoinToken) {
  EXPECT_EQ(build_rtc_token(kAppId, kCertificate, kChannel, kUid, RtcRole::kSubscriber, 600, 600,
                            kIssueTs, kSalt),
            rtc_vector_token());
}

TEST(AgoraRtc, UidZeroIsTheEmptyAccountNotZero) {
  const std::string want = json_str(vector_named("rtc_uid_0_join"), "expected_token");
  ASSERT_FALSE(want.empty());
  const auto by_uid = build_rtc_token(kAppId, kCertificate, kChannel, 0, RtcRole::kSubscriber, 600,
                                      600, kIssueTs, kSalt);
  EXPECT_EQ(by_uid, want);
  EXPECT_EQ(build_rtc_token_with_account(kAppId, kCertificate, kChannel, "", RtcRole::kSubscriber,
                                         600, 600, kIssueTs, kSalt),
            want);
  const auto account_zero = build_rtc_token_with_account(
      kAppId, kCertificate, kChannel, "0", RtcRole::kSubscriber, 600, 600, kIssueTs, kSalt);
  ASSERT_TRUE(account_zero);
  EXPECT_NE(*account_zero, want);
  ParsedToken parsed;
  ASSERT_EQ(verify_token(*by_uid, kCertificate, &parsed), VerifyResult::kOk);
  EXPECT_EQ(parsed.token.services.at(0).fields.at(1), "");
  EXPECT_EQ(rtc_account(0), "");
  EXPECT_EQ(rtc_account(kUid), "2882341273");
  EXPECT_EQ(rtc_account(UINT32_MAX), "4294967295");
}

TEST(AgoraRtc, NumericUidEqualsItsDecimalAccount) {
  const std::string want = json_str(vector_named("rtc_string_account_join"), "expected_token");
  EXPECT_EQ(build_rtc_token_with_account(kAppId, kCertificate, kChannel, "2882341273",
                                         RtcRole::kSubscriber, 600, 600, kIssueTs, kSalt),
            want);
  EXPECT_EQ(want, rtc_vector_token());
}

TEST(AgoraRtc, PublisherGetsJoinAndPublishPrivileges) {
  const auto token = build_rtc_token(kAppId, kCertificate, "nerutalk_call_42", 77,
                                     RtcRole::kPublisher, 86400, 3600, 1'800'000'000u, 12345);
  ASSERT_TRUE(token);
  ParsedToken p;
  ASSERT_EQ(verify_token(*token, kCertificate, &p), VerifyResult::kOk);
  EXPECT_EQ(p.token.app_id, kAppId);
  EXPECT_EQ(p.token.issue_ts, 1'800'000'000u);
  EXPECT_EQ(p.token.expire, 86400u);
  EXPECT_EQ(p.token.salt, 12345u);
  ASSERT_EQ(p.token.services.size(), 1u);
  const Service& rtc = p.token.services[0];
  EXPECT_EQ(rtc.type, static_cast<uint16_t>(ServiceType::kRtc));
  EXPECT_EQ(rtc.fields, (std::vector<std::string>{"nerutalk_call_42", "77"}));
  EXPECT_EQ(rtc.privileges, (PrivilegeMap{{kJoinChannel, 3600},
                                          {kPublishAudioStream, 3600},
                                          {kPublishVideoStream, 3600},
                                          {kPublishDataStream, 3600}}));
}

TEST(AgoraRtc, SubscriberGetsJoinOnly) {
  const auto token =
      build_rtc_token(kAppId, kCertificate, "c", 5, RtcRole::kSubscriber, 100, 50, kIssueTs, kSalt);
  ParsedToken p;
  ASSERT_EQ(verify_token(token.value_or(""), kCertificate, &p), VerifyResult::kOk);
  EXPECT_EQ(p.token.services.at(0).privileges, (PrivilegeMap{{kJoinChannel, 50}}));
}

TEST(AgoraRtc, CurrentTimeAndRandomSalt) {
  const int64_t before = now_s();
  const auto a =
      build_rtc_token(kAppId, kCertificate, kChannel, kUid, RtcRole::kPublisher, 900, 900);
  const auto b =
      build_rtc_token(kAppId, kCertificate, kChannel, kUid, RtcRole::kPublisher, 900, 900);
  const int64_t after = now_s();
  ParsedToken pa, pb;
  ASSERT_EQ(verify_token(a.value_or(""), kCertificate, &pa), VerifyResult::kOk);
  ASSERT_EQ(verify_token(b.value_or(""), kCertificate, &pb), VerifyResult::kOk);
  for (const ParsedToken* p : {&pa, &pb}) {
    EXPECT_GE(p->token.issue_ts, before);
    EXPECT_LE(p->token.issue_ts, after);
    EXPECT_GE(p->token.salt, 1u);
    EXPECT_LE(p->token.salt, 99'999'999u);
  }
  EXPECT_NE(*a, *b);  // different salts (a 1e-8 chance of equal ones)
}

TEST(AgoraRtc, RandomSaltStaysInRange) {
  std::set<uint32_t> seen;
  for (int i = 0; i < 200; ++i) {
    const uint32_t s = random_salt();
    EXPECT_GE(s, 1u);
    EXPECT_LE(s, 99'999'999u);
    seen.insert(s);
  }
  EXPECT_GT(seen.size(), 190u);
}

TEST(AgoraRtc, RejectsWhatAgoraRejects) {
  const auto build = [](std::string_view app_id, std::string_view cert, std::string_view ch) {
    return build_rtc_token(app_id, cert, ch, kUid, RtcRole::kPublisher, 600, 600, kIssueTs, kSalt);
  };
  EXPECT_FALSE(build("970CA35de60c44645bbae8a215061b3", kCertificate, kChannel));    // 31
  EXPECT_FALSE(build("970CA35de60c44645bbae8a215061b333", kCertificate, kChannel));  // 33
  EXPECT_FALSE(build("970CA35de60c44645bbae8a215061bzz", kCertificate, kChannel));   // not hex
  EXPECT_FALSE(build(kAppId, "", kChannel));
  EXPECT_FALSE(build(kAppId, "5CFd2fd1755d40ecb72977518be15d3g", kChannel));
  EXPECT_FALSE(build(kAppId, kCertificate, std::string(65536, 'c')));
  EXPECT_TRUE(build(kAppId, kCertificate, std::string(65535, 'c')));
  AccessToken2 empty;
  empty.app_id = kAppId;
  EXPECT_FALSE(build_token(empty, kCertificate));
}

// ---------------------------------------------------------------- verification

TEST(AgoraVerify, AnyOtherCertificateFails) {
  const std::string token = rtc_vector_token();
  std::string cert = kCertificate;
  for (size_t i = 0; i < cert.size(); ++i) {
    std::string other = cert;
    other[i] = other[i] == '0' ? '1' : '0';
    EXPECT_EQ(verify_token(token, other), VerifyResult::kBadSignature) << i;
  }
  // Hex digits are compared as text, like Agora does: another case is another key.
  EXPECT_EQ(verify_token(token, "5cfd2fd1755d40ecb72977518be15d3b"), VerifyResult::kBadSignature);
  EXPECT_EQ(verify_token(token, "5CFd2fd1755d40ecb72977518be15d3"), VerifyResult::kBadCredential);
  EXPECT_EQ(verify_token(token, ""), VerifyResult::kBadCredential);
}

TEST(AgoraVerify, TamperedFieldsFail) {
  const std::string payload = payload_of(rtc_vector_token());
  const std::string sig = payload.substr(2, 32);
  const std::string info = payload.substr(34);
  ASSERT_EQ(encode_envelope(sig, info), rtc_vector_token());
  // Each byte of the signed part changed in turn: expire, salt, privileges, channel, uid...
  for (size_t i = 0; i < info.size(); ++i) {
    std::string bad = info;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    const VerifyResult r = verify_token(encode_envelope(sig, bad), kCertificate);
    EXPECT_NE(r, VerifyResult::kOk) << "byte " << i;
  }
  // A different uid that still parses: the signature no longer matches.
  std::string other_uid = info;
  other_uid.back() = '4';
  ParsedToken p;
  EXPECT_EQ(verify_token(encode_envelope(sig, other_uid), kCertificate, &p),
            VerifyResult::kBadSignature);
  EXPECT_EQ(p.token.services.at(0).fields.at(1), "2882341274");
  // The signature itself changed.
  std::string bad_sig = sig;
  bad_sig[0] = static_cast<char>(bad_sig[0] ^ 0x80);
  EXPECT_EQ(verify_token(encode_envelope(bad_sig, info), kCertificate),
            VerifyResult::kBadSignature);
  EXPECT_EQ(verify_token(encode_envelope(sig.substr(0, 31), info), kCertificate),
            VerifyResult::kBadSignature);
}

TEST(AgoraVerify, MalformedTokens) {
  const std::string token = rtc_vector_token();
  for (const std::string& bad :
       {std::string(""), std::string("007"), "006" + token.substr(3), "7" + token.substr(3),
        token.substr(0, token.size() - 4), token.substr(0, token.size() - 1), token + "AAAA",
        token + "=", "007" + base64url_encode(payload_of(token)),
        "007" + base64_encode(payload_of(token)),  // not compressed
        "007" + base64_encode(zlib_compress(payload_of(token).substr(0, 120))),
        "007" + base64_encode(zlib_compress(payload_of(token) + "x")),
        "007" + base64_encode(zlib_compress("")), token.substr(0, 40) + " " + token.substr(41)}) {
    EXPECT_EQ(verify_token(bad, kCertificate), VerifyResult::kMalformed) << bad;
    EXPECT_FALSE(parse_token(bad)) << bad;
  }
}

TEST(AgoraVerify, StopsAtAnUnknownServiceLikeAgora) {
  // RTC, then an RTM2 service (type 8) whose layout this code does not know.
  AccessToken2 t;
  t.app_id = kAppId;
  t.issue_ts = kIssueTs;
  t.expire = 600;
  t.salt = kSalt;
  Service rtc;
  rtc.type = 1;
  rtc.privileges = {{kJoinChannel, 600}};
  rtc.fields = {kChannel, "9"};
  t.services = {rtc};
  Packer info;
  info.str(kAppId).u32(kIssueTs).u32(600).u32(kSalt).u16(2);
  info.raw(signing_info(t).substr(2 + 32 + 12 + 2));  // the RTC service as written
  info.u16(8).map_u32({{1, 600}}).str("user").u16(0);
  const std::string key = signing_key(kCertificate, kIssueTs, kSalt);
  const std::string token = encode_envelope(hmac_sha256(key, info.bytes()), info.bytes());
  ParsedToken p;
  EXPECT_EQ(verify_token(token, kCertificate, &p), VerifyResult::kOk);
  EXPECT_FALSE(p.complete);
  ASSERT_EQ(p.token.services.size(), 1u);
  EXPECT_EQ(p.token.services[0].fields, rtc.fields);
  EXPECT_EQ(p.signing_info, info.bytes());
  AccessToken2 unknown = t;
  unknown.services[0].type = 8;
  EXPECT_FALSE(build_token(unknown, kCertificate));
}

// ---------------------------------------------------------------- building blocks

TEST(AgoraPacker, LittleEndianAndLengthPrefixed) {
  Packer p;
  p.u16(0x0102).u32(0x03040506).i16(-1).str("ab").map_u32({{3, 7}, {1, 0x01020304}});
  // clang-format off
  EXPECT_EQ(to_hex(p.bytes()), "0201" "06050403" "ffff" "02006162"
                               "0200" "0100" "04030201" "0300" "07000000");
  // clang-format on
  Unpacker in(p.bytes());
  uint16_t a = 0;
  uint32_t b = 0;
  int16_t c = 0;
  std::string s;
  PrivilegeMap m;
  ASSERT_TRUE(in.u16(&a) && in.u32(&b) && in.i16(&c) && in.str(&s) && in.map_u32(&m));
  EXPECT_EQ(a, 0x0102);
  EXPECT_EQ(b, 0x03040506u);
  EXPECT_EQ(c, -1);
  EXPECT_EQ(s, "ab");
  EXPECT_EQ(m, (PrivilegeMap{{1, 0x01020304}, {3, 7}}));
  EXPECT_TRUE(in.rest().empty());
  EXPECT_FALSE(in.u16(&a));
  EXPECT_THROW(Packer().str(std::string(65536, 'x')), std::length_error);
}

TEST(AgoraPacker, ShortInputFailsWithoutConsuming) {
  const std::string bytes = Packer().u16(5).raw("abc").bytes();  // says 5, has 3
  Unpacker in(bytes);
  std::string s = "unchanged";
  EXPECT_FALSE(in.str(&s));
  EXPECT_EQ(s, "unchanged");
  EXPECT_EQ(in.rest().size(), 5u);
  uint32_t v = 0;
  EXPECT_TRUE(in.u32(&v));
  EXPECT_FALSE(in.u32(&v));
  PrivilegeMap m{{9, 9}};
  const std::string one_of_two = Packer().u16(2).u16(1).u32(1).bytes();
  Unpacker short_map(one_of_two);
  EXPECT_FALSE(short_map.map_u32(&m));
  EXPECT_EQ(m, (PrivilegeMap{{9, 9}}));
}

TEST(AgoraBase64, Rfc4648VectorsAndStrictness) {
  const std::pair<const char*, const char*> kCases[] = {{"", ""},
                                                        {"f", "Zg=="},
                                                        {"fo", "Zm8="},
                                                        {"foo", "Zm9v"},
                                                        {"foob", "Zm9vYg=="},
                                                        {"fooba", "Zm9vYmE="},
                                                        {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kCases) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain) << encoded;
  }
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
  // "Zh==" and "Zm9=" carry non-zero spare bits: a second spelling of "f" and "fo".
  for (const char* bad : {"Zg", "Zg=", "Zg===", "====", "Zg==Zg==", "-_8=", "Zm 9v", " Zm9v",
                          "Zm9v\n", "Zm=v", " Zm9", "Zm\n9", "Zh==", "Zm9="}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

TEST(AgoraZlib, RoundTripLimitsAndCorruption) {
  const std::string text(5000, 'a');
  const std::string z = zlib_compress(text);
  EXPECT_EQ(to_hex(z.substr(0, 2)), "789c");  // zlib wrapper, default level
  EXPECT_EQ(zlib_decompress(z, 5000), text);
  EXPECT_FALSE(zlib_decompress(z, 4999));
  EXPECT_FALSE(zlib_decompress(z + "x", 5000));
  EXPECT_FALSE(zlib_decompress(z.substr(0, z.size() - 1), 5000));
  std::string corrupt = z;
  corrupt[z.size() - 1] = static_cast<char>(corrupt[z.size() - 1] ^ 0x01);  // Adler-32
  EXPECT_FALSE(zlib_decompress(corrupt, 5000));
  EXPECT_FALSE(zlib_decompress("", 5000));
  EXPECT_EQ(zlib_decompress(zlib_compress(""), 0), "");
}

TEST(AgoraServices, TableMatchesTheProtocolNotes) {
  const std::pair<uint16_t, const char*> kTypes[] = {
      {1, "rtc"}, {2, "rtm"}, {3, "streaming"}, {4, "fpa"}, {5, "chat"}, {6, "fcdn"}, {7, "apaas"}};
  for (const auto& [type, name] : kTypes) {
    const ServiceInfo* by_type = service_info(type);
    ASSERT_NE(by_type, nullptr) << type;
    EXPECT_STREQ(by_type->name, name);
    EXPECT_EQ(service_info(name), by_type);
  }
  EXPECT_EQ(service_info(uint16_t{0}), nullptr);
  EXPECT_EQ(service_info(uint16_t{8}), nullptr);  // RTM2: not laid out here
  EXPECT_EQ(service_info("RTC"), nullptr);
  const ServiceInfo& rtc = *service_info("rtc");
  EXPECT_EQ(privilege_id(rtc, "join_channel"), kJoinChannel);
  EXPECT_EQ(privilege_id(rtc, "publish_audio_stream"), kPublishAudioStream);
  EXPECT_EQ(privilege_id(rtc, "publish_video_stream"), kPublishVideoStream);
  EXPECT_EQ(privilege_id(rtc, "publish_data_stream"), kPublishDataStream);
  EXPECT_EQ(privilege_id(rtc, "login"), std::nullopt);
  EXPECT_EQ(privilege_id(*service_info("chat"), "app"), 2);
  EXPECT_EQ(privilege_id(*service_info("apaas"), "room_user"), 1);
  EXPECT_EQ(service_info("apaas")->has_role, true);
  EXPECT_EQ(service_info("fpa")->field_count, 0);
}

TEST(AgoraCredential, ThirtyTwoHexDigits) {
  EXPECT_TRUE(is_valid_app_credential(kAppId));
  EXPECT_TRUE(is_valid_app_credential("0123456789abcdefABCDEF0123456789"));
  EXPECT_FALSE(is_valid_app_credential(""));
  EXPECT_FALSE(is_valid_app_credential("0123456789abcdefABCDEF012345678"));
  EXPECT_FALSE(is_valid_app_credential("0123456789abcdefABCDEF012345678g"));
  EXPECT_FALSE(is_valid_app_credential("0123456789abcdefABCDEF01234567 9"));
}

// ---------------------------------------------------------------- uids

TEST(AgoraUid, StableNonZeroAndPerCallAndUser) {
  // Pinned from Python: struct.unpack('<I', hmac.new(b'nerutalk-agora-uid', msg, sha256)
  // .digest()[:4]).
  EXPECT_EQ(derive_rtc_uid("42", "user-a"), 520362486u);
  EXPECT_EQ(derive_rtc_uid("42", "user-a", 1), 3214913869u);
  EXPECT_EQ(derive_rtc_uid("43", "user-a"), 237600749u);
  EXPECT_EQ(derive_rtc_uid("42", "user-a"), derive_rtc_uid("42", "user-a"));
  std::set<uint32_t> seen;
  for (int call = 0; call < 50; ++call) {
    for (int user = 0; user < 20; ++user) {
      const uint32_t uid = derive_rtc_uid(std::to_string(call), "user-" + std::to_string(user));
      EXPECT_NE(uid, 0u);
      seen.insert(uid);
    }
  }
  EXPECT_EQ(seen.size(), 1000u);
  // The separator keeps ("1", "2x") and ("12", "x") apart.
  EXPECT_NE(derive_rtc_uid("1", "2x"), derive_rtc_uid("12", "x"));
}

}  // namespace
}  // namespace nt::agora
