// The FastCGI side: a listening socket shared by N threads, each with its own FCGX_Request,
// Postgres and Redis connection, accepting and answering requests until shutdown.
#pragma once

#include "config.hpp"

namespace nt {

// Opens the socket (unix path or "host:port"/":port") and runs cfg.api_threads workers.
// Returns when every worker has stopped (after SIGTERM/SIGINT). Returns non-zero on failure.
int run_workers(const Config& cfg);

}  // namespace nt
