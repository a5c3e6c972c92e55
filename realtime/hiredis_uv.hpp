// hiredis async <-> libuv: the handful of hooks hiredis needs (add/del read/write, cleanup).
// Our own instead of hiredis 0.14's adapters/libuv.h because that one drops poll errors: a
// reconnect attempt to a Redis that is still down then never completes or fails, and the
// daemon would stay without Redis after an outage. Here an error status is handed to hiredis
// as readiness, so it reads the socket error and fails the connection normally.
#pragma once

#include <hiredis/async.h>
#include <uv.h>

namespace nt::rt {

// Attaches `ac` to `loop`; REDIS_OK or REDIS_ERR. Loop thread only.
int redis_attach_uv(redisAsyncContext* ac, uv_loop_t* loop);

}  // namespace nt::rt
