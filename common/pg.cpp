#include "pg.hpp"

#include <cstdlib>

#include "log.hpp"
#include "time_util.hpp"

namespace nt {

int64_t PgResult::i64(int row, int col) const {
  return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
}

std::string PgResult::time(int row, int col) const { return format_rfc3339(i64(row, col)); }

std::optional<std::string> PgResult::opt_time(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return time(row, col);
}

int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string pg_text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string pg_int_array(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "}";
}

Pg::Pg(std::string conninfo, int64_t statement_timeout_ms)
    : conninfo_(std::move(conninfo)), statement_timeout_ms_(statement_timeout_ms) {}

Pg::~Pg() { disconnect(); }

void Pg::disconnect() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();
  in_tx_ = false;
}

void Pg::ensure_connected() {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) return;
  disconnect();
  conn_ = PQconnectdb(conninfo_.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string msg = PQerrorMessage(conn_);
    disconnect();
    throw DbUnavailable("postgres connect failed: " + msg);
  }
  // Bound every statement so a slow query can never pin a worker (RELIABILITY G6).
  const std::string setup = "SET statement_timeout = " + std::to_string(statement_timeout_ms_) +
                            "; SET TIME ZONE 'UTC'";
  PGresult* r = PQexec(conn_, setup.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    disconnect();
    throw DbUnavailable("postgres session setup failed");
  }
}

PgResult Pg::check(PGresult* r, const char* what) {
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return PgResult(r);
  std::string sqlstate = r && PQresultErrorField(r, PG_DIAG_SQLSTATE)
                             ? PQresultErrorField(r, PG_DIAG_SQLSTATE)
                             : "";
  std::string constraint = r && PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME)
                               ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME)
                               : "";
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  if (r) PQclear(r);
  const bool lost = PQstatus(conn_) != CONNECTION_OK || sqlstate.rfind("08", 0) == 0 ||
                    sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
                    sqlstate == "25006";
  if (lost) {
    disconnect();
    throw DbUnavailable(std::string(what) + ": connection lost: " + msg);
  }
  throw DbError(sqlstate, constraint, std::string(what) + ": " + msg);
}

PgResult Pg::exec(const Sql& sql, const std::vector<PgParam>& params) {
  // One retry after a lost connection, only when no transaction could be half-applied.
  for (int attempt = 0;; ++attempt) {
    const bool may_retry = attempt == 0 && !in_tx_;
    try {
      ensure_connected();
      if (!prepared_.count(sql.name)) {
        check(PQprepare(conn_, sql.name, sql.text, 0, nullptr), sql.name);
        prepared_.insert(sql.name);
      }
      std::vector<const char*> values;
      values.reserve(params.size());
      for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
      return check(PQexecPrepared(conn_, sql.name, static_cast<int>(values.size()), values.data(),
                                  nullptr, nullptr, 0),
                   sql.name);
    } catch (const DbUnavailable& e) {
      if (!may_retry) throw;
      log_warn("postgres: %s; reconnecting", e.what());
    } catch (const DbError& e) {
      // 26000: prepared statement vanished (server-side DISCARD); prepare again once.
      if (e.sqlstate() != "26000" || !may_retry) throw;
      prepared_.erase(sql.name);
    }
  }
}

PgResult Pg::exec_text(const std::string& text) {
  // Outside a transaction (BEGIN itself, migrations) a dead connection gets one retry on a
  // fresh one, as exec() does; inside one the error surfaces.
  for (int attempt = 0;; ++attempt) {
    const bool may_retry = attempt == 0 && !in_tx_;
    try {
      ensure_connected();
      return check(PQexec(conn_, text.c_str()), "exec");
    } catch (const DbUnavailable& e) {
      if (!may_retry) throw;
      log_warn("postgres: %s; reconnecting", e.what());
    }
  }
}

bool Pg::ping() {
  static const Sql kPing{"health_ping", "SELECT 1"};
  try {
    exec(kPing);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

Tx::Tx(Pg& pg, const char* begin) : pg_(pg) {
  pg_.exec_text(begin);
  pg_.in_tx_ = true;
}

Tx::~Tx() {
  if (done_ || !pg_.conn_) return;
  try {
    pg_.in_tx_ = false;
    pg_.exec_text("ROLLBACK");
  } catch (const std::exception&) {
    // The connection is gone; nothing was committed.
  }
}

void Tx::commit() {
  pg_.exec_text("COMMIT");
  pg_.in_tx_ = false;
  done_ = true;
}

}  // namespace nt
