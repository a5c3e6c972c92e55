// The local storage backend: objects are files under STORAGE_DIR at their key's path, written
// to a temporary name, fsynced and renamed into place (readers never see a partial file).
// nginx serves them from its internal /internal/files/ location.
#pragma once

#include "storage.hpp"

namespace nt {

class LocalStorage final : public Storage {
 public:
  explicit LocalStorage(std::string root);
  const char* name() const override { return "local"; }
  void put(const std::string& key, std::string_view bytes,
           const std::string& content_type) const override;
  void remove(const std::string& key) const override;
  bool exists(const std::string& key) const override;
  std::string get(const std::string& key) const override;
  DownloadTarget download(const std::string& key, const DownloadOptions& opts) const override;

 private:
  std::string path_of(const std::string& key) const;
  std::string root_;
};

// The nginx location that maps to STORAGE_DIR (nginx/nerutalk.conf.template).
constexpr const char* kInternalFilesPrefix = "/internal/files/";

}  // namespace nt
