#include "storage_local.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto.hpp"
#include "read_file.hpp"
#include "unique_fd.hpp"

namespace nt {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw StorageError(what + " " + path + ": " + std::strerror(errno));
}

// mkdir -p for the directories of `path` below `root`.
void make_parents(const std::string& root, const std::string& path) {
  for (size_t i = root.size() + 1; i < path.size(); ++i) {
    if (path[i] != '/') continue;
    const std::string dir = path.substr(0, i);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) fail("mkdir", dir);
  }
}

}  // namespace

LocalStorage::LocalStorage(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string LocalStorage::path_of(const std::string& key) const {
  if (!valid_storage_key(key)) throw StorageError("invalid storage key");
  return root_ + "/" + key;
}

void LocalStorage::put(const std::string& key, std::string_view bytes, const std::string&) const {
  const std::string path = path_of(key);
  if (::mkdir(root_.c_str(), 0755) != 0 && errno != EEXIST) fail("mkdir", root_);
  make_parents(root_, path);
  const std::string tmp = path + ".tmp-" + random_token(8);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail("open", tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::unlink(tmp.c_str());
      errno = saved;
      fail("write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail("store", path);
  }
}

void LocalStorage::remove(const std::string& key) const {
  const std::string path = path_of(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail("unlink", path);
}

bool LocalStorage::exists(const std::string& key) const {
  struct stat st {};
  return ::stat(path_of(key).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string LocalStorage::get(const std::string& key) const {
  const std::string path = path_of(key);
  std::optional<std::string> bytes = read_file(path);
  if (!bytes) fail("read", path);
  return std::move(*bytes);
}

DownloadTarget LocalStorage::download(const std::string& key, const DownloadOptions&) const {
  (void)path_of(key);  // validates the key
  return DownloadTarget{true, std::string(kInternalFilesPrefix) + key};
}

}  // namespace nt
