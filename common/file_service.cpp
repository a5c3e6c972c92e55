#include "file_service.hpp"

#include "chat_service.hpp"
#include "errors.hpp"
#include "file_json.hpp"
#include "log.hpp"
#include "storage_gc.hpp"
#include "thumbnail.hpp"
#include "time_util.hpp"
#include "upload_rules.hpp"

namespace nt {
namespace {

const Sql kNextFileId{"file_next_id", "SELECT nextval(pg_get_serial_sequence('files', 'id'))"};

// Reserves quota and records the keys about to be written, in one statement: no row means
// the quota would be exceeded.
const Sql kReserve{"file_reserve",
                   "WITH q AS (UPDATE users SET storage_used_bytes = storage_used_bytes + $2 "
                   "WHERE id = $1 AND storage_used_bytes + $2 <= $3 RETURNING id) "
                   "INSERT INTO storage_intents (user_id, keys, refund_bytes, due_at) "
                   "SELECT id, $4::text[], $2, now() + make_interval(secs => $5) FROM q "
                   "RETURNING id"};

// The file row appears and its intent disappears in the same statement; no row when the
// intent is gone (an upload slower than UPLOAD_INTENT_GRACE_SECONDS: the GC job has removed its
// blobs and given the quota back).
const Sql kCommitUpload{
    "file_commit_upload",
    "WITH d AS (DELETE FROM storage_intents WHERE id = $11 RETURNING id) "
    "INSERT INTO files AS f (id, uploader_id, chat_id, storage_key, thumbnail_key, file_name, "
    "mime_type, media_type, file_size, width, height) "
    "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12 FROM d RETURNING " NT_FILE_COLUMNS};

const Sql kIntentDueNow{"file_intent_due_now",
                        "UPDATE storage_intents SET due_at = now() WHERE id = $1"};

#define NT_VISIBLE_FILE_WHERE                                                                   \
  "f.id = $1 AND NOT f.is_deleted AND (f.uploader_id = $2 "                                     \
  "OR EXISTS (SELECT 1 FROM chat_participants p WHERE p.chat_id = f.chat_id AND p.user_id = $2) " \
  "OR EXISTS (SELECT 1 FROM messages m JOIN chat_participants p ON p.chat_id = m.chat_id "      \
  "AND p.user_id = $2 WHERE m.file_id = f.id AND NOT m.is_deleted))"

const Sql kVisible{"file_visible",
                   "SELECT f.id, f.storage_key, f.thumbnail_key, f.file_name, f.mime_type, "
                   "f.media_type FROM files f WHERE " NT_VISIBLE_FILE_WHERE};

// Marks the file deleted, gives its bytes back and records its keys for removal, at once.
const Sql kDelete{"file_delete",
                  "WITH f AS (UPDATE files SET is_deleted = true "
                  "WHERE id = $1 AND uploader_id = $2 AND NOT is_deleted "
                  "RETURNING uploader_id, file_size, storage_key, thumbnail_key), "
                  "u AS (UPDATE users SET storage_used_bytes = "
                  "greatest(storage_used_bytes - f.file_size, 0) FROM f WHERE users.id = f.uploader_id) "
                  "INSERT INTO storage_intents (user_id, keys, due_at) "
                  "SELECT uploader_id, array_remove(ARRAY[storage_key::text, thumbnail_key::text], NULL), "
                  "now() FROM f RETURNING id, array_to_string(keys, ',')"};

const Sql kSetAvatar{"file_set_avatar",
                     "UPDATE users SET avatar_url = $2, updated_at = now() WHERE id = $1"};

struct Image {
  uint32_t width = 0;
  uint32_t height = 0;
};

// Header dimensions within the caps (E3/E4), before any decoder sees the bytes.
Image checked_image(std::string_view bytes, SniffedType type) {
  Image img;
  const ProbeResult pr = image_dimensions(bytes, type, &img.width, &img.height);
  if (pr != ProbeResult::kOk) throw ApiError(Err::kInvalidImage, "image header unreadable");
  if (!image_size_allowed(img.width, img.height)) {
    throw_field_error("file", "image_too_large",
                      {{"max_side", std::to_string(kMaxImageSide)},
                       {"max_megapixels", std::to_string(kMaxImagePixels / 1'000'000)}});
  }
  // Clients lay images out by these: report them as shown, after an EXIF quarter turn.
  if (type == SniffedType::kJpeg && jpeg_exif_orientation(bytes) >= 5) std::swap(img.width, img.height);
  return img;
}

// A JPEG rendition from the bounded child, or the matching client error.
std::string render_jpeg(const Config& cfg, std::string_view bytes, SniffedType type, int64_t max_side) {
  ThumbnailResult t = make_jpeg_thumbnail(bytes, type, static_cast<int>(max_side), thumbnail_limits(cfg));
  switch (t.status) {
    case ThumbnailStatus::kOk: return std::move(t.jpeg);
    case ThumbnailStatus::kCorrupt: throw ApiError(Err::kInvalidImage, "decode failed: " + t.error);
    case ThumbnailStatus::kTooComplex: throw_field_error("file", "image_too_complex");
    case ThumbnailStatus::kFailed: break;
  }
  throw ApiError(Err::kInternal, "thumbnailer: " + t.error);
}

// Removes blobs, true when all are gone.
bool remove_all(const Storage& s, const std::vector<std::string>& keys) {
  try {
    for (const auto& k : keys) s.remove(k);
    return true;
  } catch (const StorageError& e) {
    log_warn("storage: removal deferred to the GC job: %s", e.what());
    return false;
  }
}

}  // namespace

Json upload_file(Deps& d, const std::string& user_id, const UploadInput& in) {
  if (in.bytes.empty()) throw_field_error("file", "required");
  if (static_cast<int64_t>(in.bytes.size()) > d.cfg.max_file_size) {
    throw ApiError(Err::kPayloadTooLarge, "file over MAX_FILE_SIZE");
  }
  if (in.chat_id) require_membership(d.pg, *in.chat_id, user_id);
  const UploadKind kind = classify_upload(in.file_name, in.bytes.substr(0, 4096), d.cfg.allowed_file_extensions);
  if (!kind.allowed) throw ApiError(Err::kFileTypeNotAllowed, "extension or content not allowed");
  Image img;
  std::string thumb;
  if (kind.decodable_image) {
    img = checked_image(in.bytes, kind.type);
    thumb = render_jpeg(d.cfg, in.bytes, kind.type, d.cfg.thumbnail_size);
  }

  const int64_t id = d.pg.exec(kNextFileId).i64(0, 0);
  const std::string key = in.chat_id ? storage_keys::chat_file(*in.chat_id, id, kind.ext)
                                     : storage_keys::temp_file(id, kind.ext);
  std::vector<std::string> keys{key};
  if (!thumb.empty()) {
    keys.push_back(in.chat_id ? storage_keys::chat_thumbnail(*in.chat_id, id)
                              : storage_keys::temp_thumbnail(id));
  }
  const auto size = static_cast<int64_t>(in.bytes.size());
  const PgResult reserved =
      d.pg.exec(kReserve, {user_id, pg_int(size), pg_int(d.cfg.user_storage_quota_bytes),
                           pg_text_array(keys), pg_int(d.cfg.upload_intent_grace_seconds)});
  if (reserved.empty()) throw ApiError(Err::kStorageQuotaExceeded, "quota");
  const std::string intent = reserved.str(0, 0);

  const Storage& store = storage(d.cfg);
  try {
    store.put(keys[0], in.bytes, kind.mime);
    if (keys.size() > 1) store.put(keys[1], thumb, "image/jpeg");
    const auto opt = [](bool has, int64_t v) { return has ? pg_int(v) : std::nullopt; };
    const PgResult row = d.pg.exec(
        kCommitUpload,
        {pg_int(id), user_id, in.chat_id ? pg_int(*in.chat_id) : std::nullopt, keys[0],
         keys.size() > 1 ? PgParam(keys[1]) : std::nullopt, sanitize_file_name(in.file_name),
         kind.mime, kind.media_type, pg_int(size), opt(kind.decodable_image, img.width), intent,
         opt(kind.decodable_image, img.height)});
    if (row.empty()) throw StorageError("upload outlived its storage intent (GC removed the blobs)");
    return file_json(row, 0);
  } catch (...) {
    // Best effort now; whatever is left stays recorded for the GC job.
    try {
      if (remove_all(store, keys)) {
        finish_storage_intent(d.pg, intent);
      } else {
        d.pg.exec(kIntentDueNow, {intent});
      }
    } catch (const std::exception& e) {
      log_warn("upload cleanup deferred to the GC job: %s", e.what());
    }
    throw;
  }
}

VisibleFile visible_file(Deps& d, const std::string& user_id, int64_t file_id) {
  const PgResult r = d.pg.exec(kVisible, {pg_int(file_id), user_id});
  if (r.empty()) throw ApiError(Err::kNotFound, "file not visible");
  VisibleFile f;
  f.id = r.i64(0, 0);
  f.storage_key = r.str(0, 1);
  f.thumbnail_key = r.opt_str(0, 2);
  f.file_name = r.str(0, 3);
  f.mime_type = r.str(0, 4);
  f.media_type = r.str(0, 5);
  return f;
}

DownloadOptions download_options(const VisibleFile& f, bool thumbnail) {
  if (thumbnail) {
    return {"image/jpeg", content_disposition(true, "thumbnail_" + std::to_string(f.id) + ".jpg")};
  }
  const bool inline_image = f.media_type == "image";
  return {f.mime_type, content_disposition(inline_image, f.file_name)};
}

void delete_file(Deps& d, const std::string& user_id, int64_t file_id) {
  const PgResult r = d.pg.exec(kDelete, {pg_int(file_id), user_id});
  if (r.empty()) {
    (void)visible_file(d, user_id, file_id);  // 404 when the caller cannot see it at all
    throw ApiError(Err::kForbidden, "only the uploader deletes a file");
  }
  const std::vector<std::string> keys = split_list(r.str(0, 1));  // keys hold no commas
  if (remove_all(storage(d.cfg), keys)) {
    try {
      finish_storage_intent(d.pg, r.str(0, 0));
    } catch (const std::exception& e) {
      log_warn("intent left for the GC job: %s", e.what());
    }
  }
}

std::string avatar_url(std::string_view user_id, int64_t version) {
  return "/api/v1/users/" + std::string(user_id) + "/avatar?v=" + std::to_string(version);
}
std::string avatar_thumbnail_url(std::string_view user_id, int64_t version) {
  return "/api/v1/users/" + std::string(user_id) + "/avatar/thumbnail?v=" + std::to_string(version);
}

Json upload_avatar(Deps& d, const std::string& user_id, std::string_view file_name,
                   std::string_view bytes) {
  if (bytes.empty()) throw_field_error("file", "required");
  if (static_cast<int64_t>(bytes.size()) > d.cfg.max_file_size) {
    throw ApiError(Err::kPayloadTooLarge, "avatar over MAX_FILE_SIZE");
  }
  const UploadKind kind = classify_upload(file_name, bytes.substr(0, 4096), {"jpg", "jpeg", "png", "gif", "webp"});
  if (!kind.allowed || !kind.decodable_image) throw ApiError(Err::kFileTypeNotAllowed, "avatar not an image");
  (void)checked_image(bytes, kind.type);
  const std::string original = render_jpeg(d.cfg, bytes, kind.type, d.cfg.avatar_size);
  // The thumbnail is made from that small upright rendition instead of decoding the upload a
  // second time, unless it is to be larger than the rendition.
  const bool from_rendition = d.cfg.thumbnail_size <= d.cfg.avatar_size;
  const std::string thumb =
      render_jpeg(d.cfg, from_rendition ? std::string_view(original) : bytes,
                  from_rendition ? SniffedType::kJpeg : kind.type, d.cfg.thumbnail_size);
  const Storage& store = storage(d.cfg);
  store.put(storage_keys::avatar_original(user_id), original, "image/jpeg");
  store.put(storage_keys::avatar_thumbnail(user_id), thumb, "image/jpeg");
  const int64_t version = now_ms();
  d.pg.exec(kSetAvatar, {user_id, avatar_url(user_id, version)});
  return Json::object()
      .set("avatar_url", avatar_url(user_id, version))
      .set("thumbnail_url", avatar_thumbnail_url(user_id, version));
}

}  // namespace nt
