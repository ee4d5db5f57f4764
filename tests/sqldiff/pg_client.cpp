#include "pg_client.h"

#include <cstdio>
#include <cstdlib>

namespace lake::sqldiff {

PgClient::PgClient(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::fprintf(stderr, "sqldiff: cannot connect (%s): %s", conninfo.c_str(),
                 PQerrorMessage(conn_));
    std::exit(2);
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

PgClient::~PgClient() {
  PQfinish(conn_);
}

Answer PgClient::Run(const std::string& sql) {
  Answer answer;
  if (PQsendQuery(conn_, sql.c_str()) == 0) {
    answer.ok = false;
    answer.error = PQerrorMessage(conn_);
    return answer;
  }
  while (PGresult* result = PQgetResult(conn_)) {
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_FATAL_ERROR) {
      if (answer.ok) {  // the first error is the statement's
        answer.ok = false;
        const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
        answer.sqlstate = state != nullptr ? state : "";
        answer.error = PQresultErrorMessage(result);
      }
    } else if (status == PGRES_TUPLES_OK && answer.ok) {
      // Rows of every statement that returns some (EXECUTE, each FETCH).
      const int rows = PQntuples(result), columns = PQnfields(result);
      for (int r = 0; r < rows; ++r) {
        Row row;
        for (int c = 0; c < columns; ++c) {
          if (PQgetisnull(result, r, c))
            row.emplace_back();
          else
            row.emplace_back(PQgetvalue(result, r, c));
        }
        answer.rows.push_back(std::move(row));
      }
    }
    PQclear(result);
  }
  if (PQstatus(conn_) != CONNECTION_OK && answer.ok) {
    answer.ok = false;
    answer.error = "connection lost: " + std::string(PQerrorMessage(conn_));
  }
  return answer;
}

void PgClient::MustRun(const std::string& sql) {
  const Answer answer = Run(sql);
  if (!answer.ok) {
    std::fprintf(stderr, "sqldiff: setup failed: %s\n  in: %s\n", answer.error.c_str(),
                 sql.substr(0, 300).c_str());
    std::exit(2);
  }
}

}  // namespace lake::sqldiff
