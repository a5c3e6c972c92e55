#include "hiredis_uv.hpp"

#include <sys/ioctl.h>

#include <new>

namespace nt::rt {
namespace {

struct UvRedis {
  redisAsyncContext* ctx;
  uv_poll_t poll;
  int events;
};

void on_poll(uv_poll_t* handle, int status, int events) {
  auto* p = static_cast<UvRedis*>(handle->data);
  // An error (refused connect, reset) is readiness too: hiredis reads SO_ERROR and fails the
  // context, which runs its connect/disconnect callbacks.
  if (status < 0) events = p->events;
  // hiredis reads at most 16 KiB per call; under a burst of pub/sub messages keep reading what
  // the socket already holds (bounded) so the bus is not drained one small piece per loop pass.
  for (int i = 0; i < 16 && p->ctx != nullptr && (events & UV_READABLE); ++i) {
    redisAsyncHandleRead(p->ctx);
    int pending = 0;
    if (p->ctx == nullptr || ioctl(p->ctx->c.fd, FIONREAD, &pending) != 0 || pending <= 0) break;
  }
  if (p->ctx != nullptr && (events & UV_WRITABLE)) redisAsyncHandleWrite(p->ctx);
}

void update(UvRedis* p, int events) {
  p->events = events;
  if (events) {
    uv_poll_start(&p->poll, events, on_poll);
  } else {
    uv_poll_stop(&p->poll);
  }
}

void add_read(void* d) {
  auto* p = static_cast<UvRedis*>(d);
  update(p, p->events | UV_READABLE);
}
void del_read(void* d) {
  auto* p = static_cast<UvRedis*>(d);
  update(p, p->events & ~UV_READABLE);
}
void add_write(void* d) {
  auto* p = static_cast<UvRedis*>(d);
  update(p, p->events | UV_WRITABLE);
}
void del_write(void* d) {
  auto* p = static_cast<UvRedis*>(d);
  update(p, p->events & ~UV_WRITABLE);
}

void on_closed(uv_handle_t* h) { delete static_cast<UvRedis*>(h->data); }

// hiredis is freeing the context: stop watching; the memory goes when libuv is done with it.
void cleanup(void* d) {
  auto* p = static_cast<UvRedis*>(d);
  p->ctx = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&p->poll), on_closed);
}

}  // namespace

int redis_attach_uv(redisAsyncContext* ac, uv_loop_t* loop) {
  if (ac->ev.data != nullptr) return REDIS_ERR;
  auto* p = new (std::nothrow) UvRedis{ac, {}, 0};
  if (p == nullptr) return REDIS_ERR;
  if (uv_poll_init(loop, &p->poll, ac->c.fd) != 0) {
    delete p;
    return REDIS_ERR;
  }
  p->poll.data = p;
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  ac->ev.data = p;
  return REDIS_OK;
}

}  // namespace nt::rt
