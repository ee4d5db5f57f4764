#include "sql_client.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>

namespace lake::bench {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

PGconn* Connect(const std::string& host, const std::string& port) {
  const std::string info = "host=" + host + " port=" + port + " user=postgres dbname=lake";
  PGconn* conn = PQconnectdb(info.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Die(std::string("connect: ") + PQerrorMessage(conn));
  return conn;
}

void Exec(PGconn* conn, const std::string& sql) {
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    Die(sql.substr(0, 80) + ": " + PQerrorMessage(conn));
  PQclear(result);
}

std::string VectorText(const float* v, std::size_t dim) {
  std::string text = "[";
  char number[32];
  for (std::size_t i = 0; i < dim; ++i) {
    if (i > 0) text += ',';
    text.append(number, std::to_chars(number, number + sizeof(number), v[i]).ptr);
  }
  return text + "]";
}

double Copy(PGconn* conn, const std::string& command, std::size_t rows,
            const std::function<void(std::size_t, std::string&)>& line) {
  const auto started = Clock::now();
  Exec(conn, "BEGIN");
  PGresult* result = PQexec(conn, command.c_str());
  if (PQresultStatus(result) != PGRES_COPY_IN) Die(std::string("COPY: ") + PQerrorMessage(conn));
  PQclear(result);
  std::string buffer;
  for (std::size_t r = 0; r < rows; ++r) {
    line(r, buffer);
    if (buffer.size() > (1 << 20) || r + 1 == rows) {
      if (PQputCopyData(conn, buffer.data(), int(buffer.size())) != 1) Die("COPY data");
      buffer.clear();
    }
  }
  if (PQputCopyEnd(conn, nullptr) != 1) Die("COPY end");
  result = PQgetResult(conn);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) Die(std::string("COPY: ") + PQerrorMessage(conn));
  PQclear(result);
  const double copied = Seconds(started);
  Exec(conn, "COMMIT");
  const double total = Seconds(started);
  std::printf("%s: %.2f s to COPY, %.2f s to COMMIT\n", command.c_str(), copied, total - copied);
  return total;
}

Load RunLoad(int clients, double seconds, const std::function<void(int, std::size_t)>& query) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto started = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (std::size_t i = 0; !stop; ++i) {
        const auto t0 = Clock::now();
        query(c, i * 7 + std::size_t(c) * 131);
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads)
    t.join();
  std::vector<double> all;
  for (auto& l : latencies)
    all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  return {double(all.size()) / Seconds(started), all[all.size() / 2],
          all[std::min(all.size() - 1, all.size() * 99 / 100)]};
}

double Recall(const std::vector<std::vector<std::int64_t>>& found,
              const std::vector<std::vector<std::int64_t>>& truth, std::size_t k) {
  double hits = 0;
  for (std::size_t q = 0; q < truth.size(); ++q) {
    const std::set<std::int64_t> want(truth[q].begin(), truth[q].end());
    for (std::int64_t id : found[q])
      hits += want.count(id);
  }
  return hits / double(truth.size() * k);
}

}  // namespace lake::bench
