// JPEG thumbnails made by the nerutalk-thumbnailer child (common/thumbnail.hpp), end to end
// through the real helper: size and aspect, transparency on white, no EXIF carried over (E13),
// truncated and mislabelled input (E6), a header over the caps (E3), a GIF with thousands of
// frames (E8), the wall-clock and memory limits (E4), a missing helper, concurrent callers.
// Input images are made in memory with libgd.
#include "thumbnail.hpp"

#include <gd.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "c_ptr.hpp"
#include "thumbnailer_protocol.hpp"

namespace nt {
namespace {

using std::string;

using GdImage = CPtr<gdImage, gdImageDestroy>;

struct Rgb {
  int r, g, b;
};

const Rgb kRed{220, 30, 40};
const Rgb kBlue{30, 60, 220};

int color(const Rgb& c, int alpha = 0) {
  return gdTrueColorAlpha(c.r, c.g, c.b, alpha);
}

// Copies a libgd output buffer into a string and frees it. `size` is taken by reference: it is
// written by the call that makes `bytes`, in the same argument list.
string take(void* bytes, const int& size) {
  EXPECT_NE(bytes, nullptr);
  string out(static_cast<const char*>(bytes), bytes ? static_cast<size_t>(size) : 0);
  gdFree(bytes);
  return out;
}

string encode(gdImagePtr im, SniffedType type) {
  int size = 0;
  switch (type) {
    case SniffedType::kJpeg:
      return take(gdImageJpegPtr(im, &size, 85), size);
    case SniffedType::kPng:
      return take(gdImagePngPtr(im, &size), size);
    case SniffedType::kGif:
      return take(gdImageGifPtr(im, &size), size);
    case SniffedType::kWebp:
      return take(gdImageWebpPtr(im, &size), size);
    default:
      return "";
  }
}

// w x h, left half red, right half blue.
string two_colour_image(SniffedType type, int w, int h) {
  const GdImage im(gdImageCreateTrueColor(w, h));
  gdImageFilledRectangle(im.get(), 0, 0, w / 2 - 1, h - 1, color(kRed));
  gdImageFilledRectangle(im.get(), w / 2, 0, w - 1, h - 1, color(kBlue));
  return encode(im.get(), type);
}

// w x h, left half fully transparent, right half opaque blue: PNG and WebP alpha, or a GIF's
// transparent palette index.
string half_transparent_image(SniffedType type, int w, int h) {
  if (type == SniffedType::kGif) {
    const GdImage im(gdImageCreate(w, h));
    const int clear = gdImageColorAllocate(im.get(), 0, 0, 0);
    const int blue = gdImageColorAllocate(im.get(), kBlue.r, kBlue.g, kBlue.b);
    gdImageColorTransparent(im.get(), clear);
    gdImageFilledRectangle(im.get(), 0, 0, w / 2 - 1, h - 1, clear);
    gdImageFilledRectangle(im.get(), w / 2, 0, w - 1, h - 1, blue);
    return encode(im.get(), type);
  }
  const GdImage im(gdImageCreateTrueColor(w, h));
  gdImageAlphaBlending(im.get(), 0);
  gdImageSaveAlpha(im.get(), 1);
  gdImageFilledRectangle(im.get(), 0, 0, w / 2 - 1, h - 1, gdTrueColorAlpha(0, 0, 0, 127));
  gdImageFilledRectangle(im.get(), w / 2, 0, w - 1, h - 1, color(kBlue));
  return encode(im.get(), type);
}

ThumbnailLimits test_limits() {
  ThumbnailLimits limits;
  limits.helper_path = NERUTALK_THUMBNAILER;
  limits.timeout_ms = 5000;  // generous: the machine may be busy; the limit has its own test
  return limits;
}

ThumbnailResult thumbnail(const string& image, SniffedType type, int max_side = 300) {
  return make_jpeg_thumbnail(image, type, max_side, test_limits());
}

// The colour of one pixel of a JPEG, decoded again with libgd.
Rgb pixel(const string& jpeg, int x, int y) {
  const GdImage im(
      gdImageCreateFromJpegPtr(static_cast<int>(jpeg.size()), const_cast<char*>(jpeg.data())));
  if (!im) return {-1, -1, -1};
  const int c = gdImageGetTrueColorPixel(im.get(), x, y);
  return {gdTrueColorGetRed(c), gdTrueColorGetGreen(c), gdTrueColorGetBlue(c)};
}

bool near(const Rgb& a, const Rgb& b) {
  return std::abs(a.r - b.r) < 24 && std::abs(a.g - b.g) < 24 && std::abs(a.b - b.b) < 24;
}

const char* name(SniffedType t) {
  return thumbnailer::format_name(t);
}

constexpr SniffedType kFormats[] = {SniffedType::kJpeg, SniffedType::kPng, SniffedType::kGif,
                                    SniffedType::kWebp};

TEST(Thumbnail, EachFormatBecomesAJpegWithTheLongerSideAtTheLimit) {
  for (SniffedType type : kFormats) {
    const ThumbnailResult r = thumbnail(two_colour_image(type, 1200, 800), type);
    ASSERT_EQ(r.status, ThumbnailStatus::kOk) << name(type) << ": " << r.error;
    EXPECT_EQ(r.width, 300) << name(type);
    EXPECT_EQ(r.height, 200) << name(type);
    uint32_t w = 0;
    uint32_t h = 0;
    EXPECT_EQ(sniff(r.jpeg).type, SniffedType::kJpeg) << name(type);
    ASSERT_EQ(image_dimensions(r.jpeg, SniffedType::kJpeg, &w, &h), ProbeResult::kOk);
    EXPECT_EQ(w, 300u);
    EXPECT_EQ(h, 200u);
    EXPECT_TRUE(near(pixel(r.jpeg, 40, 100), kRed)) << name(type);
    EXPECT_TRUE(near(pixel(r.jpeg, 260, 100), kBlue)) << name(type);
  }
}

TEST(Thumbnail, SizeKeepsTheAspectNeverEnlargesAndKeepsAPixel) {
  const struct {
    SniffedType type;
    int w, h, want_w, want_h;
    const char* what;
  } cases[] = {{SniffedType::kPng, 600, 1500, 120, 300, "portrait"},
               {SniffedType::kJpeg, 40, 20, 40, 20, "smaller than the limit: not enlarged"},
               {SniffedType::kPng, 3000, 4, 300, 1, "thin: at least one pixel"}};
  for (const auto& c : cases) {
    const ThumbnailResult r = thumbnail(two_colour_image(c.type, c.w, c.h), c.type);
    ASSERT_EQ(r.status, ThumbnailStatus::kOk) << c.what << ": " << r.error;
    EXPECT_EQ(r.width, c.want_w) << c.what;
    EXPECT_EQ(r.height, c.want_h) << c.what;
  }
}

TEST(Thumbnail, TransparentPixelsBecomeWhite) {
  for (SniffedType type : {SniffedType::kPng, SniffedType::kGif, SniffedType::kWebp}) {
    const ThumbnailResult r = thumbnail(half_transparent_image(type, 600, 400), type);
    ASSERT_EQ(r.status, ThumbnailStatus::kOk) << name(type) << ": " << r.error;
    EXPECT_TRUE(near(pixel(r.jpeg, 40, 100), Rgb{255, 255, 255})) << name(type);
    EXPECT_TRUE(near(pixel(r.jpeg, 260, 100), kBlue)) << name(type);
  }
}

string be16(unsigned v) {
  return {char(v >> 8), char(v)};
}
string be32(uint32_t v) {
  return be16(v >> 16) + be16(v & 0xFFFF);
}

// An APP1 segment with an EXIF block whose GPS IFD places the photo at 35°39'N.
string exif_gps_segment() {
  // TIFF header (big-endian), IFD0 at 8 with one entry: the GPS IFD pointer (0x8825) -> 26.
  string tiff = string("MM\0\x2A", 4) + be32(8) + be16(1) + be16(0x8825) + be16(4) + be32(1) +
                be32(26) + be32(0);
  // GPS IFD: GPSLatitudeRef "N", GPSLatitude (3 rationals at 56), no next IFD.
  tiff += be16(2) + be16(0x0001) + be16(2) + be32(2) + string("N\0\0\0", 4) + be16(0x0002) +
          be16(5) + be32(3) + be32(56) + be32(0);
  tiff += be32(35) + be32(1) + be32(39) + be32(1) + be32(0) + be32(1);
  const string payload = string("Exif\0\0", 6) + tiff;
  return "\xFF\xE1" + be16(static_cast<unsigned>(payload.size() + 2)) + payload;
}

// The markers of the segments before the first scan of a JPEG.
std::vector<int> markers_before_scan(const string& jpeg) {
  std::vector<int> markers;
  size_t i = 2;
  while (i + 4 <= jpeg.size() && static_cast<uint8_t>(jpeg[i]) == 0xFF) {
    const int marker = static_cast<uint8_t>(jpeg[i + 1]);
    markers.push_back(marker);
    if (marker == 0xDA) break;
    i += 2 + ((static_cast<uint8_t>(jpeg[i + 2]) << 8) | static_cast<uint8_t>(jpeg[i + 3]));
  }
  return markers;
}

TEST(Thumbnail, ExifOfTheInputIsNotCarriedIntoTheThumbnail) {
  const string plain = two_colour_image(SniffedType::kJpeg, 1200, 800);
  const string with_gps = plain.substr(0, 2) + exif_gps_segment() + plain.substr(2);
  ASSERT_EQ(markers_before_scan(with_gps).at(0), 0xE1);  // the input really carries it

  const ThumbnailResult r = thumbnail(with_gps, SniffedType::kJpeg);
  ASSERT_EQ(r.status, ThumbnailStatus::kOk) << r.error;
  const std::vector<int> markers = markers_before_scan(r.jpeg);
  ASSERT_FALSE(markers.empty());
  EXPECT_EQ(markers.back(), 0xDA);
  for (int m : markers) EXPECT_NE(m, 0xE1) << "APP1 segment in the thumbnail";
  EXPECT_EQ(r.jpeg.find("Exif"), string::npos);
}

// An APP1 EXIF segment with only IFD0's Orientation tag (big-endian TIFF).
string exif_orientation_segment(unsigned orientation) {
  const string tiff = string("MM\0\x2A", 4) + be32(8) + be16(1) + be16(0x0112) + be16(3) +
                      be32(1) + be16(orientation) + be16(0) + be32(0);
  const string payload = string("Exif\0\0", 6) + tiff;
  return "\xFF\xE1" + be16(static_cast<unsigned>(payload.size() + 2)) + payload;
}

TEST(Thumbnail, ExifOrientationIsReadFromTheHeader) {
  const string plain = two_colour_image(SniffedType::kJpeg, 40, 20);
  EXPECT_EQ(jpeg_exif_orientation(plain), 1);
  for (unsigned o = 1; o <= 8; ++o) {
    const string tagged = plain.substr(0, 2) + exif_orientation_segment(o) + plain.substr(2);
    EXPECT_EQ(jpeg_exif_orientation(tagged), static_cast<int>(o));
  }
  const string bogus = plain.substr(0, 2) + exif_orientation_segment(9) + plain.substr(2);
  EXPECT_EQ(jpeg_exif_orientation(bogus), 1);
  const string cut = plain.substr(0, 2) + exif_orientation_segment(6).substr(0, 20);
  EXPECT_EQ(jpeg_exif_orientation(cut), 1);
}

// A camera's portrait photo: pixels stored landscape (left red, right blue) with orientation
// 6 ("turn 90° clockwise to show"). The thumbnail is upright: portrait, red on top.
TEST(Thumbnail, ExifOrientationIsAppliedToThePixels) {
  const string plain = two_colour_image(SniffedType::kJpeg, 600, 300);
  const auto upright = [&](unsigned o) {
    const ThumbnailResult r = thumbnail(plain.substr(0, 2) + exif_orientation_segment(o) + plain.substr(2),
                                        SniffedType::kJpeg);
    EXPECT_EQ(r.status, ThumbnailStatus::kOk) << r.error;
    return r;
  };
  const ThumbnailResult six = upright(6);
  EXPECT_EQ(six.width, 150);
  EXPECT_EQ(six.height, 300);
  EXPECT_TRUE(near(pixel(six.jpeg, 75, 40), kRed));
  EXPECT_TRUE(near(pixel(six.jpeg, 75, 260), kBlue));
  const ThumbnailResult eight = upright(8);  // 90° counter-clockwise: blue on top
  EXPECT_EQ(eight.width, 150);
  EXPECT_TRUE(near(pixel(eight.jpeg, 75, 40), kBlue));
  const ThumbnailResult three = upright(3);  // 180°: blue on the left
  EXPECT_EQ(three.width, 300);
  EXPECT_TRUE(near(pixel(three.jpeg, 40, 75), kBlue));
  const ThumbnailResult two = upright(2);  // mirrored: blue on the left, same size
  EXPECT_EQ(two.width, 300);
  EXPECT_EQ(two.height, 150);
  EXPECT_TRUE(near(pixel(two.jpeg, 40, 75), kBlue));
  const ThumbnailResult one = upright(1);  // as stored: red on the left
  EXPECT_EQ(one.width, 300);
  EXPECT_EQ(one.height, 150);
  EXPECT_TRUE(near(pixel(one.jpeg, 40, 75), kRed));
  EXPECT_TRUE(near(pixel(one.jpeg, 260, 75), kBlue));
}

TEST(Thumbnail, TruncatedImagesAreCorrupt) {
  for (SniffedType type : kFormats) {
    const string whole = two_colour_image(type, 1200, 800);
    const ThumbnailResult r = thumbnail(whole.substr(0, whole.size() / 2), type);
    EXPECT_EQ(r.status, ThumbnailStatus::kCorrupt) << name(type) << ": " << r.error;
    EXPECT_TRUE(r.jpeg.empty());
  }
}

TEST(Thumbnail, BytesOfAnotherFormatAreCorrupt) {
  const ThumbnailResult r =
      thumbnail(two_colour_image(SniffedType::kPng, 100, 100), SniffedType::kJpeg);
  EXPECT_EQ(r.status, ThumbnailStatus::kCorrupt) << r.error;
}

TEST(Thumbnail, HeaderOverTheCapsIsRefusedByTheChildItself) {
  // E3: a PNG header declaring 30000 x 30000 in well under 1 KB, handed over as if it had
  // passed the caller's checks.
  const string png = string("\x89PNG\r\n\x1A\n", 8) + be32(13) + "IHDR" + be32(30000) +
                     be32(30000) + string("\x08\x02\x00\x00\x00", 5) + be32(0) + string(200, 'x');
  const ThumbnailResult r = thumbnail(png, SniffedType::kPng);
  EXPECT_EQ(r.status, ThumbnailStatus::kTooComplex) << r.error;
}

// An animated GIF: a red first frame, then `frames - 1` blue ones, 64 x 64.
string animated_gif(int frames) {
  const auto frame = [](const Rgb& c) {
    GdImage im(gdImageCreate(64, 64));
    gdImageColorAllocate(im.get(), kRed.r, kRed.g, kRed.b);  // same palette in every frame
    gdImageColorAllocate(im.get(), kBlue.r, kBlue.g, kBlue.b);
    gdImageFilledRectangle(im.get(), 0, 0, 63, 63, gdImageColorExact(im.get(), c.r, c.g, c.b));
    return im;
  };
  const GdImage first = frame(kRed);
  const GdImage other = frame(kBlue);
  int size = 0;
  string gif = take(gdImageGifAnimBeginPtr(first.get(), &size, 1, 0), size);
  gif += take(gdImageGifAnimAddPtr(first.get(), &size, 0, 0, 0, 1, gdDisposalNone, nullptr), size);
  for (int i = 1; i < frames; ++i) {
    gif +=
        take(gdImageGifAnimAddPtr(other.get(), &size, 0, 0, 0, 1, gdDisposalNone, nullptr), size);
  }
  return gif + take(gdImageGifAnimEndPtr(&size), size);
}

TEST(Thumbnail, GifWithThousandsOfFramesGivesItsFirstFrame) {
  const ThumbnailResult r = thumbnail(animated_gif(5000), SniffedType::kGif);
  ASSERT_EQ(r.status, ThumbnailStatus::kOk) << r.error;
  EXPECT_EQ(r.width, 64);
  EXPECT_TRUE(near(pixel(r.jpeg, 32, 32), kRed));
}

// 6000 x 6000 (36 MP, inside the caps): decoding it takes far longer than 100 ms.
const string& big_jpeg() {
  static const string jpeg = [] {
    const GdImage im(gdImageCreateTrueColor(6000, 6000));
    gdImageFilledRectangle(im.get(), 0, 0, 5999, 5999, color(kBlue));
    gdImageFilledEllipse(im.get(), 3000, 3000, 4000, 3000, color(kRed));
    int size = 0;
    return take(gdImageJpegPtr(im.get(), &size, 60), size);
  }();
  return jpeg;
}

// True when this process has no child left, reaped or not.
bool no_children_left() {
  return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

TEST(Thumbnail, SlowDecodeIsKilledAtTheDeadlineAndReaped) {
  ThumbnailLimits limits = test_limits();
  limits.timeout_ms = 100;
  const string& image = big_jpeg();  // made before the clock starts
  const auto start = std::chrono::steady_clock::now();
  const ThumbnailResult r = make_jpeg_thumbnail(image, SniffedType::kJpeg, 300, limits);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, ThumbnailStatus::kTooComplex) << r.error;
  EXPECT_NE(r.error.find("100 ms"), string::npos) << r.error;
  EXPECT_LT(took, std::chrono::milliseconds(1000));
  EXPECT_TRUE(no_children_left());
}

TEST(Thumbnail, DecodedPixelsOverTheMemoryBudgetAreTooComplex) {
  // 36 MP need 144 MB as pixels, more than the 64 MB allowed: refused before decoding, in
  // every build.
  ThumbnailLimits limits = test_limits();
  limits.memory_mb = 64;
  const ThumbnailResult r = make_jpeg_thumbnail(big_jpeg(), SniffedType::kJpeg, 300, limits);
  EXPECT_EQ(r.status, ThumbnailStatus::kTooComplex) << r.error;
}

TEST(Thumbnail, AddressSpaceLimitStopsADecodeThatDoesNotFit) {
  // 3900 x 2000 needs 31 MB as pixels, under the 64 MB budget, but 64 MB of address space
  // must also hold the helper's shared libraries (libgd pulls in about 55 MB of mappings), so
  // the decoder's allocations fail. Under AddressSanitizer RLIMIT_AS is not applied (its
  // shadow memory reserves terabytes of address space) and the same call succeeds.
  ThumbnailLimits limits = test_limits();
  limits.memory_mb = 64;
  const ThumbnailResult r = make_jpeg_thumbnail(two_colour_image(SniffedType::kJpeg, 3900, 2000),
                                                SniffedType::kJpeg, 300, limits);
  if constexpr (thumbnailer::kMemoryLimitApplied) {
    EXPECT_EQ(r.status, ThumbnailStatus::kTooComplex) << r.error;
  } else {
    EXPECT_EQ(r.status, ThumbnailStatus::kOk) << r.error;
  }
  EXPECT_TRUE(no_children_left());
}

TEST(Thumbnail, MissingHelperFails) {
  ThumbnailLimits limits = test_limits();
  limits.helper_path = "/nonexistent/nerutalk-thumbnailer";
  const ThumbnailResult r = make_jpeg_thumbnail(two_colour_image(SniffedType::kPng, 100, 100),
                                                SniffedType::kPng, 300, limits);
  EXPECT_EQ(r.status, ThumbnailStatus::kFailed);
  EXPECT_NE(r.error.find("/nonexistent/nerutalk-thumbnailer"), string::npos) << r.error;
  EXPECT_TRUE(no_children_left());
}

TEST(Thumbnail, TypesThatAreNeverDecodedAreRefused) {
  const ThumbnailResult r = thumbnail("BM" + string(100, '\0'), SniffedType::kBmp);
  EXPECT_EQ(r.status, ThumbnailStatus::kFailed);
  EXPECT_FALSE(r.error.empty());
}

TEST(Thumbnail, ConcurrentCallersEachGetTheirOwnImage) {
  // Each thread's image has another width, so a crossed answer would show in the size.
  constexpr int kThreads = 4;
  std::vector<string> inputs;
  for (int t = 0; t < kThreads; ++t) {
    inputs.push_back(two_colour_image(SniffedType::kPng, 600, 200 + 100 * t));
  }
  std::vector<ThumbnailResult> results(kThreads * 3);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 3; ++k) results[t * 3 + k] = thumbnail(inputs[t], SniffedType::kPng);
    });
  }
  for (std::thread& th : threads) th.join();
  for (int i = 0; i < kThreads * 3; ++i) {
    ASSERT_EQ(results[i].status, ThumbnailStatus::kOk) << results[i].error;
    EXPECT_EQ(results[i].width, 300);
    EXPECT_EQ(results[i].height, (200 + 100 * (i / 3)) / 2);
  }
  EXPECT_TRUE(no_children_left());
}

TEST(ThumbnailLimits, HelperDefaultsToTheRunningProgramsFolder) {
  Config cfg;
  cfg.thumbnail_timeout_ms = 1500;
  cfg.thumbnail_memory_mb = 256;
  const ThumbnailLimits limits = thumbnail_limits(cfg);
  const auto self = std::filesystem::read_symlink("/proc/self/exe");
  EXPECT_EQ(limits.helper_path, (self.parent_path() / "nerutalk-thumbnailer").string());
  EXPECT_EQ(limits.timeout_ms, 1500);
  EXPECT_EQ(limits.memory_mb, 256);

  cfg.thumbnailer_path = "/opt/nerutalk/bin/nerutalk-thumbnailer";
  EXPECT_EQ(thumbnail_limits(cfg).helper_path, "/opt/nerutalk/bin/nerutalk-thumbnailer");
}

}  // namespace
}  // namespace nt
