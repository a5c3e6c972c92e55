// Postgres on libpq: one Pg per thread (it is not thread-safe). Every query is a named,
// prepared statement (struct Sql constants); statements are prepared lazily on first use per
// connection and again after a reconnect. A lost connection is reset once and the statement
// retried when no transaction is open; inside a transaction the error surfaces as
// DbUnavailable so the caller never half-applies a change.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

namespace nt {

// A named query; the name is its identity on the connection, the text is prepared once.
struct Sql {
  const char* name;
  const char* text;
};

// Selects a timestamptz as epoch milliseconds; PgResult::time() formats it as RFC 3339.
// (About twice as fast as to_char() in Postgres for hot queries.)
#define NT_SQL_EPOCH_MS(col) "floor(extract(epoch from " col ") * 1000)::int8"

// A parameter: text or SQL NULL.
using PgParam = std::optional<std::string>;
inline PgParam pg_int(int64_t v) { return std::to_string(v); }
inline PgParam pg_bool(bool v) { return std::string(v ? "t" : "f"); }
// A Postgres array literal ({"a","b"}) of text values, quoted and escaped; cast with ::text[].
std::string pg_text_array(const std::vector<std::string>& values);
// A Postgres array literal of integers; cast with ::bigint[].
std::string pg_int_array(const std::vector<int64_t>& values);

// Postgres could not be reached or the connection broke (clients get 503).
class DbUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A statement failed with a SQLSTATE; sqlstate() tells which (23505 unique violation, ...).
class DbError : public std::runtime_error {
 public:
  DbError(std::string sqlstate, std::string constraint, const std::string& msg)
      : std::runtime_error(msg), sqlstate_(std::move(sqlstate)), constraint_(std::move(constraint)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& constraint() const { return constraint_; }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

// A query result; rows and columns by index, values as text.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  int rows() const { return PQntuples(r_.get()); }
  bool empty() const { return rows() == 0; }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string str(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col));
  }
  std::optional<std::string> opt_str(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return str(row, col);
  }
  int64_t i64(int row, int col) const;
  // A column selected with NT_SQL_EPOCH_MS as "2026-11-21T08:00:00.123Z" (nullopt for NULL).
  std::string time(int row, int col) const;
  std::optional<std::string> opt_time(int row, int col) const;
  bool boolean(int row, int col) const { return PQgetvalue(r_.get(), row, col)[0] == 't'; }
  int64_t affected() const;
  int col(const char* name) const { return PQfnumber(r_.get(), name); }

 private:
  std::unique_ptr<PGresult, PgResultDeleter> r_;
};

class Pg {
 public:
  // `conninfo` is a libpq URI or key=value string. Does not connect until first use.
  Pg(std::string conninfo, int64_t statement_timeout_ms);
  ~Pg();
  Pg(const Pg&) = delete;
  Pg& operator=(const Pg&) = delete;

  // Runs a prepared statement. Throws DbUnavailable or DbError.
  PgResult exec(const Sql& sql, const std::vector<PgParam>& params = {});
  // Runs a plain command without parameters (BEGIN, COMMIT, migrations). Throws as exec.
  PgResult exec_text(const std::string& text);

  bool in_transaction() const { return in_tx_; }
  // Cheap reachability check for /health/ready (SELECT 1 with reconnect).
  bool ping();

 private:
  friend class Tx;
  void ensure_connected();
  void disconnect();
  PgResult check(PGresult* r, const char* what);

  std::string conninfo_;
  int64_t statement_timeout_ms_;
  PGconn* conn_ = nullptr;
  std::unordered_set<std::string> prepared_;
  bool in_tx_ = false;
};

// BEGIN in the constructor; ROLLBACK in the destructor unless commit() ran.
class Tx {
 public:
  explicit Tx(Pg& pg, const char* begin = "BEGIN");
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  void commit();

 private:
  Pg& pg_;
  bool done_ = false;
};

}  // namespace nt
