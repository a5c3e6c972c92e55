// nerutalk-thumbnailer: the short-lived child that common/thumbnail.cpp starts for every
// thumbnail, so that a hostile image can at worst take down this process, never an API worker
// (RELIABILITY §2 E3–E8, §6). It limits itself before it reads a byte of the image: address
// space (MEMORY_MB; not under AddressSanitizer, whose shadow memory needs terabytes), CPU time
// (CPU_SECONDS, then SIGXCPU and a second later SIGKILL), no files written, no core dumps, a
// handful of descriptors. Then it reads exactly INPUT_BYTES from stdin and hands them to
// encode_thumbnail, which checks them again (format, header dimensions, caps) before libgd
// sees them. The caller also kills it at its wall-clock deadline.
//
//   nerutalk-thumbnailer FORMAT MAX_SIDE QUALITY MEMORY_MB CPU_SECONDS INPUT_BYTES
//
// Command line, exit statuses and the answer on stdout: common/thumbnailer_protocol.hpp.
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "thumbnail_codec.hpp"
#include "thumbnailer_protocol.hpp"

namespace {

using namespace nt::thumbnailer;

constexpr rlim_t kMaxOpenFiles = 16;

// A decimal integer in [lo, hi] with nothing after it.
bool parse_long(const char* s, long lo, long hi, long* out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool set_limit(int resource, rlim_t soft, rlim_t hard) {
  const rlimit rl{soft, hard};
  return setrlimit(resource, &rl) == 0;
}

bool apply_limits(long memory_mb, long cpu_seconds) {
  const auto cpu = static_cast<rlim_t>(cpu_seconds);
  const bool ok = set_limit(RLIMIT_CPU, cpu, cpu + 1) && set_limit(RLIMIT_FSIZE, 0, 0) &&
                  set_limit(RLIMIT_CORE, 0, 0) &&
                  set_limit(RLIMIT_NOFILE, kMaxOpenFiles, kMaxOpenFiles);
  if (!ok || !kMemoryLimitApplied) return ok;
  const rlim_t bytes = static_cast<rlim_t>(memory_mb) << 20;
  return set_limit(RLIMIT_AS, bytes, bytes);
}

// Exactly `n` bytes from stdin, then end of input: kExitOk, else kExitUsage (a different
// length) or kExitIo.
int read_input(size_t n, std::string* out) {
  out->resize(n + 1);  // one spare byte shows input beyond the announced length
  size_t got = 0;
  while (got < out->size()) {
    const ssize_t r = ::read(STDIN_FILENO, out->data() + got, out->size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return kExitIo;
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  if (got != n) return kExitUsage;
  out->resize(n);
  return kExitOk;
}

bool write_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t w = ::write(STDOUT_FILENO, data.data(), data.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data.remove_prefix(static_cast<size_t>(w));
  }
  return true;
}

int run(nt::SniffedType type, long max_side, long quality, long memory_mb, size_t input_bytes) {
  std::string image;
  if (const int status = read_input(input_bytes, &image); status != kExitOk) return status;
  const nt::CodecResult r =
      nt::encode_thumbnail(image, type, static_cast<int>(max_side), static_cast<int>(quality),
                           static_cast<uint64_t>(memory_mb) << 20);
  if (r.status == nt::CodecStatus::kCorrupt) return kExitCorrupt;
  if (r.status == nt::CodecStatus::kTooComplex) return kExitTooComplex;
  const std::string header =
      encode_header(static_cast<uint32_t>(r.width), static_cast<uint32_t>(r.height),
                    static_cast<uint32_t>(r.jpeg.size()));
  return write_all(header) && write_all(r.jpeg) ? kExitOk : kExitIo;
}

}  // namespace

int main(int argc, char** argv) {
  long max_side = 0;
  long quality = 0;
  long memory_mb = 0;
  long cpu_seconds = 0;
  long input_bytes = 0;
  const nt::SniffedType type = argc == 7 ? format_from_name(argv[1]) : nt::SniffedType::kUnknown;
  if (type == nt::SniffedType::kUnknown || !parse_long(argv[2], 1, nt::kMaxImageSide, &max_side) ||
      !parse_long(argv[3], 1, 100, &quality) || !parse_long(argv[4], 16, 1 << 20, &memory_mb) ||
      !parse_long(argv[5], 1, 3600, &cpu_seconds) ||
      !parse_long(argv[6], 1, static_cast<long>(kMaxInputBytes), &input_bytes)) {
    return kExitUsage;
  }
  if (!apply_limits(memory_mb, cpu_seconds)) return kExitLimits;
  try {
    return run(type, max_side, quality, memory_mb, static_cast<size_t>(input_bytes));
  } catch (const std::bad_alloc&) {
    return kExitTooComplex;  // the address-space limit, outside libgd
  }
}
