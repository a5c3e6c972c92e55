// multipart/form-data parsing (common/multipart.hpp) and its limits (RELIABILITY §2 E9, E10).
#include "multipart.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nt {
namespace {

using std::string;

const string kB = "XyZ123boundary";

string part(const string& headers, const string& data) {
  return "--" + kB + "\r\n" + headers + "\r\n\r\n" + data + "\r\n";
}
string close() { return "--" + kB + "--\r\n"; }

// Parts are views into `body`: callers keep the body alive while they look at the parts.
std::vector<MultipartPart> parse_ok(const string& body) {
  std::vector<MultipartPart> parts;
  EXPECT_EQ(parse_multipart(body, kB, {}, &parts), MultipartError::kNone);
  return parts;
}

TEST(MultipartBoundary, FromContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(multipart_boundary("multipart/form-data"), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary="), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + string(71, 'a')), "");
  EXPECT_EQ(multipart_boundary("multipart/mixed; boundary=abc"), "");
  EXPECT_EQ(multipart_boundary("application/json"), "");
}

TEST(Multipart, FileAndFieldWithBinaryData) {
  const string bytes("\x89PNG\r\n\x1A\n\0\0\r\n--not-the-boundary", 28);
  const string body =
      part("Content-Disposition: form-data; name=\"chat_id\"", "42") +
      part("Content-Disposition: form-data; name=\"file\"; filename=\"cat.png\"\r\n"
           "Content-Type: image/png",
           bytes) +
      close();
  const auto parts = parse_ok(body);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "chat_id");
  EXPECT_FALSE(parts[0].has_filename);
  EXPECT_EQ(parts[0].data, "42");
  EXPECT_EQ(parts[1].name, "file");
  EXPECT_TRUE(parts[1].has_filename);
  EXPECT_EQ(parts[1].filename, "cat.png");
  EXPECT_EQ(parts[1].content_type, "image/png");
  EXPECT_EQ(parts[1].data, bytes);
}

TEST(Multipart, BoundaryTextInsideContentIsData) {
  // The boundary only delimits after CRLF; in the middle of a line it is content.
  const string data = "before --" + kB + " after";
  const string body = part("Content-Disposition: form-data; name=\"f\"", data) + close();
  const auto parts = parse_ok(body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, data);
}

TEST(Multipart, HostileFilenamesAreReturnedVerbatimAsMetadata) {
  for (const string& name : {string("../../etc/passwd"), string("a.jpg\0.php", 10), string(1000, 'n'),
                            string("\xE2\x80\xAEgpj.exe")}) {
    string quoted;
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    const string body =
        part("Content-Disposition: form-data; name=\"file\"; filename=\"" + quoted + "\"", "x") +
        close();
    const auto parts = parse_ok(body);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].filename, name);
  }
}

TEST(Multipart, AFilenameLongerThanTheHeaderCapIsRefused) {
  std::vector<MultipartPart> parts;
  EXPECT_EQ(parse_multipart(part("Content-Disposition: form-data; name=\"file\"; filename=\"" +
                                     string(4096, 'n') + "\"",
                                 "x") +
                                close(),
                            kB, {}, &parts),
            MultipartError::kHeaderTooLarge);
}

TEST(Multipart, TooManyPartsIsRefused) {
  string body;
  for (int i = 0; i < 10000; ++i) body += part("Content-Disposition: form-data; name=\"p\"", "v");
  body += close();
  std::vector<MultipartPart> parts;
  EXPECT_EQ(parse_multipart(body, kB, {}, &parts), MultipartError::kTooManyParts);
  EXPECT_TRUE(parts.empty());
}

TEST(Multipart, HugePartHeaderIsRefused) {
  const string body =
      part("Content-Disposition: form-data; name=\"f\"\r\nX-Pad: " + string(1 << 20, 'a'), "x") +
      close();
  std::vector<MultipartPart> parts;
  EXPECT_EQ(parse_multipart(body, kB, {}, &parts), MultipartError::kHeaderTooLarge);
}

TEST(Multipart, MalformedBodies) {
  std::vector<MultipartPart> parts;
  const string ok_part = part("Content-Disposition: form-data; name=\"f\"", "x");
  EXPECT_EQ(parse_multipart(ok_part + close(), "", {}, &parts), MultipartError::kNoBoundary);
  // Never closed.
  EXPECT_EQ(parse_multipart("--" + kB + "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nxyz",
                            kB, {}, &parts),
            MultipartError::kMalformed);
  // No delimiter at all.
  EXPECT_EQ(parse_multipart("just bytes", kB, {}, &parts), MultipartError::kMalformed);
  // No Content-Disposition, or not form-data, or no name.
  EXPECT_EQ(parse_multipart(part("Content-Type: text/plain", "x") + close(), kB, {}, &parts),
            MultipartError::kMalformed);
  EXPECT_EQ(parse_multipart(part("Content-Disposition: attachment; name=\"f\"", "x") + close(), kB,
                            {}, &parts),
            MultipartError::kMalformed);
  EXPECT_EQ(parse_multipart(part("Content-Disposition: form-data", "x") + close(), kB, {}, &parts),
            MultipartError::kMalformed);
  // Two Content-Disposition headers (found by tests/fuzz/multipart_fuzz).
  EXPECT_EQ(parse_multipart(part("Content-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n"
                                 "Content-Disposition: form-data; name=\"g\"",
                                 "x") +
                                close(),
                            kB, {}, &parts),
            MultipartError::kMalformed);
  // Header line without a colon.
  EXPECT_EQ(parse_multipart(part("Content-Disposition: form-data; name=\"f\"\r\nbogus", "x") +
                                close(),
                            kB, {}, &parts),
            MultipartError::kMalformed);
  EXPECT_TRUE(parts.empty());
}

TEST(Multipart, EmptyFormAndPreamble) {
  EXPECT_TRUE(parse_ok(close()).empty());
  const string body =
      "preamble to ignore\r\n" + part("Content-Disposition: form-data; name=\"f\"", "") + close();
  const auto parts = parse_ok(body);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].data, "");
}

}  // namespace
}  // namespace nt
