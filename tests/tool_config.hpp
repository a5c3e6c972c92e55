// Settings for the command-line doors under tests/ (fcm/fcm_client_check,
// storage/s3_storage_check): the environment, as for every process, with the settings every
// process must have but these tools never use (DATABASE_URL, REDIS_URL, JWT_SECRET_KEY)
// filled in when absent. No .env file is read. Throws ConfigError as load_config.
#pragma once

#include <cstdlib>
#include <string>

#include "config.hpp"

namespace nt::test {

inline Config tool_config() {
  setenv("DATABASE_URL", "unused", 0);
  setenv("REDIS_URL", "unused", 0);
  setenv("JWT_SECRET_KEY", std::string(32, 'x').c_str(), 0);
  return load_config("/dev/null");
}

}  // namespace nt::test
