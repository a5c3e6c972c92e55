// nerutalk-migrate: applies sql/NNNN_*.sql files that are not yet recorded in
// schema_migrations, in name order, each in its own transaction, under an advisory lock so two
// runs never race. Then makes sure every sticker row has its image in the storage backend,
// uploading assets/stickers/<pack>/<id>.png where the blob is missing. Safe to run any number
// of times.
//
//   nerutalk-migrate [--dir sql] [--assets DIR]
//     settings from the environment and NERUTALK_ENV_FILE or .env (DATABASE_URL, STORAGE_*);
//     --assets defaults to <--dir>/../assets
#include <libpq-fe.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config.hpp"
#include "image_probe.hpp"
#include "read_file.hpp"
#include "storage.hpp"

namespace {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

ResultPtr run(PGconn* c, const std::string& sql, const std::vector<const char*>& params = {}) {
  ResultPtr r(params.empty() ? PQexec(c, sql.c_str())
                             : PQexecParams(c, sql.c_str(), static_cast<int>(params.size()),
                                            nullptr, params.data(), nullptr, nullptr, 0));
  const auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    throw std::runtime_error(PQresultErrorMessage(r.get()));
  }
  return r;
}

std::string read_file(const std::filesystem::path& path) {
  std::optional<std::string> text = nt::read_file(path.string());
  if (!text) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
  return std::move(*text);
}

// Uploads the shipped image of every sticker whose blob is not in storage yet. A row without
// its file, or a file that is not the PNG the row describes, is an installation error.
void upload_sticker_blobs(PGconn* c, const nt::Storage& store,
                          const std::filesystem::path& assets) {
  ResultPtr r = run(c, "SELECT id, pack_id, storage_key, width, height FROM stickers ORDER BY id");
  int uploaded = 0, present = 0;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    const std::string id = PQgetvalue(r.get(), i, 0), pack = PQgetvalue(r.get(), i, 1);
    const std::string key = PQgetvalue(r.get(), i, 2);
    if (store.exists(key)) {
      ++present;
      continue;
    }
    const std::filesystem::path file = assets / "stickers" / pack / (id + ".png");
    const std::string bytes = read_file(file);
    uint32_t w = 0, h = 0;
    if (nt::sniff(bytes).type != nt::SniffedType::kPng ||
        nt::image_dimensions(bytes, nt::SniffedType::kPng, &w, &h) != nt::ProbeResult::kOk ||
        std::to_string(w) != PQgetvalue(r.get(), i, 3) ||
        std::to_string(h) != PQgetvalue(r.get(), i, 4)) {
      throw std::runtime_error(file.string() + " is not the " + PQgetvalue(r.get(), i, 3) + "x" +
                               PQgetvalue(r.get(), i, 4) + " PNG that sticker " + id + " names");
    }
    store.put(key, bytes, "image/png");
    ++uploaded;
  }
  printf("sticker blobs: %d uploaded, %d already in %s storage\n", uploaded, present, store.name());
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "sql", assets;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--dir") dir = argv[i + 1];
    if (std::string(argv[i]) == "--assets") assets = argv[i + 1];
  }
  if (assets.empty()) assets = (std::filesystem::path(dir) / ".." / "assets").lexically_normal();
  nt::Config cfg;
  try {
    cfg = nt::load_config(getenv("NERUTALK_ENV_FILE") ? getenv("NERUTALK_ENV_FILE") : ".env");
  } catch (const nt::ConfigError& e) {
    fprintf(stderr, "nerutalk-migrate: configuration error: %s\n", e.what());
    return 2;
  }
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdb(cfg.database_url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    fprintf(stderr, "nerutalk-migrate: cannot connect: %s", PQerrorMessage(conn.get()));
    return 1;
  }
  PGconn* c = conn.get();
  try {
    run(c, "SET client_min_messages = warning");
    run(c, "SELECT pg_advisory_lock(7342001)");
    run(c, "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(255) PRIMARY KEY, "
           "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    std::set<std::string> applied;
    ResultPtr r = run(c, "SELECT version FROM schema_migrations");
    for (int i = 0; i < PQntuples(r.get()); ++i) applied.insert(PQgetvalue(r.get(), i, 0));

    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".sql") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    int count = 0;
    for (const auto& f : files) {
      const std::string version = f.stem().string();
      if (applied.count(version)) continue;
      const std::string sql = read_file(f);
      run(c, "BEGIN");
      try {
        run(c, sql);
        run(c, "INSERT INTO schema_migrations (version) VALUES ($1)", {version.c_str()});
        run(c, "COMMIT");
      } catch (...) {
        PQclear(PQexec(c, "ROLLBACK"));
        throw;
      }
      printf("applied %s\n", version.c_str());
      ++count;
    }
    printf("migrations up to date (%d applied now, %zu in total)\n", count, files.size());
    upload_sticker_blobs(c, nt::storage(cfg), assets);
    run(c, "SELECT pg_advisory_unlock(7342001)");
  } catch (const std::exception& e) {
    fprintf(stderr, "nerutalk-migrate: failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
