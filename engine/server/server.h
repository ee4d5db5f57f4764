// lake-server's network side: listens on a Unix socket (and optionally TCP),
// speaks the framing of protocol/frame.h, and answers requests on a fixed
// pool of worker threads.
//
// The workers share one epoll set of non-blocking sockets with one-shot
// events: a ready connection goes to one worker, which reads what arrived,
// answers every whole frame in order, sends the answers and re-arms the
// connection (no hand-off between threads on the way, so a request costs
// two wake-ups: the worker's and the client's). No worker ever waits on a
// socket: answers a client does not read are buffered up to a limit, past
// which that client is not read from until it catches up; everyone else
// goes on. The thread in Run closes idle connections and handles stops:
// SIGTERM or SIGINT (or Stop()) closes the listeners, lets running requests
// finish and send their answers, drops requests not yet started, and
// returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "protocol/frame.h"

namespace lake::storage {
class WriteBatch;
}

namespace lake::server {

// A write request staged by an open transaction: its type and payload.
struct StagedWrite {
  std::uint16_t type = 0;
  std::string payload;
};

// Who is on the other end of a connection, as its requests established.
struct Caller {
  bool authenticated = false;
  bool admin = false;
  std::int64_t tenant = 0;  // for tenant callers
  bool close_after_reply = false;
  // Between begin_transaction and commit or abort; dropped with the
  // connection.
  bool in_transaction = false;
  std::vector<StagedWrite> staged;
  std::size_t staged_bytes = 0;
  // The open transaction's id, and its place among the service's open
  // transactions (given up when it ends or the connection closes).
  std::uint64_t transaction_id = 0;
  std::shared_ptr<void> transaction_open;
  // While a commit applies this caller's writes: the record that the
  // transaction committed, written in the same batch as the writes.
  const storage::WriteBatch* commit_record = nullptr;
};

// Answers one request: the reply payload, or the error to send. Called on a
// worker thread; `caller` belongs to the request's connection.
using RequestHandler =
    std::function<Result<std::string>(Caller& caller, const protocol::Frame& request)>;

struct ServerOptions {
  std::string socket_path;
  // Also listen on TCP at tcp_host:tcp_port (port 0: pick a free one).
  std::optional<std::uint16_t> tcp_port;
  std::string tcp_host = "127.0.0.1";
  int workers = 4;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
  std::size_t max_connections = 512;
  std::uint32_t max_payload_bytes = protocol::kDefaultMaxPayloadBytes;
  // Request bytes received and not yet answered, over all connections; a
  // connection whose frame would go past it is refused (kBusy) and closed.
  std::size_t max_buffered_request_bytes = std::size_t{2} << 30;
  // How long a graceful stop waits for in-flight requests and their answers.
  std::chrono::milliseconds stop_grace{std::chrono::seconds(30)};
};

class Server {
 public:
  // Binds the listeners (a stale socket file is replaced: the caller holds
  // the data directory, so no live server can own it).
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, RequestHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until SIGTERM or SIGINT (handled by the server while it exists;
  // SIGPIPE is ignored) or Stop(); then stops gracefully.
  Status Run();
  // Asks Run to stop, from any thread.
  void Stop();

  // The TCP port listened on, when there is one.
  std::optional<std::uint16_t> tcp_port() const;
  std::size_t open_connections() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lake::server
