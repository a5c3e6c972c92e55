// thumbnail_bench: what one JPEG thumbnail costs (common/thumbnail.hpp). Makes a photo-like
// WIDTH x HEIGHT JPEG in memory (smooth gradients plus per-pixel noise), then times, each
// --runs times:
//   thumbnail_spawn       make_jpeg_thumbnail as the API calls it: start nerutalk-thumbnailer,
//                         hand it the bytes, its decode + scale + encode, read the answer back;
//   thumbnail_in_process  encode_thumbnail (fcgi/thumbnail_codec.hpp), the same decode, scale
//                         and encode in this process, without the child;
//   thumbnail_spawn_tiny  make_jpeg_thumbnail of a 16 x 16 JPEG: starting the child alone.
// One line per measurement on stdout: wall-clock milliseconds per run and the CPU time per run
// of this process plus the helper (stable on a busy machine). See bench/README.md.
#include <gd.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "bench_setup.hpp"
#include "c_ptr.hpp"
#include "thumbnail.hpp"
#include "thumbnail_codec.hpp"

namespace nt::bench {
namespace {

constexpr const char* kUsage =
    "usage: thumbnail_bench [--runs 20] [--width 4000] [--height 3000] [--quality 90]\n"
    "  [--max-side 300] [--helper PATH] [--timeout-ms 10000] [--memory-mb 512]\n";

// Gradients across the frame with +-12 of noise per channel: compresses like a photo (a flat
// test card would make the decoder's job unrealistically easy).
std::string photo_like_jpeg(int w, int h, int quality) {
  const CPtr<gdImage, gdImageDestroy> im(gdImageCreateTrueColor(w, h));
  if (!im) throw SetupError("cannot allocate the test image");
  uint32_t state = 2463534242u;
  const auto noise = [&state] {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return static_cast<int>(state % 25) - 12;
  };
  const auto clamp = [](int v) { return std::clamp(v, 0, 255); };
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int r = 40 + 180 * x / w;
      const int g = 30 + 200 * y / h;
      const int b = 200 - 150 * (x + y) / (w + h);
      gdImageTrueColorPixel(im.get(), x, y) =
          gdTrueColor(clamp(r + noise()), clamp(g + noise()), clamp(b + noise()));
    }
  }
  int size = 0;
  const CPtr<void, gdFree> bytes(gdImageJpegPtr(im.get(), &size, quality));
  if (!bytes) throw SetupError("cannot encode the test image");
  return std::string(static_cast<const char*>(bytes.get()), static_cast<size_t>(size));
}

// CPU time of this process and of its reaped children (the helper), in milliseconds.
double cpu_ms() {
  const auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  rusage self{};
  rusage children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  return ms(self.ru_utime) + ms(self.ru_stime) + ms(children.ru_utime) + ms(children.ru_stime);
}

struct Timing {
  std::vector<double> ms;  // wall clock per run, sorted
  double cpu_ms_per_run = 0;
  double at(double fraction) const {  // nearest rank of the sorted samples
    const size_t rank = static_cast<size_t>(fraction * static_cast<double>(ms.size()) + 0.999999);
    return ms[std::clamp<size_t>(rank, 1, ms.size()) - 1];
  }
};

// Calls `one` `runs` times; it returns the thumbnail's width, which must be `expect_width`.
template <typename F>
Timing measure(int runs, int expect_width, F one) {
  Timing t;
  const double cpu_start = cpu_ms();
  for (int i = 0; i < runs; ++i) {
    const int64_t start = mono_ns();
    const int width = one();
    t.ms.push_back(static_cast<double>(mono_ns() - start) / 1e6);
    if (width != expect_width) {
      throw SetupError("run " + std::to_string(i) + " made a thumbnail " + std::to_string(width) +
                       " px wide, expected " + std::to_string(expect_width));
    }
  }
  t.cpu_ms_per_run = (cpu_ms() - cpu_start) / runs;
  std::sort(t.ms.begin(), t.ms.end());
  return t;
}

void print(const char* label, int w, int h, size_t bytes, const Timing& t) {
  std::printf(
      "label=%s input=%dx%d input_bytes=%zu runs=%zu min_ms=%.2f p50_ms=%.2f "
      "p99_ms=%.2f max_ms=%.2f cpu_ms_per_run=%.2f\n",
      label, w, h, bytes, t.ms.size(), t.ms.front(), t.at(0.50), t.at(0.99), t.ms.back(),
      t.cpu_ms_per_run);
}

int run(int argc, char** argv) {
  const Args a(argc, argv,
               {{"runs", "20"},
                {"width", "4000"},
                {"height", "3000"},
                {"quality", "90"},
                {"max-side", "300"},
                {"helper", NERUTALK_THUMBNAILER},
                {"timeout-ms", "10000"},
                {"memory-mb", "512"}});
  const int runs = static_cast<int>(a.integer("runs", 1, 1000));
  const int w = static_cast<int>(a.integer("width", 16, kMaxImageSide));
  const int h = static_cast<int>(a.integer("height", 16, kMaxImageSide));
  const int quality = static_cast<int>(a.integer("quality", 1, 100));
  const int max_side = static_cast<int>(a.integer("max-side", 16, 4096));
  ThumbnailLimits limits;
  limits.helper_path = a.str("helper");
  limits.timeout_ms = static_cast<int>(a.integer("timeout-ms", 100, 60000));
  limits.memory_mb = static_cast<int>(a.integer("memory-mb", 64, 8192));
  if (!image_size_allowed(static_cast<uint32_t>(w), static_cast<uint32_t>(h))) {
    throw UsageError("the image is over the caps of image_probe.hpp");
  }

  const std::string photo = photo_like_jpeg(w, h, quality);
  const std::string tiny = photo_like_jpeg(16, 16, quality);
  const CodecResult reference =
      encode_thumbnail(photo, SniffedType::kJpeg, max_side, limits.quality, 0);
  if (reference.status != CodecStatus::kOk) {
    throw SetupError(std::string("in-process thumbnail: ") + reference.reason);
  }
  const int expect = reference.width;  // both ways must make the same size
  const auto spawn = [&](const std::string& image) {
    const ThumbnailResult r = make_jpeg_thumbnail(image, SniffedType::kJpeg, max_side, limits);
    if (r.status != ThumbnailStatus::kOk) throw SetupError("thumbnailer: " + r.error);
    return r.width;
  };
  const Timing child = measure(runs, expect, [&] { return spawn(photo); });
  const Timing local = measure(runs, expect, [&] {
    return encode_thumbnail(photo, SniffedType::kJpeg, max_side, limits.quality,
                            static_cast<uint64_t>(limits.memory_mb) << 20)
        .width;
  });
  const Timing start_only = measure(runs, 16, [&] { return spawn(tiny); });
  print("thumbnail_spawn", w, h, photo.size(), child);
  print("thumbnail_in_process", w, h, photo.size(), local);
  print("thumbnail_spawn_tiny", 16, 16, tiny.size(), start_only);
  std::printf("label=thumbnail_spawn_overhead p50_ms=%.2f share_of_spawn_p50=%.1f%%\n",
              child.at(0.5) - local.at(0.5),
              100.0 * (child.at(0.5) - local.at(0.5)) / child.at(0.5));
  return 0;
}

}  // namespace
}  // namespace nt::bench

int main(int argc, char** argv) {
  return nt::bench::run_main("thumbnail_bench", nt::bench::kUsage, nt::bench::run, argc, argv);
}
