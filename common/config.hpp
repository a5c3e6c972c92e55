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
