// Files and avatars (DESIGN.md §4.4, §4.1 upload-avatar): the rules the REST handlers call.
// Uploads are checked (extension + sniffed bytes, header dimensions, quota), images are
// re-encoded into thumbnails in a bounded child (thumbnail.hpp), blobs go to the configured
// storage backend under server-generated keys, and every blob that might outlive a failed or
// interrupted request is recorded in storage_intents first so the storage GC job
// (storage_gc.hpp) removes it. Throws ApiError (400/404/413/415/422), StorageError (503),
// DbUnavailable, DbError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app_deps.hpp"
#include "json.hpp"
#include "storage.hpp"

namespace nt {

struct UploadInput {
  std::string file_name;            // as the client sent it (display only)
  std::string_view bytes;
  std::optional<int64_t> chat_id;   // the caller must be a member
};

// POST /files/upload → the file object (file_json.hpp).
Json upload_file(Deps& d, const std::string& user_id, const UploadInput& in);

// A file the caller may read: its uploader, a member of its chat, or a member of a chat
// where a message carries it. Anyone else gets 404 (same as a missing file).
struct VisibleFile {
  int64_t id = 0;
  std::string storage_key;
  std::optional<std::string> thumbnail_key;
  std::string file_name;
  std::string mime_type;
  std::string media_type;
};
VisibleFile visible_file(Deps& d, const std::string& user_id, int64_t file_id);

// How to answer a download: images inline, everything else as an attachment.
DownloadOptions download_options(const VisibleFile& f, bool thumbnail);

// DELETE /files/{id}: the uploader only (403 for other readers, 404 for the rest); the row is
// marked deleted, the quota given back and the blobs removed (now, or by the GC job).
void delete_file(Deps& d, const std::string& user_id, int64_t file_id);

// POST /upload-avatar: an image re-encoded as avatars/{user}/original.jpg (longest side
// AVATAR_SIZE) and thumbnail.jpg (THUMBNAIL_SIZE); returns {avatar_url, thumbnail_url}.
Json upload_avatar(Deps& d, const std::string& user_id, std::string_view file_name,
                   std::string_view bytes);

// "/api/v1/users/{id}/avatar" (and "/thumbnail"), with a version so caches see a new one.
std::string avatar_url(std::string_view user_id, int64_t version);
std::string avatar_thumbnail_url(std::string_view user_id, int64_t version);

}  // namespace nt
