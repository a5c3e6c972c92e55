// What an upload is allowed to be (DESIGN.md §4.4, RELIABILITY §2 E1, E7, E9): the file
// name's extension must be in ALLOWED_FILE_EXTENSIONS *and* the bytes must sniff as that kind
// of file; what we store and serve (extension, MIME type, media type) comes from the bytes,
// never from the client. Display names are cleaned metadata; downloads get an RFC 6266
// Content-Disposition that cannot be abused for reflected file download. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "image_probe.hpp"

namespace nt {

struct UploadKind {
  bool allowed = false;
  SniffedType type = SniffedType::kUnknown;
  std::string ext;         // storage extension, from the bytes ("jpg", "pdf", "bin")
  std::string mime;        // the type we serve
  std::string media_type;  // image | video | audio | file
  bool decodable_image = false;  // JPEG/PNG/GIF/WebP: gets dimensions and a thumbnail
};

// The lower-case extension of a client file name ("photo.JPG" → "jpg"; "" when none).
std::string file_extension(std::string_view file_name);

// Decides from the claimed name and the first bytes. An image extension accepts any of the
// four decodable image formats (a PNG named .jpg is still a harmless PNG, stored as .png);
// every other extension needs its own format. Extensions we cannot sniff (e.g. "txt" added
// by an operator) accept only bytes that sniff as nothing known and not as script or markup.
UploadKind classify_upload(std::string_view file_name, std::string_view head,
                           const std::vector<std::string>& allowed_extensions);

// The display name: the last path component, control and bidi-override characters removed,
// invalid UTF-8 replaced, at most 255 bytes (keeping the extension), "file" when nothing
// is left.
std::string sanitize_file_name(std::string_view name);

// `inline` or `attachment` with an ASCII fallback filename (quotes, backslashes and
// non-ASCII replaced) and the exact UTF-8 name as filename* (RFC 5987).
std::string content_disposition(bool inline_display, std::string_view file_name);

}  // namespace nt
