// How a file looks on the wire (DESIGN.md §4.4), for the upload answer, GET-style listings and
// the `file` object inside messages: one column list, one builder.
#pragma once

#include "json.hpp"
#include "pg.hpp"

namespace nt {

// Columns file_json() reads, for table alias "f".
#define NT_FILE_COLUMNS                                                                        \
  "f.id, f.file_name, f.mime_type, f.media_type, f.file_size, f.width, f.height, "             \
  "f.thumbnail_key IS NOT NULL, f.chat_id, " NT_SQL_EPOCH_MS("f.created_at")
constexpr int kFileColumnCount = 10;

// {id, file_name, mime_type, media_type, file_size, width, height, url, thumbnail_url,
//  chat_id, created_at}; url and thumbnail_url are API paths that check access.
Json file_json(const PgResult& r, int row, int first = 0);

// "/api/v1/files/{id}" and its thumbnail.
std::string file_url(int64_t file_id);
std::string file_thumbnail_url(int64_t file_id);

}  // namespace nt
