// nerutalk-api: the REST API as FastCGI workers behind nginx (DESIGN.md §1).
#include <cstdio>

#include "config.hpp"
#include "log.hpp"
#include "worker.hpp"

int main() {
  try {
    const nt::Config cfg = nt::load_config(getenv("NERUTALK_ENV_FILE") ? getenv("NERUTALK_ENV_FILE") : ".env");
    nt::set_log_level(cfg.log_level);
    return nt::run_workers(cfg);
  } catch (const nt::ConfigError& e) {
    fprintf(stderr, "nerutalk-api: configuration error: %s\n", e.what());
    return 2;
  }
}
