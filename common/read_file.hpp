// Reading a whole file or descriptor into memory, with a cap on its size. Blocking I/O; any
// thread. Header-only like unique_fd.hpp, so the tools and tests can use it too.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>

#include "unique_fd.hpp"

namespace nt {

constexpr size_t kNoSizeLimit = std::numeric_limits<size_t>::max();

// What `fd` yields up to its end (EINTR retried). nullopt with errno set on a read error, and
// with errno = EFBIG as soon as there is more than `max_bytes`.
inline std::optional<std::string> read_to_end(int fd, size_t max_bytes = kNoSizeLimit) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return out;
    if (static_cast<size_t>(n) > max_bytes - out.size()) {
      errno = EFBIG;
      return std::nullopt;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

// The whole file at `path`, as read_to_end; nullopt with errno set also when it cannot be
// opened (ENOENT, EACCES, EISDIR on read, ...).
inline std::optional<std::string> read_file(const std::string& path,
                                            size_t max_bytes = kNoSizeLimit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  std::optional<std::string> out = read_to_end(fd.get(), max_bytes);
  const int saved = errno;  // closing must not hide why reading failed
  fd.reset();
  errno = saved;
  return out;
}

}  // namespace nt
