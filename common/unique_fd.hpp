// Owns one file descriptor and closes it exactly once. Closing a socket also drops it from any
// epoll set it was in (we never dup), which is what lets the bench load worker forget a
// connection by just resetting its UniqueFd. Header-only: the bench tools, which link no
// project library, use it too (bench/unique_fd.hpp).
#pragma once

#include <unistd.h>

#include <utility>

namespace nt {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing (e.g. to close it yourself and check the result).
  int release() { return std::exchange(fd_, -1); }
  // Closes the current descriptor (if any) and takes ownership of `fd` (-1 for none).
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace nt
