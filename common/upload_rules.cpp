#include "upload_rules.hpp"

#include <algorithm>

#include "text.hpp"

namespace nt {
namespace {

struct KnownExtension {
  const char* ext;
  SniffedType type;
  const char* mime;  // served type (more precise than the sniffer's for Office formats)
};

// Extensions whose format the sniffer recognizes. The image ones are handled as a family.
const KnownExtension kKnown[] = {
    {"mp4", SniffedType::kMp4, "video/mp4"},
    {"m4a", SniffedType::kMp4, "audio/mp4"},
    {"mov", SniffedType::kQuickTime, "video/quicktime"},
    {"mp3", SniffedType::kMp3, "audio/mpeg"},
    {"wav", SniffedType::kWav, "audio/wav"},
    {"ogg", SniffedType::kOgg, "audio/ogg"},
    {"pdf", SniffedType::kPdf, "application/pdf"},
    {"doc", SniffedType::kOle2, "application/msword"},
    {"xls", SniffedType::kOle2, "application/vnd.ms-excel"},
    {"ppt", SniffedType::kOle2, "application/vnd.ms-powerpoint"},
    {"docx", SniffedType::kZip,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xlsx", SniffedType::kZip, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"pptx", SniffedType::kZip,
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"zip", SniffedType::kZip, "application/zip"},
};

bool is_image_extension(std::string_view ext) {
  return ext == "jpg" || ext == "jpeg" || ext == "png" || ext == "gif" || ext == "webp";
}

const char* image_ext(SniffedType t) {
  switch (t) {
    case SniffedType::kJpeg: return "jpg";
    case SniffedType::kPng: return "png";
    case SniffedType::kGif: return "gif";
    default: return "webp";
  }
}

// Whether the sniffer knows any meaning for this extension's bytes.
bool known_extension(std::string_view ext) {
  return is_image_extension(ext) ||
         std::any_of(std::begin(kKnown), std::end(kKnown), [&](const KnownExtension& k) { return ext == k.ext; });
}

// Lower-case ASCII letters and digits only: anything else is not an extension we store.
bool plain_extension(std::string_view ext) {
  return !ext.empty() && ext.size() <= 10 &&
         std::all_of(ext.begin(), ext.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// Characters that must not reach a display name: C0/C1 controls, DEL, and the Unicode
// bidi controls (U+200E/F, U+202A–U+202E, U+2066–U+2069) used to disguise extensions.
bool dropped_code_point(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 when invalid.
size_t utf8_decode(std::string_view s, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3F);
  }
  const uint32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

constexpr size_t kMaxFileNameBytes = 255;  // files.file_name is VARCHAR(255)

// At most `max` bytes, cut at a code point boundary.
std::string utf8_bytes_prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

}  // namespace

std::string file_extension(std::string_view file_name) {
  const size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= file_name.size()) return {};
  return ascii_lower(trim(file_name.substr(dot + 1), " \t"));
}

UploadKind classify_upload(std::string_view file_name, std::string_view head,
                           const std::vector<std::string>& allowed_extensions) {
  UploadKind k;
  const std::string ext = file_extension(file_name);
  if (!plain_extension(ext) ||
      std::find(allowed_extensions.begin(), allowed_extensions.end(), ext) == allowed_extensions.end()) {
    return k;
  }
  const Sniffed s = sniff(head);
  k.type = s.type;
  if (is_image_extension(ext)) {
    if (!is_decodable_image(s.type)) return k;
    k.ext = image_ext(s.type);
    k.mime = s.mime;
    k.media_type = "image";
    k.decodable_image = true;
    k.allowed = true;
    return k;
  }
  for (const KnownExtension& known : kKnown) {
    if (ext != known.ext) continue;
    if (s.type != known.type) return k;
    k.ext = ext;
    k.mime = known.mime;
    k.media_type = s.media_type;
    if (ext == "m4a") k.media_type = "audio";
    k.allowed = true;
    return k;
  }
  if (!known_extension(ext) && s.type == SniffedType::kUnknown) {
    k.ext = ext;
    k.mime = "application/octet-stream";
    k.media_type = "file";
    k.allowed = true;
  }
  return k;
}

std::string sanitize_file_name(std::string_view name) {
  const size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp = 0;
    const size_t n = utf8_decode(name, i, &cp);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for each invalid byte
      ++i;
      continue;
    }
    if (!dropped_code_point(cp)) out.append(name.substr(i, n));
    i += n;
  }
  std::string clean(trim(out, " ."));
  if (clean.size() > kMaxFileNameBytes) {
    const std::string ext = file_extension(clean);
    const bool keep_ext = !ext.empty() && ext.size() < 16;
    const size_t room = keep_ext ? kMaxFileNameBytes - ext.size() - 1 : kMaxFileNameBytes;
    clean = utf8_bytes_prefix(clean, room) + (keep_ext ? "." + ext : "");
  }
  return clean.empty() ? "file" : clean;
}

std::string content_disposition(bool inline_display, std::string_view file_name) {
  std::string ascii;
  for (const char c : file_name) {
    const auto u = static_cast<unsigned char>(c);
    ascii += (u < 0x20 || u >= 0x7F || c == '"' || c == '\\' || c == ';' || c == '%') ? '_' : c;
  }
  return std::string(inline_display ? "inline" : "attachment") + "; filename=\"" + ascii +
         "\"; filename*=UTF-8''" + url_encode(file_name);
}

}  // namespace nt
