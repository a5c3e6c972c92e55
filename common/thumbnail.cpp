#include "thumbnail.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <vector>

#include "thumbnailer_protocol.hpp"
#include "unique_fd.hpp"

extern char** environ;

namespace nt {
namespace {

namespace proto = thumbnailer;
using Clock = std::chrono::steady_clock;

constexpr const char* kHelperName = "nerutalk-thumbnailer";
constexpr size_t kChunk = 64 * 1024;

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// The child's process id from a successful posix_spawn until it has been reaped. Whatever
// path leaves make_jpeg_thumbnail (an exception included) kills and reaps it: no zombies.
class Child {
 public:
  Child() = default;
  ~Child() {
    if (pid_ > 0) {
      kill();
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  pid_t* pid_slot() { return &pid_; }
  void kill() const { ::kill(pid_, SIGKILL); }
  // Blocks until the child has ended and returns its waitpid status.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// A posix_spawn attribute or file-actions object, initialised and destroyed in scope.
template <typename T, int (*Init)(T*), int (*Destroy)(T*)>
class SpawnObject {
 public:
  SpawnObject() { Init(&v_); }
  ~SpawnObject() { Destroy(&v_); }
  SpawnObject(const SpawnObject&) = delete;
  SpawnObject& operator=(const SpawnObject&) = delete;
  T* get() { return &v_; }

 private:
  T v_;
};
using SpawnActions = SpawnObject<posix_spawn_file_actions_t, posix_spawn_file_actions_init,
                                 posix_spawn_file_actions_destroy>;
using SpawnAttr = SpawnObject<posix_spawnattr_t, posix_spawnattr_init, posix_spawnattr_destroy>;

// Moves a descriptor above 0–2 (only in a process that closed its standard descriptors), so
// that the child's dup2 onto stdin/stdout always yields a fresh, inheritable descriptor.
bool above_stdio(UniqueFd& fd) {
  if (fd.get() > STDERR_FILENO) return true;
  fd.reset(fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
  return fd.valid();
}

// The child inherits no secrets from the worker's environment (database URL, JWT and storage
// keys): only what the dynamic loader and the sanitizers read.
std::vector<char*> child_environment() {
  std::vector<char*> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    for (std::string_view keep :
         {"LD_LIBRARY_PATH=", "ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS="}) {
      if (std::string_view(*e).starts_with(keep)) env.push_back(*e);
    }
  }
  env.push_back(nullptr);
  return env;
}

// Starts the helper with `child_in` as stdin, `child_out` as stdout, /dev/null as stderr,
// every other descriptor closed, default signal dispositions and an empty signal mask (a
// worker thread blocks SIGTERM and ignores SIGPIPE). Returns posix_spawn's error number.
int spawn(const std::string& path, std::vector<std::string>& args, int child_in, int child_out,
          Child* child) {
  SpawnActions actions;
  SpawnAttr attr;
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  int rc = posix_spawn_file_actions_adddup2(actions.get(), child_in, STDIN_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(actions.get(), child_out, STDOUT_FILENO);
  if (rc == 0) {
    rc = posix_spawn_file_actions_addopen(actions.get(), STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  }
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(actions.get(), STDERR_FILENO + 1);
  if (rc == 0) rc = posix_spawnattr_setsigmask(attr.get(), &none);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(attr.get(), &all);
  if (rc == 0)
    rc = posix_spawnattr_setflags(attr.get(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc != 0) return rc;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> env = child_environment();
  return posix_spawn(child->pid_slot(), path.c_str(), actions.get(), attr.get(), argv.data(),
                     env.data());
}

enum class Exchange { kDone, kTimeout, kTooMuchOutput, kError };

// Writes `input` to the child's stdin while reading its stdout, both at once (non-blocking,
// one poll), so neither side can fill a pipe and wait for the other. Ends at the end of the
// child's stdout, at `deadline`, or when the answer would exceed `max_output`. A child that
// stops reading (it exits early) just ends the writing: its exit status tells why.
Exchange exchange(UniqueFd& in, UniqueFd& out, std::string_view input, Clock::time_point deadline,
                  size_t max_output, std::string* answer, std::string* error) {
  size_t sent = 0;
  char buf[kChunk];
  while (out.valid()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Exchange::kTimeout;
    pollfd fds[2] = {{out.get(), POLLIN, 0}, {in.get(), POLLOUT, 0}};
    const int n =
        ::poll(fds, in.valid() ? 2 : 1, static_cast<int>(std::min<int64_t>(left, INT_MAX)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = errno_text("poll");
      return Exchange::kError;
    }
    if (in.valid() && fds[1].revents != 0) {
      const size_t len = std::min(kChunk, input.size() - sent);
      const ssize_t w = ::send(in.get(), input.data() + sent, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) sent += static_cast<size_t>(w);
      if (sent == input.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) in.reset();
    }
    if (fds[0].revents != 0) {
      const ssize_t r = ::read(out.get(), buf, sizeof buf);
      if (r == 0) out.reset();  // the helper closes stdout only by exiting
      if (r > 0 && answer->size() + static_cast<size_t>(r) > max_output) {
        return Exchange::kTooMuchOutput;
      }
      if (r > 0) answer->append(buf, static_cast<size_t>(r));
      if (r < 0 && errno != EAGAIN && errno != EINTR) {
        *error = errno_text("read");
        return Exchange::kError;
      }
    }
  }
  return Exchange::kDone;
}

ThumbnailResult result(ThumbnailStatus status, std::string error) {
  ThumbnailResult r;
  r.status = status;
  r.error = std::move(error);
  return r;
}

// The helper's answer after a successful exit: the header, then a JPEG whose own frame header
// agrees with it and fits `max_side`.
ThumbnailResult parse_answer(std::string answer, int max_side) {
  uint32_t w = 0;
  uint32_t h = 0;
  uint32_t len = 0;
  const auto limit = static_cast<uint32_t>(max_side);
  if (!proto::decode_header(answer, &w, &h, &len) || len != answer.size() - proto::kHeaderBytes ||
      w < 1 || h < 1 || w > limit || h > limit) {
    return result(ThumbnailStatus::kFailed, "thumbnailer: malformed answer");
  }
  answer.erase(0, proto::kHeaderBytes);
  uint32_t jw = 0;
  uint32_t jh = 0;
  if (sniff(answer).type != SniffedType::kJpeg ||
      image_dimensions(answer, SniffedType::kJpeg, &jw, &jh) != ProbeResult::kOk || jw != w ||
      jh != h) {
    return result(ThumbnailStatus::kFailed, "thumbnailer: answer is not the announced JPEG");
  }
  ThumbnailResult r = result(ThumbnailStatus::kOk, "");
  r.jpeg = std::move(answer);
  r.width = static_cast<int>(w);
  r.height = static_cast<int>(h);
  return r;
}

ThumbnailResult from_wait_status(int status, std::string answer, int max_side) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const std::string what = "thumbnailer killed by signal " + std::to_string(sig);
    // SIGXCPU/SIGKILL: CPU limit; SIGSEGV/SIGBUS/SIGABRT: the decoder failed, e.g. on an
    // allocation refused by the address-space limit.
    const bool budget =
        sig == SIGKILL || sig == SIGXCPU || sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT;
    return result(budget ? ThumbnailStatus::kTooComplex : ThumbnailStatus::kFailed, what);
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  switch (code) {
    case proto::kExitOk:
      return parse_answer(std::move(answer), max_side);
    case proto::kExitCorrupt:
      return result(ThumbnailStatus::kCorrupt, "image rejected as corrupt");
    case proto::kExitTooComplex:
      return result(ThumbnailStatus::kTooComplex, "image over the size or memory limits");
    default:
      return result(ThumbnailStatus::kFailed, "thumbnailer exit status " + std::to_string(code));
  }
}

}  // namespace

ThumbnailLimits thumbnail_limits(const Config& cfg) {
  ThumbnailLimits limits;
  limits.helper_path = cfg.thumbnailer_path;
  if (limits.helper_path.empty()) {
    char exe[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe);
    const std::string_view self(exe, n > 0 ? static_cast<size_t>(n) : 0);
    const size_t slash = self.rfind('/');
    // Left empty when unknown: make_jpeg_thumbnail then fails with a message for the log.
    if (n > 0 && n < static_cast<ssize_t>(sizeof exe) && slash != std::string_view::npos) {
      limits.helper_path = std::string(self.substr(0, slash + 1)) + kHelperName;
    }
  }
  limits.timeout_ms = static_cast<int>(cfg.thumbnail_timeout_ms);
  limits.memory_mb = static_cast<int>(cfg.thumbnail_memory_mb);
  return limits;
}

ThumbnailResult make_jpeg_thumbnail(std::string_view image, SniffedType type, int max_side,
                                    const ThumbnailLimits& limits) {
  if (!is_decodable_image(type)) {
    return result(ThumbnailStatus::kFailed, "thumbnail asked for a type that is never decoded");
  }
  if (limits.helper_path.empty()) return result(ThumbnailStatus::kFailed, "no thumbnailer path");
  if (max_side < 1 || max_side > static_cast<int>(kMaxImageSide) || limits.timeout_ms < 1) {
    return result(ThumbnailStatus::kFailed, "bad thumbnail limits");
  }
  if (image.empty()) return result(ThumbnailStatus::kCorrupt, "empty image");
  if (image.size() > proto::kMaxInputBytes) {
    return result(ThumbnailStatus::kTooComplex, "image over the thumbnailer's byte limit");
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(limits.timeout_ms);

  // Our ends are close-on-exec (another thread's child must not hold them open) and
  // non-blocking; stdin is a socket so that writing to a child that is gone gives EPIPE rather
  // than SIGPIPE (send with MSG_NOSIGNAL).
  int in_pair[2];
  int out_pipe[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
    return result(ThumbnailStatus::kFailed, errno_text("socketpair"));
  }
  UniqueFd in(in_pair[0]);
  UniqueFd child_in(in_pair[1]);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return result(ThumbnailStatus::kFailed, errno_text("pipe2"));
  UniqueFd out(out_pipe[0]);
  UniqueFd child_out(out_pipe[1]);
  if (!above_stdio(child_in) || !above_stdio(child_out) ||
      fcntl(out.get(), F_SETFL, O_NONBLOCK) != 0) {
    return result(ThumbnailStatus::kFailed, errno_text("descriptors"));
  }

  std::vector<std::string> args = {limits.helper_path,
                                   proto::format_name(type),
                                   std::to_string(max_side),
                                   std::to_string(std::clamp(limits.quality, 1, 100)),
                                   std::to_string(limits.memory_mb),
                                   std::to_string(std::max(1, (limits.timeout_ms + 999) / 1000)),
                                   std::to_string(image.size())};
  Child child;
  if (const int rc = spawn(limits.helper_path, args, child_in.get(), child_out.get(), &child);
      rc != 0) {
    return result(ThumbnailStatus::kFailed,
                  "cannot start " + limits.helper_path + ": " + std::strerror(rc));
  }
  child_in.reset();
  child_out.reset();

  const size_t max_output = proto::kHeaderBytes + size_t(max_side) * size_t(max_side) * 8 + kChunk;
  std::string answer;
  std::string error;
  const Exchange ex = exchange(in, out, image, deadline, max_output, &answer, &error);
  if (ex != Exchange::kDone) child.kill();
  const int status = child.wait();
  switch (ex) {
    case Exchange::kDone:
      return from_wait_status(status, std::move(answer), max_side);
    case Exchange::kTimeout:
      return result(ThumbnailStatus::kTooComplex,
                    "thumbnailer killed after " + std::to_string(limits.timeout_ms) + " ms");
    case Exchange::kTooMuchOutput:
      return result(ThumbnailStatus::kFailed, "thumbnailer answer too large");
    case Exchange::kError:
      break;
  }
  return result(ThumbnailStatus::kFailed, error);
}

}  // namespace nt
