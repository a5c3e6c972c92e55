// A command-line door to the storage backend that STORAGE_BACKEND names, so the integration
// tests (tests/integration/test_s3_storage.py) drive the real C++ S3 backend against the S3
// stand-in without the REST API. Settings come from the environment as for every process;
// DATABASE_URL, REDIS_URL and JWT_SECRET_KEY are not used here and may be absent.
//
//   s3_storage_check put KEY CONTENT_TYPE                        object bytes from stdin
//   s3_storage_check get KEY                                     object bytes to stdout
//   s3_storage_check exists KEY                                  prints "yes" or "no"
//   s3_storage_check remove KEY
//   s3_storage_check download KEY [CONTENT_TYPE [DISPOSITION]]   prints the location
//
// Exit status: 0 done, 3 StorageError (its message on stderr), 2 usage or settings error.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "../tool_config.hpp"
#include "storage.hpp"

namespace {

int usage() {
  std::cerr << "usage: s3_storage_check put KEY TYPE | get KEY | exists KEY | remove KEY | "
               "download KEY [TYPE [DISPOSITION]]\n";
  return 2;
}

int run(const nt::Storage& store, const std::vector<std::string>& args) {
  const std::string& cmd = args[0];
  const std::string& key = args[1];
  if (cmd == "put" && args.size() == 3) {
    const std::string bytes(std::istreambuf_iterator<char>(std::cin), {});
    store.put(key, bytes, args[2]);
  } else if (cmd == "get" && args.size() == 2) {
    const std::string bytes = store.get(key);
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  } else if (cmd == "exists" && args.size() == 2) {
    std::cout << (store.exists(key) ? "yes" : "no") << "\n";
  } else if (cmd == "remove" && args.size() == 2) {
    store.remove(key);
  } else if (cmd == "download" && args.size() <= 4) {
    nt::DownloadOptions opts;
    if (args.size() > 2) opts.content_type = args[2];
    if (args.size() > 3) opts.content_disposition = args[3];
    const nt::DownloadTarget target = store.download(key, opts);
    std::cout << (target.internal_redirect ? "internal " : "redirect ") << target.location << "\n";
  } else {
    return usage();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 2) return usage();
  try {
    const nt::Config cfg = nt::test::tool_config();
    return run(*nt::make_storage(cfg), args);
  } catch (const nt::StorageError& e) {
    std::cerr << "StorageError: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
