#include "file_json.hpp"

namespace nt {

std::string file_url(int64_t file_id) { return "/api/v1/files/" + std::to_string(file_id); }
std::string file_thumbnail_url(int64_t file_id) { return file_url(file_id) + "/thumbnail"; }

Json file_json(const PgResult& r, int row, int f) {
  const int64_t id = r.i64(row, f + 0);
  const auto opt_int = [&](int col) {
    return r.is_null(row, col) ? Json::null() : Json::integer(r.i64(row, col));
  };
  return Json::object()
      .set("id", id)
      .set("file_name", r.str(row, f + 1))
      .set("mime_type", r.str(row, f + 2))
      .set("media_type", r.str(row, f + 3))
      .set("file_size", r.i64(row, f + 4))
      .set("width", opt_int(f + 5))
      .set("height", opt_int(f + 6))
      .set("url", file_url(id))
      .set("thumbnail_url", r.boolean(row, f + 7) ? Json::str(file_thumbnail_url(id)) : Json::null())
      .set("chat_id", opt_int(f + 8))
      .set("created_at", r.time(row, f + 9));
}

}  // namespace nt
