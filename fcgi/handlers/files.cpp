// Files, avatars and stickers (DESIGN.md §4.4, §4.1 upload-avatar). Uploads arrive as
// multipart/form-data that nginx has already buffered (no worker waits on a slow client);
// downloads are answered with X-Accel-Redirect (local storage, nginx streams the file) or a
// redirect to a presigned URL (S3), always after the access check here.
#include "errors.hpp"
#include "file_service.hpp"
#include "handlers.hpp"
#include "multipart.hpp"
#include "storage.hpp"
#include "text.hpp"
#include "validate.hpp"

namespace nt::handlers {
namespace {

const Sql kAvatarOf{"file_avatar_of",
                    "SELECT 1 FROM users WHERE id = $1 AND is_active AND avatar_url IS NOT NULL"};
const Sql kStickers{"file_stickers",
                    "SELECT p.id, p.name, p.description, p.author, s.id, s.name, s.emoji, "
                    "s.mime_type, s.width, s.height FROM sticker_packs p "
                    "JOIN stickers s ON s.pack_id = p.id WHERE p.is_active "
                    "ORDER BY p.sort_order, p.id, s.sort_order, s.id"};
const Sql kStickerImage{"file_sticker_image",
                        "SELECT s.storage_key, s.mime_type FROM stickers s "
                        "JOIN sticker_packs p ON p.id = s.pack_id WHERE s.id = $1 AND p.is_active"};

constexpr size_t kMaxUploadParts = 16;
constexpr size_t kMaxUploadHeaderBytes = 16384;

struct UploadForm {
  std::string file_name;
  std::string_view bytes;
  std::string chat_id;  // "" when absent
};

// The `file` part (and an optional `chat_id` field) of a multipart/form-data body.
UploadForm read_upload_form(const Ctx& ctx) {
  const std::string type = ascii_lower(trim(ctx.req.content_type.substr(0, ctx.req.content_type.find(';'))));
  if (type != "multipart/form-data") throw ApiError(Err::kUnsupportedMediaType, "not multipart");
  const std::string boundary = multipart_boundary(ctx.req.content_type);
  if (boundary.empty()) throw ApiError(Err::kBadRequest, "multipart without a valid boundary");
  std::vector<MultipartPart> parts;
  // Room for long client file names (E9: they are cut to 255 bytes later); 1 MB headers fail.
  const MultipartLimits limits{kMaxUploadParts, kMaxUploadHeaderBytes};
  const MultipartError err = parse_multipart(ctx.req.body, boundary, limits, &parts);
  if (err != MultipartError::kNone) {
    throw ApiError(Err::kBadRequest, "multipart: error " + std::to_string(static_cast<int>(err)));
  }
  UploadForm form;
  bool have_file = false;
  for (const MultipartPart& p : parts) {
    if (p.name == "file" && p.has_filename && !have_file) {
      form.file_name = p.filename;
      form.bytes = p.data;
      have_file = true;
    } else if (p.name == "chat_id" && !p.has_filename) {
      form.chat_id = std::string(trim(p.data, " \t\r\n"));
    }
  }
  if (!have_file) throw_field_error("file", "required");
  if (auto q = query_param(ctx.req.query, "chat_id")) form.chat_id = *q;
  return form;
}

std::optional<int64_t> parse_chat_id(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return parse_int_param("chat_id", text, 1, INT64_MAX);
}

// The answer that hands a stored object to the client.
Response download(Ctx& ctx, const std::string& key, const DownloadOptions& opts) {
  const DownloadTarget t = storage(ctx.cfg).download(key, opts);
  Response r;
  r.content_type = opts.content_type;
  if (t.internal_redirect) {
    r.status = 200;
    r.headers.emplace_back("X-Accel-Redirect", t.location);
    r.headers.emplace_back("Content-Disposition", opts.content_disposition);
  } else {
    r.status = 302;
    r.headers.emplace_back("Location", t.location);
  }
  return r;
}

const std::string& user_id_param(Ctx& ctx) {
  const std::string& id = ctx.param("user_id");
  if (!is_uuid(id)) throw ApiError(Err::kNotFound, "not a user id");
  return id;
}

}  // namespace

Response upload_file(Ctx& ctx) {
  const UploadForm form = read_upload_form(ctx);
  Deps d = ctx.deps();
  const Json file =
      nt::upload_file(d, ctx.me().id, UploadInput{form.file_name, form.bytes, parse_chat_id(form.chat_id)});
  return json_response(201, file);
}

Response get_file(Ctx& ctx) {
  Deps d = ctx.deps();
  const VisibleFile f = visible_file(d, ctx.me().id, ctx.id_param("file_id"));
  return download(ctx, f.storage_key, download_options(f, false));
}

Response get_file_thumbnail(Ctx& ctx) {
  Deps d = ctx.deps();
  const VisibleFile f = visible_file(d, ctx.me().id, ctx.id_param("file_id"));
  if (!f.thumbnail_key) throw ApiError(Err::kNotFound, "file has no thumbnail");
  return download(ctx, *f.thumbnail_key, download_options(f, true));
}

Response delete_file(Ctx& ctx) {
  Deps d = ctx.deps();
  nt::delete_file(d, ctx.me().id, ctx.id_param("file_id"));
  return no_content();
}

Response upload_avatar(Ctx& ctx) {
  const UploadForm form = read_upload_form(ctx);
  Deps d = ctx.deps();
  return json_response(200, nt::upload_avatar(d, ctx.me().id, form.file_name, form.bytes));
}

Response get_avatar(Ctx& ctx) {
  const std::string& id = user_id_param(ctx);
  if (ctx.pg.exec(kAvatarOf, {id}).empty()) throw ApiError(Err::kNotFound, "no avatar");
  return download(ctx, storage_keys::avatar_original(id), {"image/jpeg", "inline; filename=\"avatar.jpg\""});
}

Response get_avatar_thumbnail(Ctx& ctx) {
  const std::string& id = user_id_param(ctx);
  if (ctx.pg.exec(kAvatarOf, {id}).empty()) throw ApiError(Err::kNotFound, "no avatar");
  return download(ctx, storage_keys::avatar_thumbnail(id),
                  {"image/jpeg", "inline; filename=\"avatar_thumbnail.jpg\""});
}

Response list_stickers(Ctx& ctx) {
  const PgResult r = ctx.pg.exec(kStickers);
  Json packs = Json::array();
  Json stickers;
  int64_t pack_id = -1;
  const auto flush = [&](Json pack) { packs.append(pack.set("stickers", stickers)); };
  Json pack;
  for (int i = 0; i < r.rows(); ++i) {
    if (r.i64(i, 0) != pack_id) {
      if (pack_id != -1) flush(std::move(pack));
      pack_id = r.i64(i, 0);
      pack = Json::object()
                 .set("id", pack_id)
                 .set("name", r.str(i, 1))
                 .set("description", Json::str_or_null(r.opt_str(i, 2)))
                 .set("author", Json::str_or_null(r.opt_str(i, 3)));
      stickers = Json::array();
    }
    const int64_t sid = r.i64(i, 4);
    stickers.append(Json::object()
                        .set("id", sid)
                        .set("pack_id", pack_id)
                        .set("name", r.str(i, 5))
                        .set("emoji", Json::str_or_null(r.opt_str(i, 6)))
                        .set("mime_type", r.str(i, 7))
                        .set("width", r.i64(i, 8))
                        .set("height", r.i64(i, 9))
                        .set("url", "/api/v1/media/stickers/" + std::to_string(sid) + "/image"));
  }
  if (pack_id != -1) flush(std::move(pack));
  return json_response(200, Json::object().set("packs", packs));
}

Response get_sticker_image(Ctx& ctx) {
  const PgResult r = ctx.pg.exec(kStickerImage, {pg_int(ctx.id_param("sticker_id"))});
  if (r.empty()) throw ApiError(Err::kNotFound, "no such sticker");
  return download(ctx, r.str(0, 0), {r.str(0, 1), "inline; filename=\"sticker.png\""});
}

}  // namespace nt::handlers
