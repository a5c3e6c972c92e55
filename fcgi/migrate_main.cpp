// nerutalk-migrate: applies sql/NNNN_*.sql files that are not yet recorded in
// schema_migrations, in name order, each in its own transaction, under an advisory lock so two
// runs never race. Safe to run any number of times.
//
//   nerutalk-migrate [--dir sql]      (DATABASE_URL from the environment or .env)
#include <libpq-fe.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config.hpp"

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

std::string database_url() {
  if (const char* v = getenv("DATABASE_URL")) return v;
  std::ifstream in(getenv("NERUTALK_ENV_FILE") ? getenv("NERUTALK_ENV_FILE") : ".env");
  std::stringstream buf;
  buf << in.rdbuf();
  const auto vars = nt::parse_dotenv(buf.str());
  const auto it = vars.find("DATABASE_URL");
  return it == vars.end() ? "" : it->second;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "sql";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--dir") dir = argv[i + 1];
  }
  const std::string url = database_url();
  if (url.empty()) {
    fprintf(stderr, "nerutalk-migrate: configuration error: missing required settings: DATABASE_URL\n");
    return 2;
  }
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdb(url.c_str()));
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
      std::ifstream in(f);
      std::stringstream sql;
      sql << in.rdbuf();
      run(c, "BEGIN");
      try {
        run(c, sql.str());
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
    run(c, "SELECT pg_advisory_unlock(7342001)");
  } catch (const std::exception& e) {
    fprintf(stderr, "nerutalk-migrate: failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
