// What the benches that reach the lake through SQL share: libpq
// connections, COPY, pgvector's text form, a timed load of clients and
// recall against a ground truth.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lake::bench {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what);
double Seconds(Clock::time_point since);

// A connection as postgres to the database lake of the cluster at
// host (a socket directory) and port.
PGconn* Connect(const std::string& host, const std::string& port);
void Exec(PGconn* conn, const std::string& sql);

// pgvector's text form, each value in the shortest form that reads back
// exactly (std::to_chars: the bench's own formatting must not be what a
// load through COPY measures).
std::string VectorText(const float* v, std::size_t dim);

// COPY rows (text format lines) and commit; seconds taken.
double Copy(PGconn* conn, const std::string& command, std::size_t rows,
            const std::function<void(std::size_t, std::string&)>& line);

struct Load {
  double qps = 0, p50_ms = 0, p99_ms = 0;
};
// `clients` threads calling query(client, query number) for `seconds`.
Load RunLoad(int clients, double seconds, const std::function<void(int, std::size_t)>& query);

// The share of each query's first k true neighbours that were found.
double Recall(const std::vector<std::vector<std::int64_t>>& found,
              const std::vector<std::vector<std::int64_t>>& truth, std::size_t k);

}  // namespace lake::bench
