// A small libpq client for the differential tester: one connection, plain
// text results, errors as values with their SQLSTATE.
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

namespace lake::sqldiff {

using Row = std::vector<std::optional<std::string>>;

struct Answer {
  bool ok = true;
  std::string sqlstate;  // of the error, when !ok
  std::string error;
  std::vector<Row> rows;
};

class PgClient {
 public:
  // libpq's connection string; exits the program when it cannot connect.
  explicit PgClient(const std::string& conninfo);
  ~PgClient();
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  // Runs `sql` (one or more statements): the rows of all that return rows,
  // or the first error.
  Answer Run(const std::string& sql);
  // Runs `sql` and exits the program when it fails (setup).
  void MustRun(const std::string& sql);

 private:
  PGconn* conn_;
};

}  // namespace lake::sqldiff
