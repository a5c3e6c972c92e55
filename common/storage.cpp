#include "storage.hpp"

#include <mutex>

#include "storage_local.hpp"
#include "storage_s3.hpp"

namespace nt {

std::unique_ptr<Storage> make_storage(const Config& cfg) {
  if (cfg.storage_backend == "s3") return make_s3_storage(cfg);
  return std::make_unique<LocalStorage>(cfg.storage_dir);
}

const Storage& storage(const Config& cfg) {
  static std::once_flag once;
  static std::unique_ptr<Storage> instance;
  std::call_once(once, [&] { instance = make_storage(cfg); });
  return *instance;
}

bool valid_storage_key(std::string_view key) {
  if (key.empty() || key.size() > 512) return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    const std::string_view seg = key.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (const char c : seg) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                      c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

namespace storage_keys {

std::string chat_file(int64_t chat_id, int64_t file_id, std::string_view ext) {
  return "chat-files/" + std::to_string(chat_id) + "/" + std::to_string(file_id) + "." +
         std::string(ext);
}
std::string chat_thumbnail(int64_t chat_id, int64_t file_id) {
  return "chat-files/" + std::to_string(chat_id) + "/thumbnails/" + std::to_string(file_id) +
         "_thumb.jpg";
}
std::string temp_file(int64_t file_id, std::string_view ext) {
  return "temp/" + std::to_string(file_id) + "." + std::string(ext);
}
std::string temp_thumbnail(int64_t file_id) {
  return "temp/thumbnails/" + std::to_string(file_id) + "_thumb.jpg";
}
std::string avatar_original(std::string_view user_id) {
  return "avatars/" + std::string(user_id) + "/original.jpg";
}
std::string avatar_thumbnail(std::string_view user_id) {
  return "avatars/" + std::string(user_id) + "/thumbnail.jpg";
}
std::string sticker(int64_t pack_id, int64_t sticker_id, std::string_view ext) {
  return "stickers/packs/" + std::to_string(pack_id) + "/" + std::to_string(sticker_id) + "." +
         std::string(ext);
}

}  // namespace storage_keys
}  // namespace nt
