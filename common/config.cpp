#include "config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "i18n.hpp"
#include "read_file.hpp"
#include "text.hpp"

extern char** environ;

namespace nt {
namespace {

enum class Kind { kString, kInt, kList };

// One row per setting: name, default ("" + required means it must be given), bounds.
struct Setting {
  const char* name;
  const char* default_value;
  bool required;
  Kind kind;
  int64_t min;
  int64_t max;
  void* (*field)(Config&);
};

template <auto Member>
void* field_of(Config& c) {
  return &(c.*Member);
}

constexpr int64_t kBig = INT64_MAX;

const Setting kSettings[] = {
    {"DATABASE_URL", "", true, Kind::kString, 0, 0, field_of<&Config::database_url>},
    {"REDIS_URL", "", true, Kind::kString, 0, 0, field_of<&Config::redis_url>},
    {"JWT_SECRET_KEY", "", true, Kind::kString, 0, 0, field_of<&Config::jwt_secret_key>},
    {"JWT_ALGORITHM", "HS256", false, Kind::kString, 0, 0, field_of<&Config::jwt_algorithm>},
    {"JWT_ACCESS_TOKEN_EXPIRE_MINUTES", "30", false, Kind::kInt, 1, 1440,
     field_of<&Config::jwt_access_token_expire_minutes>},
    {"JWT_REFRESH_TOKEN_EXPIRE_DAYS", "7", false, Kind::kInt, 1, 90,
     field_of<&Config::jwt_refresh_token_expire_days>},
    {"BCRYPT_COST", "12", false, Kind::kInt, 4, 31, field_of<&Config::bcrypt_cost>},
    {"WS_TICKET_TTL_SECONDS", "60", false, Kind::kInt, 5, 600,
     field_of<&Config::ws_ticket_ttl_seconds>},
    {"DEFAULT_LANGUAGE", "en", false, Kind::kString, 0, 0, field_of<&Config::default_language>},
    {"SUPPORTED_LANGUAGES", "en,id,jp,ko,cn", false, Kind::kList, 0, 0,
     field_of<&Config::supported_languages>},
    {"ALLOWED_ORIGINS", "http://localhost:3000,http://localhost:3001", false, Kind::kList, 0, 0,
     field_of<&Config::allowed_origins>},
    {"TRUSTED_HOSTS", "localhost,127.0.0.1", false, Kind::kList, 0, 0,
     field_of<&Config::trusted_hosts>},
    {"MAX_JSON_BODY_BYTES", "65536", false, Kind::kInt, 1024, 16777216,
     field_of<&Config::max_json_body_bytes>},
    {"MAX_FILE_SIZE", "10485760", false, Kind::kInt, 1024, 1073741824,
     field_of<&Config::max_file_size>},
    {"LOGIN_RATE_PER_IP", "30", false, Kind::kInt, 1, kBig, field_of<&Config::login_rate_per_ip>},
    {"LOGIN_RATE_PER_ACCOUNT", "10", false, Kind::kInt, 1, kBig,
     field_of<&Config::login_rate_per_account>},
    {"LOGIN_RATE_WINDOW_SECONDS", "60", false, Kind::kInt, 1, 86400,
     field_of<&Config::login_rate_window_seconds>},
    {"REGISTER_RATE_PER_IP", "10", false, Kind::kInt, 1, kBig,
     field_of<&Config::register_rate_per_ip>},
    {"REGISTER_RATE_WINDOW_SECONDS", "3600", false, Kind::kInt, 1, 86400,
     field_of<&Config::register_rate_window_seconds>},
    {"API_LISTEN", "127.0.0.1:9000", false, Kind::kString, 0, 0, field_of<&Config::api_listen>},
    {"API_SOCKET_MODE", "0660", false, Kind::kString, 0, 0, field_of<&Config::api_socket_mode>},
    {"API_THREADS", "32", false, Kind::kInt, 1, 256, field_of<&Config::api_threads>},
    {"DB_STATEMENT_TIMEOUT_MS", "5000", false, Kind::kInt, 100, 600000,
     field_of<&Config::db_statement_timeout_ms>},
    {"REALTIME_HOST", "127.0.0.1", false, Kind::kString, 0, 0, field_of<&Config::realtime_host>},
    {"REALTIME_PORT", "8090", false, Kind::kInt, 1, 65535, field_of<&Config::realtime_port>},
    {"REALTIME_NODE_ID", "", false, Kind::kString, 0, 0, field_of<&Config::realtime_node_id>},
    {"WS_PING_INTERVAL_SECONDS", "25", false, Kind::kInt, 1, 3600,
     field_of<&Config::ws_ping_interval_seconds>},
    {"WS_PONG_TIMEOUT_SECONDS", "60", false, Kind::kInt, 2, 7200,
     field_of<&Config::ws_pong_timeout_seconds>},
    {"WS_MAX_MESSAGE_BYTES", "65536", false, Kind::kInt, 1024, 16777216,
     field_of<&Config::ws_max_message_bytes>},
    {"WS_SEND_QUEUE_BYTES", "1048576", false, Kind::kInt, 4096, 1073741824,
     field_of<&Config::ws_send_queue_bytes>},
    {"WS_RATE_PER_10S", "100", false, Kind::kInt, 1, kBig, field_of<&Config::ws_rate_per_10s>},
    {"PRESENCE_TTL_SECONDS", "90", false, Kind::kInt, 10, 86400,
     field_of<&Config::presence_ttl_seconds>},
    {"REALTIME_WORKERS", "4", false, Kind::kInt, 1, 64, field_of<&Config::realtime_workers>},
    {"LOG_LEVEL", "info", false, Kind::kString, 0, 0, field_of<&Config::log_level>},
    {"STORAGE_BACKEND", "local", false, Kind::kString, 0, 0, field_of<&Config::storage_backend>},
    {"STORAGE_DIR", "./var/storage", false, Kind::kString, 0, 0, field_of<&Config::storage_dir>},
    {"ALLOWED_FILE_EXTENSIONS",
     "jpg,jpeg,png,gif,webp,mp4,mov,m4a,mp3,wav,ogg,pdf,doc,docx,xls,xlsx,ppt,pptx,zip", false,
     Kind::kList, 0, 0, field_of<&Config::allowed_file_extensions>},
    {"THUMBNAIL_SIZE", "300", false, Kind::kInt, 16, 2048, field_of<&Config::thumbnail_size>},
    {"AVATAR_SIZE", "1024", false, Kind::kInt, 64, 4096, field_of<&Config::avatar_size>},
    {"USER_STORAGE_QUOTA_BYTES", "1073741824", false, Kind::kInt, 0, kBig,
     field_of<&Config::user_storage_quota_bytes>},
    {"THUMBNAILER_PATH", "", false, Kind::kString, 0, 0, field_of<&Config::thumbnailer_path>},
    {"THUMBNAIL_TIMEOUT_MS", "2000", false, Kind::kInt, 100, 60000,
     field_of<&Config::thumbnail_timeout_ms>},
    {"THUMBNAIL_MEMORY_MB", "512", false, Kind::kInt, 128, 8192,
     field_of<&Config::thumbnail_memory_mb>},
    {"TEMP_FILE_TTL_HOURS", "24", false, Kind::kInt, 1, 8760,
     field_of<&Config::temp_file_ttl_hours>},
    {"STORAGE_GC_INTERVAL_SECONDS", "60", false, Kind::kInt, 1, 86400,
     field_of<&Config::storage_gc_interval_seconds>},
    {"UPLOAD_INTENT_GRACE_SECONDS", "600", false, Kind::kInt, 1, 86400,
     field_of<&Config::upload_intent_grace_seconds>},
    {"AWS_ACCESS_KEY_ID", "", false, Kind::kString, 0, 0, field_of<&Config::aws_access_key_id>},
    {"AWS_SECRET_ACCESS_KEY", "", false, Kind::kString, 0, 0,
     field_of<&Config::aws_secret_access_key>},
    {"AWS_SESSION_TOKEN", "", false, Kind::kString, 0, 0, field_of<&Config::aws_session_token>},
    {"AWS_S3_BUCKET", "", false, Kind::kString, 0, 0, field_of<&Config::aws_s3_bucket>},
    {"AWS_REGION", "us-east-1", false, Kind::kString, 0, 0, field_of<&Config::aws_region>},
    {"S3_ENDPOINT", "", false, Kind::kString, 0, 0, field_of<&Config::s3_endpoint>},
    {"S3_PRESIGN_SECONDS", "900", false, Kind::kInt, 1, 900, field_of<&Config::s3_presign_seconds>},
    {"HTTP_CLIENT_TIMEOUT_MS", "5000", false, Kind::kInt, 100, 120000,
     field_of<&Config::http_client_timeout_ms>},
    {"GIPHY_API_KEY", "", false, Kind::kString, 0, 0, field_of<&Config::giphy_api_key>},
    {"GIPHY_BASE_URL", "https://api.giphy.com", false, Kind::kString, 0, 0,
     field_of<&Config::giphy_base_url>},
    {"GIPHY_RATING", "pg-13", false, Kind::kString, 0, 0, field_of<&Config::giphy_rating>},
    {"GIF_CACHE_SECONDS", "300", false, Kind::kInt, 0, 86400, field_of<&Config::gif_cache_seconds>},
    {"TENOR_API_KEY", "", false, Kind::kString, 0, 0, field_of<&Config::tenor_api_key>},
    {"AGORA_APP_ID", "", false, Kind::kString, 0, 0, field_of<&Config::agora_app_id>},
    {"AGORA_APP_CERTIFICATE", "", false, Kind::kString, 0, 0,
     field_of<&Config::agora_app_certificate>},
    {"AGORA_TOKEN_EXPIRY_HOURS", "24", false, Kind::kInt, 1, 24 * 30,
     field_of<&Config::agora_token_expiry_hours>},
    {"CALL_RING_TIMEOUT_SECONDS", "45", false, Kind::kInt, 1, 600,
     field_of<&Config::call_ring_timeout_seconds>},
    {"CALL_MAX_PARTICIPANTS", "16", false, Kind::kInt, 2, 64,
     field_of<&Config::call_max_participants>},
    {"FCM_PROJECT_ID", "", false, Kind::kString, 0, 0, field_of<&Config::fcm_project_id>},
    {"FCM_SERVICE_ACCOUNT_FILE", "", false, Kind::kString, 0, 0,
     field_of<&Config::fcm_service_account_file>},
    {"FCM_BASE_URL", "https://fcm.googleapis.com", false, Kind::kString, 0, 0,
     field_of<&Config::fcm_base_url>},
    {"FCM_OAUTH_URL", "", false, Kind::kString, 0, 0, field_of<&Config::fcm_oauth_url>},
    {"FCM_MAX_ATTEMPTS", "5", false, Kind::kInt, 1, 20, field_of<&Config::fcm_max_attempts>},
    {"FCM_RETRY_BASE_MS", "500", false, Kind::kInt, 10, 60000,
     field_of<&Config::fcm_retry_base_ms>},
    {"FCM_RETRY_MAX_MS", "60000", false, Kind::kInt, 100, 3600000,
     field_of<&Config::fcm_retry_max_ms>},
    // Push queue (common/push_service.hpp, push_delivery.hpp).
    {"PUSH_PREVIEW_CHARS", "100", false, Kind::kInt, 10, 1000, field_of<&Config::push_preview_chars>},
    {"PUSH_MAX_DEVICE_TOKENS", "20", false, Kind::kInt, 1, 1000,
     field_of<&Config::push_max_device_tokens>},
    {"PUSH_POLL_INTERVAL_MS", "200", false, Kind::kInt, 10, 60000,
     field_of<&Config::push_poll_interval_ms>},
    {"PUSH_BATCH_SIZE", "64", false, Kind::kInt, 1, 1000, field_of<&Config::push_batch_size>},
    {"PUSH_CONSUMERS", "1", false, Kind::kInt, 1, 16, field_of<&Config::push_consumers>},
    {"PUSH_CLAIM_IDLE_MS", "30000", false, Kind::kInt, 100, 86400000,
     field_of<&Config::push_claim_idle_ms>},
    {"PUSH_LEASE_SECONDS", "60", false, Kind::kInt, 1, 3600, field_of<&Config::push_lease_seconds>},
    {"PUSH_REQUEUE_SECONDS", "60", false, Kind::kInt, 1, 86400,
     field_of<&Config::push_requeue_seconds>},
    {"PUSH_REQUEUE_INTERVAL_MS", "1000", false, Kind::kInt, 100, 600000,
     field_of<&Config::push_requeue_interval_ms>},
    {"GEOFENCE_MAX_PER_USER", "100", false, Kind::kInt, 1, 10000,
     field_of<&Config::geofence_max_per_user>},
    // Location history retention (common/location_nearby.hpp).
    {"LOCATION_HISTORY_RETENTION_DAYS", "30", false, Kind::kInt, 0, 36500,
     field_of<&Config::location_history_retention_days>},
    {"LOCATION_RETENTION_INTERVAL_SECONDS", "60", false, Kind::kInt, 1, 86400,
     field_of<&Config::location_retention_interval_seconds>},
};

// Settings and .env lines lose surrounding blanks and line ends.
std::string trim(const std::string& s) { return std::string(nt::trim(s, " \t\r\n")); }

bool parse_int(const std::string& text, int64_t& out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  out = v;
  return true;
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::map<std::string, std::string> parse_dotenv(const std::string& text) {
  std::map<std::string, std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    const size_t close = value.empty() ? std::string::npos : value.find(value.front(), 1);
    if ((value[0] == '"' || value[0] == '\'') && close != std::string::npos &&
        (trim(value.substr(close + 1)).empty() || trim(value.substr(close + 1))[0] == '#')) {
      value = value.substr(1, close - 1);
    } else if (!value.empty() && value[0] == '#') {
      value.clear();  // KEY=   # comment: an empty value with a comment
    } else {
      const auto hash = value.find(" #");
      if (hash != std::string::npos) value = trim(value.substr(0, hash));
    }
    out[key] = value;
  }
  return out;
}

Config config_from_map(const std::map<std::string, std::string>& vars) {
  Config c;
  std::vector<std::string> missing;
  std::vector<std::string> malformed;
  for (const Setting& s : kSettings) {
    const auto it = vars.find(s.name);
    std::string value = it != vars.end() ? it->second : s.default_value;
    if (value.empty() && s.required) {
      missing.push_back(s.name);
      continue;
    }
    void* field = s.field(c);
    switch (s.kind) {
      case Kind::kString:
        *static_cast<std::string*>(field) = value;
        break;
      case Kind::kList:
        *static_cast<std::vector<std::string>*>(field) = split_list(value);
        break;
      case Kind::kInt: {
        int64_t v = 0;
        if (!parse_int(value, v) || v < s.min || v > s.max) {
          malformed.push_back(std::string(s.name) + " (an integer from " + std::to_string(s.min) +
                              " to " + std::to_string(s.max) + ")");
        } else {
          *static_cast<int64_t*>(field) = v;
        }
        break;
      }
    }
  }
  for (const auto& l : c.supported_languages) {
    if (!is_language(l)) malformed.push_back("SUPPORTED_LANGUAGES (" + l + " is not one of en, id, jp, ko, cn)");
  }
  if (c.supported_languages.empty()) malformed.push_back("SUPPORTED_LANGUAGES (empty)");
  if (std::find(c.supported_languages.begin(), c.supported_languages.end(), c.default_language) ==
      c.supported_languages.end()) {
    malformed.push_back("DEFAULT_LANGUAGE (must be one of SUPPORTED_LANGUAGES)");
  }
  if (c.jwt_algorithm != "HS256") malformed.push_back("JWT_ALGORITHM (only HS256 is supported)");
  if (!c.jwt_secret_key.empty() && c.jwt_secret_key.size() < 32) {
    malformed.push_back("JWT_SECRET_KEY (at least 32 bytes: RFC 7518 needs 256 bits for HS256)");
  }
  if (c.storage_backend == "s3") {
    for (const auto* s : {&c.aws_s3_bucket, &c.aws_access_key_id, &c.aws_secret_access_key}) {
      if (s->empty()) {
        missing.push_back(s == &c.aws_s3_bucket       ? "AWS_S3_BUCKET"
                          : s == &c.aws_access_key_id ? "AWS_ACCESS_KEY_ID"
                                                      : "AWS_SECRET_ACCESS_KEY");
      }
    }
  } else if (c.storage_backend != "local") {
    malformed.push_back("STORAGE_BACKEND (local or s3)");
  }
  for (auto& e : c.allowed_file_extensions) e = ascii_lower(e);
  if (c.giphy_rating != "g" && c.giphy_rating != "pg" && c.giphy_rating != "pg-13" &&
      c.giphy_rating != "r") {
    malformed.push_back("GIPHY_RATING (g, pg, pg-13 or r)");
  }
  if (c.agora_app_id.empty() != c.agora_app_certificate.empty()) {
    malformed.push_back("AGORA_APP_ID / AGORA_APP_CERTIFICATE (set both or neither)");
  }
  const auto http_url = [](const std::string& u) {
    return u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
  };
  if (!http_url(c.fcm_base_url)) malformed.push_back("FCM_BASE_URL (an http:// or https:// URL)");
  if (!c.fcm_oauth_url.empty() && !http_url(c.fcm_oauth_url)) {
    malformed.push_back("FCM_OAUTH_URL (an http:// or https:// URL)");
  }
  // A sender's claim must outlive its longest attempt: a token request and two sends.
  if (c.push_lease_seconds * 1000 <= 3 * c.http_client_timeout_ms) {
    malformed.push_back("PUSH_LEASE_SECONDS (more than 3 x HTTP_CLIENT_TIMEOUT_MS)");
  }
  std::string msg;
  if (!missing.empty()) {
    msg += "missing required settings:";
    for (const auto& m : missing) msg += " " + m;
  }
  if (!malformed.empty()) {
    if (!msg.empty()) msg += "; ";
    msg += "invalid settings:";
    for (const auto& m : malformed) msg += " " + m;
  }
  if (!msg.empty()) throw ConfigError(msg);
  if (c.realtime_node_id.empty()) c.realtime_node_id = "rt" + std::to_string(c.realtime_port);
  return c;
}

Config load_config(const std::string& dotenv_path) {
  std::map<std::string, std::string> vars;
  if (const auto text = read_file(dotenv_path)) vars = parse_dotenv(*text);  // optional file
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return config_from_map(vars);
}

}  // namespace nt
