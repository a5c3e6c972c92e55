// Magic-byte sniffing and header dimension parsing (common/image_probe.hpp): real encoder
// output from libgd, hand-made hostile headers (RELIABILITY §2 E3, E4, E6, E7), truncation.
#include "image_probe.hpp"

#include <gd.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace nt {
namespace {

using std::string;

struct GdImage {
  gdImagePtr p;
  ~GdImage() { gdImageDestroy(p); }
};

// Encodes a w x h image with libgd in the given format ("jpeg", "png", "gif", "webp").
string encode(const char* format, int w, int h) {
  GdImage im{gdImageCreateTrueColor(w, h)};
  gdImageFilledRectangle(im.p, 0, 0, w - 1, h - 1, gdTrueColor(200, 30, 90));
  int size = 0;
  void* bytes = nullptr;
  const string f = format;
  if (f == "jpeg") bytes = gdImageJpegPtr(im.p, &size, 80);
  if (f == "png") bytes = gdImagePngPtr(im.p, &size);
  if (f == "gif") bytes = gdImageGifPtr(im.p, &size);
  if (f == "webp") bytes = gdImageWebpPtr(im.p, &size);
  EXPECT_NE(bytes, nullptr) << format;
  string out(static_cast<char*>(bytes), static_cast<size_t>(size));
  gdFree(bytes);
  return out;
}

string be32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// A PNG whose IHDR declares w x h, with nothing behind it (E3/E4: pixel flood in < 1 KB).
string png_header(uint32_t w, uint32_t h) {
  return string("\x89PNG\r\n\x1A\n", 8) + be32(13) + "IHDR" + be32(w) + be32(h) +
         string("\x08\x02\x00\x00\x00", 5) + be32(0);
}

TEST(Sniff, EncoderOutputIsRecognisedWithDimensions) {
  const struct {
    const char* format;
    SniffedType type;
    const char* mime;
  } cases[] = {{"jpeg", SniffedType::kJpeg, "image/jpeg"},
               {"png", SniffedType::kPng, "image/png"},
               {"gif", SniffedType::kGif, "image/gif"},
               {"webp", SniffedType::kWebp, "image/webp"}};
  for (const auto& c : cases) {
    const string bytes = encode(c.format, 321, 123);
    const Sniffed s = sniff(bytes);
    EXPECT_EQ(s.type, c.type) << c.format;
    EXPECT_STREQ(s.mime, c.mime);
    EXPECT_STREQ(s.media_type, "image");
    EXPECT_TRUE(is_decodable_image(s.type));
    uint32_t w = 0, h = 0;
    ASSERT_EQ(image_dimensions(bytes, s.type, &w, &h), ProbeResult::kOk) << c.format;
    EXPECT_EQ(w, 321u) << c.format;
    EXPECT_EQ(h, 123u) << c.format;
  }
}

TEST(Sniff, RefusedImageFormatsAreNotDecodable) {
  const struct {
    string bytes;
    SniffedType type;
  } cases[] = {{"BM\x36\x00\x00\x00", SniffedType::kBmp},
               {string("II*\0\x08\0\0\0", 8), SniffedType::kTiff},
               {string("MM\0*\0\0\0\x08", 8), SniffedType::kTiff},
               {string("\0\0\1\0\1\0", 6), SniffedType::kIco},
               {string("\0\0\0\x18", 4) + "ftypheic" + string(8, '\0'), SniffedType::kHeif},
               {string("\0\0\0\x18", 4) + "ftypavif" + string(8, '\0'), SniffedType::kHeif}};
  for (const auto& c : cases) {
    const Sniffed s = sniff(c.bytes);
    EXPECT_EQ(s.type, c.type);
    EXPECT_FALSE(is_decodable_image(s.type));
    uint32_t w = 0, h = 0;
    EXPECT_EQ(image_dimensions(c.bytes, s.type, &w, &h), ProbeResult::kNotAnImage);
  }
}

TEST(Sniff, DocumentsMediaAndScripts) {
  EXPECT_EQ(sniff("%PDF-1.7\n...").type, SniffedType::kPdf);
  EXPECT_EQ(sniff(string("PK\x03\x04", 4) + "word/").type, SniffedType::kZip);
  EXPECT_EQ(sniff(string("\0\0\0\x20", 4) + "ftypisom" + string(8, '\0')).type, SniffedType::kMp4);
  EXPECT_STREQ(sniff(string("\0\0\0\x20", 4) + "ftypisom" + string(8, '\0')).media_type, "video");
  EXPECT_EQ(sniff(string("\0\0\0\x14", 4) + "ftypqt  " + string(8, '\0')).type,
            SniffedType::kQuickTime);
  EXPECT_EQ(sniff("ID3\x04").type, SniffedType::kMp3);
  // A script renamed .jpg is still a script (E2).
  for (const char* s : {"#!/bin/sh\nrm -rf /", "<?php echo 1;", "  <SCRIPT>alert(1)</script>",
                        "\xEF\xBB\xBF<html>", "<svg onload=alert(1)>", "<!DOCTYPE html>"}) {
    EXPECT_EQ(sniff(s).type, SniffedType::kScript) << s;
  }
  EXPECT_EQ(sniff("just some text").type, SniffedType::kUnknown);
  EXPECT_EQ(sniff("").type, SniffedType::kUnknown);
  EXPECT_STREQ(sniff("").mime, "application/octet-stream");
}

TEST(Dimensions, PixelFloodHeadersAreReadNotDecoded) {
  const string flood = png_header(30000, 30000);
  EXPECT_LT(flood.size(), 1024u);
  uint32_t w = 0, h = 0;
  ASSERT_EQ(image_dimensions(flood, sniff(flood).type, &w, &h), ProbeResult::kOk);
  EXPECT_EQ(w, 30000u);
  EXPECT_EQ(h, 30000u);
  EXPECT_FALSE(image_size_allowed(w, h));
  // 20000 x 20000 of zeros, the decompression bomb shape (E4).
  const string bomb = png_header(20000, 20000);
  ASSERT_EQ(image_dimensions(bomb, SniffedType::kPng, &w, &h), ProbeResult::kOk);
  EXPECT_FALSE(image_size_allowed(w, h));
}

TEST(Dimensions, CapsAreEightThousandOneHundredNinetyTwoASideAndFortyMegapixels) {
  EXPECT_TRUE(image_size_allowed(8192, 4882));   // 39.99 MP
  EXPECT_FALSE(image_size_allowed(8192, 4883));  // 40.00 MP + a row
  EXPECT_FALSE(image_size_allowed(8193, 1));
  EXPECT_FALSE(image_size_allowed(1, 8193));
  EXPECT_TRUE(image_size_allowed(1, 1));
  EXPECT_FALSE(image_size_allowed(0, 10));
  EXPECT_FALSE(image_size_allowed(10, 0));
  EXPECT_FALSE(image_size_allowed(UINT32_MAX, UINT32_MAX));
}

TEST(Dimensions, HandMadeHeadersOfEachFormat) {
  uint32_t w = 0, h = 0;
  // GIF logical screen: little-endian 16-bit width and height.
  const string gif = string("GIF89a") + string("\x10\x27\x20\x4E", 4) + string("\0\0\0", 3);
  ASSERT_EQ(image_dimensions(gif, sniff(gif).type, &w, &h), ProbeResult::kOk);
  EXPECT_EQ(w, 10000u);
  EXPECT_EQ(h, 20000u);
  // JPEG: APP0 segment, then SOF2 (progressive) with height 3000, width 4000.
  const string jpeg = string("\xFF\xD8\xFF\xE0\x00\x10", 6) + "JFIF" + string(10, '\0') +
                      string("\xFF\xC2\x00\x11\x08\x0B\xB8\x0F\xA0\x03", 10) + string(9, '\0');
  ASSERT_EQ(sniff(jpeg).type, SniffedType::kJpeg);
  ASSERT_EQ(image_dimensions(jpeg, SniffedType::kJpeg, &w, &h), ProbeResult::kOk);
  EXPECT_EQ(w, 4000u);
  EXPECT_EQ(h, 3000u);
  // WebP VP8X: 24-bit width-1 and height-1.
  string webp = string("RIFF\0\0\0\0WEBPVP8X", 16) + string("\x0A\0\0\0", 4) + string(4, '\0') +
                string("\x2F\x75\0", 3) + string("\x0F\x27\0", 3);
  ASSERT_EQ(sniff(webp).type, SniffedType::kWebp);
  ASSERT_EQ(image_dimensions(webp, SniffedType::kWebp, &w, &h), ProbeResult::kOk);
  EXPECT_EQ(w, 30000u);
  EXPECT_EQ(h, 10000u);
}

TEST(Dimensions, TruncatedAndCorruptHeadersAreErrorsNotReadsPastTheEnd) {
  uint32_t w = 0, h = 0;
  const string png = encode("png", 10, 10);
  for (size_t n : {8u, 12u, 16u, 23u}) {
    EXPECT_EQ(image_dimensions(png.substr(0, n), SniffedType::kPng, &w, &h), ProbeResult::kTruncated)
        << n;
  }
  string bad_ihdr = png;
  bad_ihdr[12] = 'X';
  EXPECT_EQ(image_dimensions(bad_ihdr, SniffedType::kPng, &w, &h), ProbeResult::kCorrupt);
  const string jpeg = encode("jpeg", 10, 10);
  EXPECT_EQ(image_dimensions(jpeg.substr(0, 20), SniffedType::kJpeg, &w, &h),
            ProbeResult::kTruncated);
  // A segment length that points past the end.
  EXPECT_EQ(image_dimensions(string("\xFF\xD8\xFF\xE1\xFF\xFF", 6) + "abc", SniffedType::kJpeg, &w, &h),
            ProbeResult::kTruncated);
  // Start of scan before any frame header.
  EXPECT_EQ(image_dimensions(string("\xFF\xD8\xFF\xDA\x00\x08", 6) + string(8, '\0'),
                             SniffedType::kJpeg, &w, &h),
            ProbeResult::kCorrupt);
  EXPECT_EQ(image_dimensions("GIF89a\x01", SniffedType::kGif, &w, &h), ProbeResult::kTruncated);
  const string webp = encode("webp", 10, 10);
  EXPECT_EQ(image_dimensions(webp.substr(0, 20), SniffedType::kWebp, &w, &h),
            ProbeResult::kTruncated);
}

}  // namespace
}  // namespace nt
