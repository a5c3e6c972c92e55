// location_update_bench: POST /api/v1/location/update through nginx, many users walking at
// random across their geofences (issue 6: location updates/s with geofence evaluation on).
// Two steps, so the driver can seed fences with SQL in between
// (bench/run_location_update_bench.sh):
//
//   register: registers --users users (in parallel) and writes one line per user to --users-file:
//             "<user_id>\t<access_token>\t<home_latitude>\t<home_longitude>". Homes are spread
//             over a 10 x 11 km city centred on --lat/--lon (a fixed seed: the same city each run).
//   run:      reads that file; --connections threads, each with its own keep-alive connection,
//             take turns over their share of the users and post each user's next position of a
//             random walk (--step-m metres a step, a heading that drifts, pulled back home when
//             farther than --roam-m) with an accuracy of 5-30 m. Prints one key=value line like
//             http_bench: requests_per_s, p50/p90/p99/max in ms, non_2xx, errors.
// Loopback only (bench_target). See bench/README.md.
#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_options.hpp"
#include "bench_setup.hpp"

namespace nt::bench {
namespace {

constexpr const char* kUsage =
    "usage: location_update_bench register --base http://127.0.0.1:PORT --users-file FILE\n"
    "         [--users 1000] [--setup-threads 16] [--lat 35.68] [--lon 139.76] [--prefix loc]\n"
    "       location_update_bench run --base http://127.0.0.1:PORT --users-file FILE\n"
    "         [--connections 32] [--duration 10] [--warmup 2] [--step-m 40] [--roam-m 1000]\n"
    "         [--label location_update]\n";

constexpr double kPi = 3.14159265358979323846;
constexpr double kMetersPerDegree = 6'371'000.0 * kPi / 180.0;

struct Walker {
  std::string token;
  double home_lat = 0, home_lon = 0;
  double lat = 0, lon = 0;
  double heading = 0;  // radians, 0 = north
};

// Moves `w` one step: the heading drifts by up to +-40 degrees, and turns home when the walker
// is more than `roam_m` from home (so it keeps crossing the fences seeded around home).
void step(Walker& w, double step_m, double roam_m, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> drift(-40.0 * kPi / 180, 40.0 * kPi / 180);
  const double cos_lat = std::cos(w.lat * kPi / 180);
  const double north_m = (w.lat - w.home_lat) * kMetersPerDegree;
  const double east_m = (w.lon - w.home_lon) * kMetersPerDegree * cos_lat;
  if (std::hypot(north_m, east_m) > roam_m) {
    w.heading = std::atan2(-east_m, -north_m);
  } else {
    w.heading += drift(rng);
  }
  w.lat += step_m * std::cos(w.heading) / kMetersPerDegree;
  w.lon += step_m * std::sin(w.heading) / (kMetersPerDegree * cos_lat);
}

int do_register(const Args& a) {
  const BenchTarget target = bench_target(a.str("base"));
  const auto n = static_cast<size_t>(a.integer("users", 1, 100000));
  const double lat = a.number("lat", -80, 80), lon = a.number("lon", -170, 170);
  const std::vector<BenchUser> users = register_users(
      target, n, a.str("prefix"), static_cast<int>(a.integer("setup-threads", 1, 128)));
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> spread(-0.5, 0.5);
  std::ofstream out(a.str("users-file"));
  if (!out) throw SetupError("cannot write " + a.str("users-file"));
  out.precision(9);
  for (const BenchUser& u : users) {
    const double home_lat = lat + spread(rng) * 0.09;  // ~10 km north-south
    const double home_lon = lon + spread(rng) * 0.12;  // ~11 km east-west at 35 degrees
    out << u.id << '\t' << u.token << '\t' << home_lat << '\t' << home_lon << '\n';
  }
  if (!out.flush()) throw SetupError("cannot write " + a.str("users-file"));
  std::fprintf(stderr, "location_update_bench: %zu users written to %s\n", users.size(),
               a.str("users-file").c_str());
  return 0;
}

std::vector<Walker> read_walkers(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw SetupError("cannot read " + file);
  std::vector<Walker> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id;
    Walker w;
    if (!(fields >> id >> w.token >> w.home_lat >> w.home_lon)) {
      throw SetupError("bad line in " + file + ": " + line);
    }
    w.lat = w.home_lat;
    w.lon = w.home_lon;
    out.push_back(std::move(w));
  }
  if (out.empty()) throw SetupError(file + " holds no users");
  return out;
}

struct ThreadResult {
  LatencyHistogram latencies;
  uint64_t non_2xx = 0;
  uint64_t errors = 0;
  std::string first_problem;
};

// One connection: posts the next step of its walkers in turn until `end_ns`; responses that
// complete in [record_ns, end_ns) are counted.
void drive(const BenchTarget& target, std::vector<Walker*> walkers, double step_m, double roam_m,
           int64_t record_ns, int64_t end_ns, uint64_t seed, ThreadResult& out) {
  RestClient client(target.addr, target.host_header);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> accuracy(5, 30);
  char body[160];
  for (size_t i = 0; mono_ns() < end_ns; i = (i + 1) % walkers.size()) {
    Walker& w = *walkers[i];
    step(w, step_m, roam_m, rng);
    std::snprintf(body, sizeof body, "{\"latitude\":%.7f,\"longitude\":%.7f,\"accuracy\":%.1f}",
                  w.lat, w.lon, accuracy(rng));
    const int64_t t0 = mono_ns();
    const RestReply r = client.request("POST", "/api/v1/location/update", body, w.token);
    const int64_t t1 = mono_ns();
    if (t1 < record_ns || t1 >= end_ns) continue;
    if (!r.ok()) {
      ++out.errors;
      if (out.first_problem.empty()) out.first_problem = r.error;
      continue;
    }
    if (r.status != 201) {
      ++out.non_2xx;
      if (out.first_problem.empty()) {
        out.first_problem = "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 200);
      }
      continue;
    }
    out.latencies.record(static_cast<uint64_t>(t1 - t0));
  }
}

int do_run(const Args& a) {
  const BenchTarget target = bench_target(a.str("base"));
  std::vector<Walker> walkers = read_walkers(a.str("users-file"));
  const auto conns = static_cast<size_t>(
      std::min<int64_t>(a.integer("connections", 1, 1024), static_cast<int64_t>(walkers.size())));
  const double duration = a.number("duration", 1, 3600), warmup = a.number("warmup", 0, 600);
  const double step_m = a.number("step-m", 1, 10000), roam_m = a.number("roam-m", 10, 100000);

  // Each connection walks its own users, so no user's updates race each other.
  std::vector<std::vector<Walker*>> shares(conns);
  for (size_t i = 0; i < walkers.size(); ++i) shares[i % conns].push_back(&walkers[i]);
  std::vector<ThreadResult> results(conns);
  const int64_t record_ns = mono_ns() + static_cast<int64_t>(warmup * 1e9);
  const int64_t end_ns = record_ns + static_cast<int64_t>(duration * 1e9);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < conns; ++t) {
    threads.emplace_back(drive, std::cref(target), shares[t], step_m, roam_m, record_ns, end_ns,
                         1000 + t, std::ref(results[t]));
  }
  for (std::thread& t : threads) t.join();

  ThreadResult all;
  for (const ThreadResult& r : results) {
    all.latencies.merge(r.latencies);
    all.non_2xx += r.non_2xx;
    all.errors += r.errors;
    if (all.first_problem.empty()) all.first_problem = r.first_problem;
  }
  const LatencyHistogram& h = all.latencies;
  std::printf(
      "label=%s requests=%" PRIu64 " duration_s=%.2f requests_per_s=%.1f %s non_2xx=%" PRIu64
      " errors=%" PRIu64 " connections=%zu users=%zu\n",
      a.str("label").c_str(), h.count(), duration, static_cast<double>(h.count()) / duration,
      latency_summary_ms(h).c_str(), all.non_2xx, all.errors, conns, walkers.size());
  if (!all.first_problem.empty()) {
    std::fprintf(stderr, "location_update_bench: first problem: %s\n", all.first_problem.c_str());
  }
  return h.count() > 0 ? 0 : 1;
}

int run(int argc, char** argv) {
  if (argc < 2) throw UsageError("register or run?");
  const std::string mode = argv[1];
  const Args a(argc - 1, argv + 1,
               {{"base", ""},
                {"users-file", ""},
                {"users", "1000"},
                {"setup-threads", "16"},
                {"lat", "35.68"},
                {"lon", "139.76"},
                {"prefix", "loc"},
                {"connections", "32"},
                {"duration", "10"},
                {"warmup", "2"},
                {"step-m", "40"},
                {"roam-m", "1000"},
                {"label", "location_update"}});
  if (a.str("base").empty() || a.str("users-file").empty()) {
    throw UsageError("--base and --users-file are required");
  }
  if (mode == "register") return do_register(a);
  if (mode == "run") return do_run(a);
  throw UsageError("unknown step: " + mode);
}

}  // namespace
}  // namespace nt::bench

int main(int argc, char** argv) {
  return nt::bench::run_main("location_update_bench", nt::bench::kUsage, nt::bench::run, argc,
                             argv);
}
