#include "agora_token.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

#include "crypto.hpp"
#include "time_util.hpp"

namespace nt::agora {
namespace {

// agora.md §2.1. Field and privilege names follow agora_vectors.json and Agora's builders.
// clang-format off
constexpr ServiceInfo kServices[] = {
    {1, "rtc", 2, {"channel_name", "uid_or_account"}, false, 4,
     {{1, "join_channel"}, {2, "publish_audio_stream"}, {3, "publish_video_stream"},
      {4, "publish_data_stream"}}},
    {2, "rtm", 1, {"user_id"}, false, 1, {{1, "login"}}},
    {3, "streaming", 2, {"channel_name", "account"}, false, 2,
     {{1, "publish_mix_stream"}, {2, "publish_raw_stream"}}},
    {4, "fpa", 0, {}, false, 1, {{1, "login"}}},
    {5, "chat", 1, {"user_id"}, false, 2, {{1, "user"}, {2, "app"}}},
    {6, "fcdn", 2, {"channel_name", "account"}, false, 2, {{1, "publish"}, {2, "play"}}},
    {7, "apaas", 2, {"room_uuid", "user_uuid"}, true, 3,
     {{1, "room_user"}, {2, "user"}, {3, "app"}}},
};
// clang-format on

constexpr char kVersion[] = "007";
constexpr size_t kMaxPayload = 64 * 1024;  // real tokens are a few hundred bytes

std::string u32_bytes(uint32_t v) {
  return Packer().u32(v).bytes();
}

void pack_service(Packer& p, const Service& s) {
  const ServiceInfo* info = service_info(s.type);
  if (!info) throw std::invalid_argument("agora: service type cannot be laid out");
  if (s.fields.size() != static_cast<size_t>(info->field_count)) {
    throw std::invalid_argument("agora: wrong number of service fields");
  }
  p.u16(s.type).map_u32(s.privileges);
  for (const std::string& f : s.fields) p.str(f);
  if (info->has_role) p.i16(s.role);
}

// Reads one service of a known layout after its type.
bool unpack_service(Unpacker& in, const ServiceInfo& info, Service* s) {
  s->type = info.type;
  if (!in.map_u32(&s->privileges)) return false;
  s->fields.resize(static_cast<size_t>(info.field_count));
  for (std::string& f : s->fields) {
    if (!in.str(&f)) return false;
  }
  return !info.has_role || in.i16(&s->role);
}

std::optional<AccessToken2> unpack_signing_info(std::string_view raw, bool* complete) {
  Unpacker in(raw);
  AccessToken2 t;
  uint16_t n = 0;
  if (!in.str(&t.app_id) || !in.u32(&t.issue_ts) || !in.u32(&t.expire) || !in.u32(&t.salt) ||
      !in.u16(&n)) {
    return std::nullopt;
  }
  *complete = true;
  for (uint16_t i = 0; i < n; ++i) {
    uint16_t type = 0;
    if (!in.u16(&type)) return std::nullopt;
    const ServiceInfo* info = service_info(type);
    if (!info) {  // its length is not on the wire: keep what was read, as Agora's parsers do
      *complete = false;
      return t;
    }
    Service s;
    if (!unpack_service(in, *info, &s)) return std::nullopt;
    t.services.push_back(std::move(s));
  }
  if (!in.rest().empty()) return std::nullopt;
  return t;
}

// inflateEnd on every path.
struct InflateStream {
  z_stream z{};
  bool ready = false;
  InflateStream() { ready = inflateInit(&z) == Z_OK; }
  ~InflateStream() {
    if (ready) inflateEnd(&z);
  }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;
};

}  // namespace

// ---------------------------------------------------------------- Packer / Unpacker

Packer& Packer::u16(uint16_t v) {
  out_ += static_cast<char>(v & 0xFF);
  out_ += static_cast<char>(v >> 8);
  return *this;
}

Packer& Packer::u32(uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out_ += static_cast<char>((v >> shift) & 0xFF);
  return *this;
}

Packer& Packer::str(std::string_view s) {
  if (s.size() > std::numeric_limits<uint16_t>::max()) {
    throw std::length_error("agora: string over 65535 bytes");
  }
  u16(static_cast<uint16_t>(s.size()));
  return raw(s);
}

Packer& Packer::map_u32(const PrivilegeMap& m) {
  u16(static_cast<uint16_t>(m.size()));
  for (const auto& [key, value] : m) u16(key).u32(value);
  return *this;
}

Packer& Packer::raw(std::string_view bytes) {
  out_.append(bytes);
  return *this;
}

bool Unpacker::take(size_t n, std::string_view* out) {
  if (in_.size() - pos_ < n) return false;
  *out = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Unpacker::u16(uint16_t* v) {
  std::string_view b;
  if (!take(2, &b)) return false;
  *v = static_cast<uint16_t>(uint8_t(b[0]) | (uint8_t(b[1]) << 8));
  return true;
}

bool Unpacker::u32(uint32_t* v) {
  std::string_view b;
  if (!take(4, &b)) return false;
  *v = uint32_t(uint8_t(b[0])) | (uint32_t(uint8_t(b[1])) << 8) | (uint32_t(uint8_t(b[2])) << 16) |
       (uint32_t(uint8_t(b[3])) << 24);
  return true;
}

bool Unpacker::i16(int16_t* v) {
  uint16_t u = 0;
  if (!u16(&u)) return false;
  *v = static_cast<int16_t>(u);
  return true;
}

bool Unpacker::str(std::string* s) {
  uint16_t n = 0;
  std::string_view b;
  const size_t start = pos_;
  if (!u16(&n) || !take(n, &b)) {
    pos_ = start;
    return false;
  }
  s->assign(b);
  return true;
}

bool Unpacker::map_u32(PrivilegeMap* m) {
  const size_t start = pos_;
  uint16_t n = 0;
  PrivilegeMap read;
  bool ok = u16(&n);
  for (uint16_t i = 0; ok && i < n; ++i) {
    uint16_t key = 0;
    uint32_t value = 0;
    ok = u16(&key) && u32(&value);
    read[key] = value;
  }
  if (!ok) {
    pos_ = start;
    return false;
  }
  *m = std::move(read);
  return true;
}

// ---------------------------------------------------------------- services

const ServiceInfo* service_info(uint16_t type) {
  for (const ServiceInfo& s : kServices) {
    if (s.type == type) return &s;
  }
  return nullptr;
}

const ServiceInfo* service_info(std::string_view name) {
  for (const ServiceInfo& s : kServices) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

std::optional<uint16_t> privilege_id(const ServiceInfo& service, std::string_view name) {
  for (int i = 0; i < service.privilege_count; ++i) {
    if (name == service.privileges[i].name) return service.privileges[i].id;
  }
  return std::nullopt;
}

std::string rtc_account(uint32_t uid) {
  return uid == 0 ? "" : std::to_string(uid);
}

// ---------------------------------------------------------------- signing and envelope

bool is_valid_app_credential(std::string_view s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

std::string signing_key(std::string_view certificate, uint32_t issue_ts, uint32_t salt) {
  return hmac_sha256(u32_bytes(salt), hmac_sha256(u32_bytes(issue_ts), certificate));
}

std::string signing_info(const AccessToken2& token) {
  std::vector<const Service*> order;
  for (const Service& s : token.services) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(),
                   [](const Service* a, const Service* b) { return a->type < b->type; });
  if (order.size() > std::numeric_limits<uint16_t>::max()) {
    throw std::length_error("agora: too many services");
  }
  Packer p;
  p.str(token.app_id).u32(token.issue_ts).u32(token.expire).u32(token.salt);
  p.u16(static_cast<uint16_t>(order.size()));
  for (const Service* s : order) pack_service(p, *s);
  return p.bytes();
}

std::string zlib_compress(std::string_view bytes) {
  uLongf size = compressBound(bytes.size());
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(bytes.data()), bytes.size(),
                Z_DEFAULT_COMPRESSION) != Z_OK) {
    throw std::runtime_error("zlib compress2 failed");
  }
  out.resize(size);
  return out;
}

std::optional<std::string> zlib_decompress(std::string_view bytes, size_t max_out) {
  if (bytes.size() > std::numeric_limits<uInt>::max()) return std::nullopt;
  InflateStream s;
  if (!s.ready) return std::nullopt;
  std::string out(max_out + 1, '\0');  // one spare byte tells "too large" from "exactly full"
  s.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  s.z.avail_in = static_cast<uInt>(bytes.size());
  s.z.next_out = reinterpret_cast<Bytef*>(out.data());
  s.z.avail_out = static_cast<uInt>(out.size());
  if (inflate(&s.z, Z_FINISH) != Z_STREAM_END || s.z.avail_in != 0 || s.z.total_out > max_out) {
    return std::nullopt;
  }
  out.resize(s.z.total_out);
  return out;
}

std::string encode_envelope(std::string_view signature, std::string_view signing_info) {
  Packer payload;
  payload.str(signature).raw(signing_info);
  return kVersion + base64_encode(zlib_compress(payload.bytes()));
}

std::optional<std::string> build_token(const AccessToken2& token, std::string_view certificate) {
  if (!is_valid_app_credential(token.app_id) || !is_valid_app_credential(certificate) ||
      token.services.empty()) {
    return std::nullopt;
  }
  std::string info;
  try {
    info = signing_info(token);
  } catch (const std::logic_error&) {  // invalid_argument, length_error
    return std::nullopt;
  }
  const std::string key = signing_key(certificate, token.issue_ts, token.salt);
  return encode_envelope(hmac_sha256(key, info), info);
}

std::optional<ParsedToken> parse_token(std::string_view token) {
  if (token.substr(0, 3) != kVersion) return std::nullopt;
  const std::optional<std::string> compressed = base64_decode(token.substr(3));
  if (!compressed) return std::nullopt;
  const std::optional<std::string> payload = zlib_decompress(*compressed, kMaxPayload);
  if (!payload) return std::nullopt;
  Unpacker in(*payload);
  ParsedToken out;
  if (!in.str(&out.signature)) return std::nullopt;
  out.signing_info.assign(in.rest());
  std::optional<AccessToken2> fields = unpack_signing_info(out.signing_info, &out.complete);
  if (!fields) return std::nullopt;
  out.token = std::move(*fields);
  return out;
}

VerifyResult verify_token(std::string_view token, std::string_view certificate, ParsedToken* out) {
  std::optional<ParsedToken> parsed = parse_token(token);
  if (!parsed) return VerifyResult::kMalformed;
  const ParsedToken& p = *parsed;
  VerifyResult result = VerifyResult::kOk;
  if (!is_valid_app_credential(p.token.app_id) || !is_valid_app_credential(certificate)) {
    result = VerifyResult::kBadCredential;
  } else {
    const std::string key = signing_key(certificate, p.token.issue_ts, p.token.salt);
    if (!constant_time_equal(hmac_sha256(key, p.signing_info), p.signature)) {
      result = VerifyResult::kBadSignature;
    }
  }
  if (out) *out = std::move(*parsed);
  return result;
}

// ---------------------------------------------------------------- RTC

std::optional<std::string> build_rtc_token_with_account(
    std::string_view app_id, std::string_view app_certificate, std::string_view channel,
    std::string_view account, RtcRole role, uint32_t token_expire_s, uint32_t privilege_expire_s,
    uint32_t issue_ts, uint32_t salt) {
  Service rtc;
  rtc.type = static_cast<uint16_t>(ServiceType::kRtc);
  rtc.fields = {std::string(channel), std::string(account)};
  rtc.privileges[kJoinChannel] = privilege_expire_s;
  if (role == RtcRole::kPublisher) {
    for (uint16_t p : {kPublishAudioStream, kPublishVideoStream, kPublishDataStream}) {
      rtc.privileges[p] = privilege_expire_s;
    }
  }
  AccessToken2 token;
  token.app_id = std::string(app_id);
  token.issue_ts = issue_ts;
  token.expire = token_expire_s;
  token.salt = salt;
  token.services.push_back(std::move(rtc));
  return build_token(token, app_certificate);
}

std::optional<std::string> build_rtc_token(std::string_view app_id,
                                           std::string_view app_certificate,
                                           std::string_view channel, uint32_t uid, RtcRole role,
                                           uint32_t token_expire_s, uint32_t privilege_expire_s,
                                           uint32_t issue_ts, uint32_t salt) {
  return build_rtc_token_with_account(app_id, app_certificate, channel, rtc_account(uid), role,
                                      token_expire_s, privilege_expire_s, issue_ts, salt);
}

std::optional<std::string> build_rtc_token(std::string_view app_id,
                                           std::string_view app_certificate,
                                           std::string_view channel, uint32_t uid, RtcRole role,
                                           uint32_t token_expire_s, uint32_t privilege_expire_s) {
  return build_rtc_token(app_id, app_certificate, channel, uid, role, token_expire_s,
                         privilege_expire_s, static_cast<uint32_t>(now_s()), random_salt());
}

uint32_t random_salt() {
  const std::string bytes = random_bytes(4);
  uint32_t v = 0;
  Unpacker(bytes).u32(&v);
  return 1 + v % 99'999'999u;
}

uint32_t derive_rtc_uid(std::string_view call_id, std::string_view user_id, uint32_t attempt) {
  std::string msg;
  msg.append(call_id).append(1, '\n').append(user_id).append(1, '\n');
  msg.append(std::to_string(attempt));
  const std::string digest = hmac_sha256("nerutalk-agora-uid", msg);
  uint32_t v = 0;
  Unpacker(digest).u32(&v);
  return v == 0 ? 1 : v;
}

}  // namespace nt::agora
