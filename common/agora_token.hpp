// Agora AccessToken2 ("007…") on crypto.hpp (HMAC-SHA256, base64) and zlib, byte-compatible with
// Agora's own builders (../shared/vectors/agora.md, agora_vectors.json). Built for the RTC
// service; the other service layouts are here so that every official vector can be built and
// parsed. The legacy "006" format is not implemented: the product issues only 007 tokens.
//
// All functions are pure apart from the ones that read the clock or the CSPRNG (said so
// below); all are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nt::agora {

// ---------------------------------------------------------------- packing (agora.md §1)

// Privilege id -> seconds of validity counted from issue_ts. std::map gives the ascending key
// order the wire format needs.
using PrivilegeMap = std::map<uint16_t, uint32_t>;

// Little-endian writer. str() throws std::length_error for more than 65535 bytes.
class Packer {
 public:
  Packer& u16(uint16_t v);
  Packer& u32(uint32_t v);
  Packer& i16(int16_t v) { return u16(static_cast<uint16_t>(v)); }
  Packer& str(std::string_view s);  // u16 length, then the bytes
  Packer& map_u32(const PrivilegeMap& m);
  Packer& raw(std::string_view bytes);
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

// Reads what Packer writes from a view it does not own. A read past the end returns false
// and leaves the output untouched.
class Unpacker {
 public:
  explicit Unpacker(std::string_view in) : in_(in) {}
  bool u16(uint16_t* v);
  bool u32(uint32_t* v);
  bool i16(int16_t* v);
  bool str(std::string* s);
  bool map_u32(PrivilegeMap* m);
  std::string_view rest() const { return in_.substr(pos_); }

 private:
  bool take(size_t n, std::string_view* out);
  std::string_view in_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------- services (agora.md §2.1)

// clang-format off
enum class ServiceType : uint16_t {
  kRtc = 1, kRtm = 2, kStreaming = 3, kFpa = 4, kChat = 5, kFcdn = 6, kApaas = 7
};

enum RtcPrivilege : uint16_t {
  kJoinChannel = 1, kPublishAudioStream = 2, kPublishVideoStream = 3, kPublishDataStream = 4
};
// clang-format on

struct PrivilegeInfo {
  uint16_t id;
  const char* name;
};

// One row of the service table: the wire type, its name, the string fields written after the
// privileges (in wire order, named as in agora_vectors.json), whether an i16 role follows them
// (APaaS) and the privileges the type knows.
struct ServiceInfo {
  uint16_t type;
  const char* name;
  int field_count;
  const char* fields[2];
  bool has_role;
  int privilege_count;
  PrivilegeInfo privileges[4];
};

// The row for a wire type; nullptr for a type this code cannot lay out (unknown types, and
// RTM2 = 8 whose nested permission lists we do not need). Parsing stops at such a type.
const ServiceInfo* service_info(uint16_t type);
// The row for a name ("rtc", "rtm", ...); nullptr when unknown.
const ServiceInfo* service_info(std::string_view name);
// Privilege id by its name in a service ("join_channel", "login", ...); nullopt when unknown.
std::optional<uint16_t> privilege_id(const ServiceInfo& service, std::string_view name);

struct Service {
  uint16_t type = 0;
  PrivilegeMap privileges;
  std::vector<std::string> fields;  // ServiceInfo::fields, in that order
  int16_t role = -1;                // APaaS only
};

// How an RTC uid is written: 0 (any uid) is "", anything else its decimal text.
std::string rtc_account(uint32_t uid);

// ---------------------------------------------------------------- the token (agora.md §2.2–2.4)

struct AccessToken2 {
  std::string app_id;
  uint32_t issue_ts = 0;  // unix seconds
  uint32_t expire = 0;    // seconds of validity from issue_ts
  uint32_t salt = 0;
  std::vector<Service> services;  // written stably sorted by type
};

// App ids and certificates are exactly 32 hex digits (either case).
bool is_valid_app_credential(std::string_view s);

// HMAC(u32(salt), HMAC(u32(issue_ts), certificate)): 32 raw bytes. The certificate is used as
// its ASCII text, not hex-decoded.
std::string signing_key(std::string_view certificate, uint32_t issue_ts, uint32_t salt);

// The signed bytes: str(app_id) u32 issue_ts u32 expire u32 salt u16 n services…
// Throws std::invalid_argument for a service this code cannot lay out or with the wrong number
// of fields, std::length_error for a field over 65535 bytes.
std::string signing_info(const AccessToken2& token);

// zlib stream (RFC 1950) at Z_DEFAULT_COMPRESSION; throws std::runtime_error if zlib fails.
std::string zlib_compress(std::string_view bytes);
// Inflates a complete zlib stream of at most max_out bytes; nullopt when it is corrupt,
// truncated, followed by trailing bytes or larger than max_out.
std::optional<std::string> zlib_decompress(std::string_view bytes, size_t max_out);

// "007" + base64(zlib(str(signature) || signing_info)), base64 as crypto.hpp's base64_encode.
std::string encode_envelope(std::string_view signature, std::string_view signing_info);

// The complete token; nullopt when the app id or certificate is not 32 hex digits, there is
// no service, a service cannot be laid out or a field is too long.
std::optional<std::string> build_token(const AccessToken2& token, std::string_view certificate);

struct ParsedToken {
  AccessToken2 token;
  std::string signature;     // as carried by the token
  std::string signing_info;  // the raw signed bytes, verified as they are
  bool complete = true;      // false when parsing stopped at a service of unknown type
};

// Decodes a 007 token without checking its signature; nullopt when the prefix, base64, zlib
// stream or the fields are malformed. Like Agora's parsers, it keeps the services read before
// one of unknown type (whose length is not on the wire) and reports complete = false.
std::optional<ParsedToken> parse_token(std::string_view token);

enum class VerifyResult { kOk, kMalformed, kBadCredential, kBadSignature };

// Parses `token` and checks its signature with `certificate` in constant time. kBadCredential
// when the parsed app id or the certificate is not 32 hex digits. `out` (optional) receives
// the parsed token whenever it parsed. Expiry is the caller's business (issue_ts + expire).
VerifyResult verify_token(std::string_view token, std::string_view certificate,
                          ParsedToken* out = nullptr);

// ---------------------------------------------------------------- RTC (RtcTokenBuilder2)

// Publisher: join + publish audio, video and data; subscriber: join only.
enum class RtcRole { kPublisher = 1, kSubscriber = 2 };

// An RTC token for one channel and account. Every privilege of the role lasts
// privilege_expire_s; the token lasts token_expire_s. Both are durations from issue_ts. Same
// failures as build_token.
std::optional<std::string> build_rtc_token_with_account(
    std::string_view app_id, std::string_view app_certificate, std::string_view channel,
    std::string_view account, RtcRole role, uint32_t token_expire_s, uint32_t privilege_expire_s,
    uint32_t issue_ts, uint32_t salt);

// Same with a numeric uid (0 = any uid): identical to the account rtc_account(uid).
std::optional<std::string> build_rtc_token(std::string_view app_id,
                                           std::string_view app_certificate,
                                           std::string_view channel, uint32_t uid, RtcRole role,
                                           uint32_t token_expire_s, uint32_t privilege_expire_s,
                                           uint32_t issue_ts, uint32_t salt);

// Same, issued now (wall clock) with random_salt().
std::optional<std::string> build_rtc_token(std::string_view app_id,
                                           std::string_view app_certificate,
                                           std::string_view channel, uint32_t uid, RtcRole role,
                                           uint32_t token_expire_s, uint32_t privilege_expire_s);

// A salt in 1..99999999 from the OpenSSL CSPRNG (as Agora's Python builder); throws
// std::runtime_error if the CSPRNG fails.
uint32_t random_salt();

// A stable RTC uid for a user in a call: the first 4 bytes (little-endian) of
// HMAC-SHA256(key "nerutalk-agora-uid", call_id \n user_id \n attempt), or 1 where that is 0.
// Two users of one call collide with probability about n²/2³³; the caller stores the uid and,
// on a clash with another participant of the same call, asks again with attempt + 1.
uint32_t derive_rtc_uid(std::string_view call_id, std::string_view user_id, uint32_t attempt = 0);

}  // namespace nt::agora
