// nerutalk-realtime: the WebSocket daemon (DESIGN.md §1, §5). main() only wires the parts.
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "config.hpp"
#include "log.hpp"
#include "server.hpp"

namespace {

struct Signals {
  nt::rt::Server* server;
  uv_signal_t term;
  uv_signal_t intr;
};

// SIGTERM or SIGINT: graceful stop; both handles close so the loop can end.
void on_signal(uv_signal_t* handle, int) {
  auto* sig = static_cast<Signals*>(handle->data);
  sig->server->stop();
  uv_close(reinterpret_cast<uv_handle_t*>(&sig->term), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sig->intr), nullptr);
}

}  // namespace

int main() {
  nt::Config cfg;
  try {
    cfg = nt::load_config(getenv("NERUTALK_ENV_FILE") ? getenv("NERUTALK_ENV_FILE") : ".env");
  } catch (const nt::ConfigError& e) {
    fprintf(stderr, "nerutalk-realtime: configuration error: %s\n", e.what());
    return 2;
  }
  nt::set_log_level(cfg.log_level);
  signal(SIGPIPE, SIG_IGN);
  lws_set_log_level(LLL_ERR | LLL_WARN, nullptr);

  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = 0;
  {
    nt::rt::Server server(cfg, &loop);
    if (!server.start()) return 1;
    Signals sig{&server, {}, {}};
    uv_signal_init(&loop, &sig.term);
    uv_signal_init(&loop, &sig.intr);
    sig.term.data = sig.intr.data = &sig;
    uv_signal_start(&sig.term, on_signal, SIGTERM);
    uv_signal_start(&sig.intr, on_signal, SIGINT);
    rc = uv_run(&loop, UV_RUN_DEFAULT);
    log_info("realtime: stopped");
  }
  uv_loop_close(&loop);
  return rc < 0 ? 1 : 0;
}
