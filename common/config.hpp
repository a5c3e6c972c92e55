// Settings for every NeruTalk process, read once at start-up from the environment and an
// optional .env file (the environment wins). The table of settings in config.cpp is the one
// place where a setting is named, defaulted and documented; .env.example mirrors it.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace nt {

// Thrown by load_config when settings are missing or malformed; what() names every one.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Config {
  // Connections.
  std::string database_url;
  std::string redis_url;
  // Tokens and passwords.
  std::string jwt_secret_key;
  std::string jwt_algorithm;
  int64_t jwt_access_token_expire_minutes = 30;
  int64_t jwt_refresh_token_expire_days = 7;
  int64_t bcrypt_cost = 12;
  int64_t ws_ticket_ttl_seconds = 60;
  // Languages.
  std::string default_language;
  std::vector<std::string> supported_languages;
  // HTTP surface.
  std::vector<std::string> allowed_origins;
  std::vector<std::string> trusted_hosts;
  int64_t max_json_body_bytes = 65536;
  int64_t max_file_size = 10485760;
  // Rate limits (per window, in Redis).
  int64_t login_rate_per_ip = 30;
  int64_t login_rate_per_account = 10;
  int64_t login_rate_window_seconds = 60;
  int64_t register_rate_per_ip = 10;
  int64_t register_rate_window_seconds = 3600;
  // API workers.
  std::string api_listen;  // unix socket path or ":port"
  std::string api_socket_mode;  // octal permissions of a unix socket
  int64_t api_threads = 32;
  int64_t db_statement_timeout_ms = 5000;
  // Realtime daemon.
  std::string realtime_host;
  int64_t realtime_port = 8090;
  std::string realtime_node_id;
  int64_t ws_ping_interval_seconds = 25;
  int64_t ws_pong_timeout_seconds = 60;
  int64_t ws_max_message_bytes = 65536;
  int64_t ws_send_queue_bytes = 1048576;
  int64_t ws_rate_per_10s = 100;
  int64_t presence_ttl_seconds = 90;
  int64_t realtime_workers = 4;
  // Logging.
  std::string log_level;
  // Files and media (DESIGN.md §4.4).
  std::string storage_backend;  // "local" or "s3"
  std::string storage_dir;      // local backend root
  std::vector<std::string> allowed_file_extensions;  // lower-case, without dots
  int64_t thumbnail_size = 300;
  int64_t avatar_size = 1024;
  int64_t user_storage_quota_bytes = 1073741824;
  std::string thumbnailer_path;  // "" = nerutalk-thumbnailer beside the running program
  int64_t thumbnail_timeout_ms = 2000;
  int64_t thumbnail_memory_mb = 512;
  int64_t temp_file_ttl_hours = 24;
  int64_t storage_gc_interval_seconds = 60;
  int64_t upload_intent_grace_seconds = 600;
  // S3 and S3-compatible object storage.
  std::string aws_access_key_id;
  std::string aws_secret_access_key;
  std::string aws_session_token;
  std::string aws_s3_bucket;
  std::string aws_region;
  std::string s3_endpoint;  // "" = https://{bucket}.s3.{region}.amazonaws.com
  int64_t s3_presign_seconds = 900;
  // Outgoing HTTP (S3, GIPHY, FCM).
  int64_t http_client_timeout_ms = 5000;
  // GIFs (GIPHY).
  std::string giphy_api_key;
  std::string giphy_base_url;
  std::string giphy_rating;
  int64_t gif_cache_seconds = 300;
  std::string tenor_api_key;  // read but unused: Tenor's API was shut down on 2026-06-30
  // Calls (Agora RTC).
  std::string agora_app_id;
  std::string agora_app_certificate;
  int64_t agora_token_expiry_hours = 24;
  int64_t call_ring_timeout_seconds = 45;
  int64_t call_max_participants = 16;
  // Push notifications (FCM HTTP v1, DESIGN.md §4.5).
  std::string fcm_project_id;            // "" = the service-account file's project_id
  std::string fcm_service_account_file;  // "" = push not configured
  std::string fcm_base_url;
  std::string fcm_oauth_url;  // "" = the service-account file's token_uri
  int64_t fcm_max_attempts = 5;
  int64_t fcm_retry_base_ms = 500;
  int64_t fcm_retry_max_ms = 60000;
  // Push queue (DESIGN.md §4.5, §7).
  int64_t push_preview_chars = 100;      // {preview} of a message push
  int64_t push_max_device_tokens = 20;   // active tokens per user; registering more retires the oldest
  int64_t push_poll_interval_ms = 200;   // how often each sender reads the stream
  int64_t push_batch_size = 64;          // stream entries per read
  int64_t push_consumers = 1;            // senders per realtime daemon (each a worker thread)
  int64_t push_claim_idle_ms = 30000;    // entries of a vanished sender are taken over after this
  int64_t push_lease_seconds = 60;       // a claimed row is not sent again before this
  int64_t push_requeue_seconds = 60;     // pending rows queued longer ago get a new entry
  int64_t push_requeue_interval_ms = 1000;  // how often the re-queue job runs
  // Geofences (DESIGN.md §4.6).
  int64_t geofence_max_per_user = 100;  // active fences per user; one more is 409
  // Location history retention (common/location_nearby.hpp).
  int64_t location_history_retention_days = 30;      // 0 = keep forever
  int64_t location_retention_interval_seconds = 60;  // how often the retention job runs
};

// Reads `dotenv_path` (if it exists) and the environment into a Config. Throws ConfigError
// naming every missing required setting and every malformed value at once.
Config load_config(const std::string& dotenv_path = ".env");

// Same, from an explicit map of variables (used by tests; no environment, no file).
Config config_from_map(const std::map<std::string, std::string>& vars);

// Parses a .env file body: KEY=VALUE lines, '#' comments, optional quotes, "export " prefix.
std::map<std::string, std::string> parse_dotenv(const std::string& text);

// Splits "a, b,c" into {"a","b","c"}, dropping empty items.
std::vector<std::string> split_list(const std::string& text);

}  // namespace nt
