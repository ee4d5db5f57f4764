#include "server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/interrupt.h"
#include "common/log.h"
#include "protocol/messages.h"

namespace lake::server {

namespace {

using Clock = std::chrono::steady_clock;

// A connection is not read from while this many answer bytes wait for it.
constexpr std::size_t kMaxBufferedAnswerBytes = std::size_t{64} << 20;
// Read at most this much per turn, so one busy client cannot hog a worker's
// turn (its frames are handled, then it waits for epoll like everyone else).
constexpr std::size_t kReadPerTurn = std::size_t{1} << 20;
constexpr std::size_t kReadChunk = 256 * 1024;
constexpr auto kSpinAfterWork = std::chrono::microseconds(50);
// Before it authenticates, a connection may send only small frames (an
// authenticate request is a few dozen bytes) and must do so this soon.
constexpr std::uint32_t kUnauthenticatedMaxPayload = 64 * 1024;
constexpr auto kAuthenticateWithin = std::chrono::seconds(5);
// How often Run looks for hung-up clients of running requests.
constexpr int kWatchEveryMs = 50;
// Of a graceful stop's grace, the part that running requests may use to
// finish on their own; then they are cancelled.
constexpr double kFinishShare = 0.75;

// Epoll user data: the exit wake-up has a small fixed tag, connections
// their id (which starts above it).
constexpr std::uint64_t kExitTag = 3;
constexpr std::uint64_t kFirstConnectionId = 16;

// SIGTERM and SIGINT may land on any thread (libraries start threads of
// their own before main), so their handler only records the signal and
// wakes Run through this eventfd.
std::atomic<int> signal_wake_fd{-1};
std::atomic<int> received_signal{0};

void OnStopSignal(int signal) {
  received_signal = signal;
  const std::uint64_t one = 1;
  const int fd = signal_wake_fd.load();
  if (fd >= 0) [[maybe_unused]]
    const ssize_t written = ::write(fd, &one, sizeof(one));
}

void SetStopHandler(void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
}

std::string Errno(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

std::int64_t Ticks() {
  return Clock::now().time_since_epoch().count();
}

// A client connection. Epoll hands it to one worker at a time (one-shot
// events, re-armed at the end of each turn), so everything but `fd` (which
// Run may shut down, under `fd_mutex`) and the two atomics belongs to the
// worker whose turn it is.
struct Connection {
  std::uint64_t id = 0;
  std::mutex fd_mutex;
  int fd = -1;
  const std::int64_t accepted = Ticks();
  std::atomic<std::int64_t> last_activity{Ticks()};
  std::atomic<bool> busy{false};  // a request is running
  std::atomic<bool> authenticated{false};
  // The running request's; Run cancels it when the client hangs up.
  Interrupt interrupt;

  std::string hello;  // bytes of the client's hello so far
  bool greeted = false;
  bool refused = false;  // over the connection limit: say so after the hello
  protocol::FrameDecoder decoder{kUnauthenticatedMaxPayload};
  std::size_t counted_input = 0;  // of decoder.buffered(), in Impl::buffered_input
  // A request taken from the decoder that waits for a slot (Admission).
  std::optional<protocol::Frame> pending;
  Clock::time_point pending_since;  // its arrival
  std::string out;                  // answers the socket has not taken yet
  std::size_t out_sent = 0;
  bool peer_done = false;  // the client closed its side
  bool closing = false;    // close once `out` is sent
  Caller caller;

  std::size_t unsent() const { return out.size() - out_sent; }
};

// Whose slots a request takes: a tenant's, or the admins' (one key).
std::int64_t SlotKey(const Caller& caller) {
  return caller.admin ? std::numeric_limits<std::int64_t>::min() : caller.tenant;
}

// Requests that cost next to nothing run without a slot, so a hello, an
// authenticate or a ping is answered however busy the server is.
bool IsQuick(std::uint16_t type) {
  using protocol::MessageType;
  switch (static_cast<MessageType>(type)) {
    case MessageType::kAuthenticate:
    case MessageType::kPing:
    case MessageType::kBeginTransaction:
    case MessageType::kAbortTransaction:
      return true;  // (transaction_status waits for a running commit: not quick)
    default:
      return false;
  }
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  RequestHandler handler;
  int epoll_fd = -1;
  int unix_fd = -1;
  int tcp_fd = -1;
  int exit_fd = -1;    // readable forever once the workers must exit
  int signal_fd = -1;  // written by the signal handler
  int stop_fd = -1;    // written by Stop()
  std::optional<std::uint16_t> bound_tcp_port;

  std::mutex connections_mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;
  std::atomic<std::uint64_t> next_connection_id{kFirstConnectionId};
  std::atomic<bool> stopping{false};
  std::vector<std::thread> workers;
  std::atomic<int> workers_running{0};
  // Request bytes received and not yet answered, over all connections.
  std::atomic<std::size_t> buffered_input{0};

  // Slots for requests that are not quick: at most `per_key` running for
  // one tenant (or for the admins), at most `total` in all, so one worker
  // always stays free for quick requests and one tenant's flood leaves
  // room for the others. Connections whose request finds no slot wait in
  // `parked`, unarmed, until a slot frees.
  struct Admission {
    std::mutex mutex;
    std::map<std::int64_t, int> running;
    int total = 0;
    std::deque<std::shared_ptr<Connection>> parked;
  } admission;
  int slots_per_key = 1;
  int slots_total = 1;

  ~Impl() {
    if (exit_fd >= 0) {
      const std::uint64_t one = 1;
      [[maybe_unused]] const ssize_t written = ::write(exit_fd, &one, sizeof(one));
    }
    for (std::thread& worker : workers)
      worker.join();
    for (auto& [id, c] : connections) {
      if (c->fd >= 0) ::close(c->fd);
    }
    if (signal_fd >= 0) {
      SetStopHandler(SIG_DFL);
      signal_wake_fd = -1;
    }
    for (int fd : {epoll_fd, unix_fd, tcp_fd, exit_fd, signal_fd, stop_fd}) {
      if (fd >= 0) ::close(fd);
    }
    if (!options.socket_path.empty()) ::unlink(options.socket_path.c_str());
  }

  Status Listen();
  Status ListenUnix();
  Status ListenTcp();
  Status Arm(int fd, std::uint64_t tag, std::uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    if (::epoll_ctl(epoll_fd, op, fd, &event) != 0) return Status::IOError(Errno("epoll_ctl"));
    return Status::Ok();
  }

  void WorkerLoop();
  void Accept(int listener);
  // Slots (Admission): taken before a request that is not quick runs.
  bool Admissible(std::int64_t key) const;
  bool TakeSlot(std::int64_t key);
  void GiveSlot(std::int64_t key);
  // The end of a turn whose request found no slot.
  void Park(const std::shared_ptr<Connection>& c);
  void WakeParked(bool all);
  // Re-arms the parked connections `which` picks (under admission.mutex).
  void Wake(const std::function<bool(const Connection&)>& which, bool only_one);
  // Keeps buffered_input up to date with c's decoder; false over the cap.
  bool CountInput(Connection& c);
  void WatchRunning();
  // Whether c's waiting request has spent its budget.
  static bool Expired(const Connection& c);
  void WakeExpired();
  std::shared_ptr<Connection> Find(std::uint64_t id);
  // One turn of a connection: send, read, answer every whole frame, re-arm
  // (or close).
  void Turn(const std::shared_ptr<Connection>& c, std::uint32_t events);
  void Read(Connection& c);
  void Answer(Connection& c);
  Result<std::string> Run(Connection& c, const protocol::Frame& frame);
  // Queues bytes and sends what the socket takes now; false when it broke.
  bool Send(Connection& c, std::string_view bytes);
  void Fail(Connection& c, const Status& status);
  void Close(Connection& c);
  void ShutDown(Connection& c, int how);

  void CloseIdle();
  Status StopGracefully();
};

Status Server::Impl::Listen() {
  epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return Status::IOError(Errno("epoll_create1"));
  for (int* fd : {&exit_fd, &signal_fd, &stop_fd}) {
    *fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (*fd < 0) return Status::IOError(Errno("eventfd"));
  }
  LAKE_RETURN_IF_ERROR(Arm(exit_fd, kExitTag, EPOLLIN, EPOLL_CTL_ADD));
  ::signal(SIGPIPE, SIG_IGN);
  signal_wake_fd = signal_fd;
  SetStopHandler(OnStopSignal);
  if (!options.socket_path.empty()) LAKE_RETURN_IF_ERROR(ListenUnix());
  if (options.tcp_port) LAKE_RETURN_IF_ERROR(ListenTcp());
  if (unix_fd < 0 && tcp_fd < 0) return Status::InvalidArgument("nothing to listen on");
  const int workers_count = std::max(1, options.workers);
  slots_total = std::max(1, workers_count - 1);
  slots_per_key = std::max(1, workers_count / 2);
  return Status::Ok();
}

Status Server::Impl::ListenUnix() {
  sockaddr_un address{};
  if (options.socket_path.size() >= sizeof(address.sun_path)) {
    return Status::InvalidArgument("socket path is longer than " +
                                   std::to_string(sizeof(address.sun_path) - 1) +
                                   " bytes: " + options.socket_path);
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, options.socket_path.c_str(), options.socket_path.size() + 1);
  unix_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (unix_fd < 0) return Status::IOError(Errno("socket"));
  ::unlink(options.socket_path.c_str());
  // Only the server's owner may connect: created 0600 under this umask.
  const mode_t previous = ::umask(0177);
  const int bound = ::bind(unix_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::umask(previous);
  if (bound != 0) return Status::IOError(Errno("cannot bind " + options.socket_path));
  if (::listen(unix_fd, 128) != 0) return Status::IOError(Errno("listen"));
  return Status::Ok();
}

Status Server::Impl::ListenTcp() {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(*options.tcp_port);
  if (::inet_pton(AF_INET, options.tcp_host.c_str(), &address.sin_addr) != 1)
    return Status::InvalidArgument("not an IPv4 address: " + options.tcp_host);
  tcp_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (tcp_fd < 0) return Status::IOError(Errno("socket"));
  const int one = 1;
  ::setsockopt(tcp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(tcp_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return Status::IOError(
        Errno("cannot bind " + options.tcp_host + ":" + std::to_string(*options.tcp_port)));
  }
  if (::listen(tcp_fd, 128) != 0) return Status::IOError(Errno("listen"));
  socklen_t length = sizeof(address);
  ::getsockname(tcp_fd, reinterpret_cast<sockaddr*>(&address), &length);
  bound_tcp_port = ntohs(address.sin_port);
  return Status::Ok();
}

void Server::Impl::WorkerLoop() {
  auto last_work = Clock::now();
  for (;;) {
    epoll_event event;
    // Poll without sleeping for a moment after each turn: a client's next
    // request usually follows its answer within microseconds, and waking a
    // sleeping (virtual) CPU costs more than the request itself.
    const bool spin = Clock::now() - last_work < kSpinAfterWork;
    const int ready = ::epoll_wait(epoll_fd, &event, 1, spin ? 0 : -1);
    if (ready == 0 && spin) continue;
    last_work = Clock::now();
    if (ready < 0 && errno != EINTR) {
      Log(LogLevel::kError, Errno("epoll_wait"));
      break;
    }
    if (ready <= 0) continue;
    const std::uint64_t tag = event.data.u64;
    if (tag == kExitTag) break;  // level-triggered: wakes every worker
    if (std::shared_ptr<Connection> c = Find(tag)) Turn(c, event.events);
  }
  --workers_running;
}

// Accepts on Run's thread: a new client never waits for a worker to be free.
void Server::Impl::Accept(int listener) {
  for (;;) {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    const int fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && !stopping)
        Log(LogLevel::kError, Errno("accept"));
      return;
    }
    if (address.ss_family == AF_INET) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    auto c = std::make_shared<Connection>();
    c->id = next_connection_id++;
    c->fd = fd;
    {
      std::lock_guard lock(connections_mutex);
      // Over the limit, the connection is still greeted, then told why it
      // is closed (a client that is refused before its hello is read only
      // sees a broken pipe).
      c->refused = connections.size() >= options.max_connections;
      connections.emplace(c->id, c);
    }
    if (!Arm(fd, c->id, EPOLLONESHOT | EPOLLIN, EPOLL_CTL_ADD).ok()) Close(*c);
  }
}

std::shared_ptr<Connection> Server::Impl::Find(std::uint64_t id) {
  std::lock_guard lock(connections_mutex);
  auto found = connections.find(id);
  return found == connections.end() ? nullptr : found->second;
}

void Server::Impl::Turn(const std::shared_ptr<Connection>& connection, std::uint32_t events) {
  Connection& c = *connection;
  if ((events & EPOLLOUT) && !Send(c, {})) return Close(c);
  const bool backlogged = c.unsent() >= kMaxBufferedAnswerBytes;
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !backlogged && !c.closing) Read(c);
  if (!c.closing) Answer(c);
  if (c.fd < 0) return;  // Answer closed it
  // Stopping: requests not started are dropped (their clients see the
  // close). A client that closed its side is gone (no client of this
  // protocol half-closes; a query cancel closes): its whole frames were
  // answered or are dropped, a partial frame can never complete.
  const bool done = c.unsent() == 0 && (c.closing || stopping || c.peer_done);
  if (done || ((c.peer_done || c.closing) && (events & (EPOLLHUP | EPOLLERR)))) return Close(c);
  if (c.pending) {
    c.decoder.Compact();  // a parked connection holds its request, not more
    return Park(connection);
  }
  const bool read = !c.closing && !c.peer_done && c.unsent() < kMaxBufferedAnswerBytes;
  const std::uint32_t interest =
      EPOLLONESHOT | (read ? EPOLLIN : 0u) | (c.unsent() > 0 ? EPOLLOUT : 0u);
  if (!Arm(c.fd, c.id, interest, EPOLL_CTL_MOD).ok()) Close(c);
}

void Server::Impl::Read(Connection& c) {
  char buffer[kReadChunk];
  for (std::size_t taken = 0; taken < kReadPerTurn;) {
    const ssize_t got = ::recv(c.fd, buffer, sizeof(buffer), 0);
    if (got == 0) {
      c.peer_done = true;
      return;
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) c.peer_done = true;
      return;
    }
    taken += static_cast<std::size_t>(got);
    c.last_activity = Ticks();
    std::string_view bytes(buffer, static_cast<std::size_t>(got));
    if (!c.greeted) {
      const std::size_t take = std::min(bytes.size(), protocol::kHelloBytes - c.hello.size());
      c.hello.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (c.hello.size() < protocol::kHelloBytes) continue;
      Result<std::uint16_t> version = protocol::DecodeHello(c.hello);
      if (!version.ok()) {  // not our protocol: no answer at all
        c.closing = true;
        return;
      }
      c.greeted = true;
      if (*version != protocol::kProtocolVersion) {
        return Fail(c, Status::InvalidArgument("this server speaks protocol version " +
                                               std::to_string(protocol::kProtocolVersion) +
                                               ", not " + std::to_string(*version)));
      }
      if (!Send(c, protocol::EncodeHello())) {
        c.closing = true;
        return;
      }
      if (c.refused) {
        return Fail(c, Status::Busy("lake-server is at its limit of " +
                                    std::to_string(options.max_connections) +
                                    " connections: close idle ones or retry later"));
      }
    }
    c.decoder.Feed(bytes);
    if (!CountInput(c)) {
      return Fail(c, Status::Busy("lake-server holds " +
                                  std::to_string(options.max_buffered_request_bytes >> 20) +
                                  " MiB of requests not yet answered (its limit): retry later"));
    }
  }
}

bool Server::Impl::CountInput(Connection& c) {
  const std::size_t now =
      c.fd >= 0 ? c.decoder.buffered() + (c.pending ? c.pending->payload.size() : 0) : 0;
  const std::size_t total = now >= c.counted_input ? (buffered_input += now - c.counted_input)
                                                   : (buffered_input -= c.counted_input - now);
  c.counted_input = now;
  return total <= options.max_buffered_request_bytes || now == 0;
}

bool Server::Impl::Admissible(std::int64_t key) const {
  auto found = admission.running.find(key);
  const int mine = found == admission.running.end() ? 0 : found->second;
  return admission.total < slots_total && mine < slots_per_key;
}

bool Server::Impl::TakeSlot(std::int64_t key) {
  std::lock_guard lock(admission.mutex);
  if (!Admissible(key)) return false;
  ++admission.running[key];
  ++admission.total;
  return true;
}

void Server::Impl::GiveSlot(std::int64_t key) {
  {
    std::lock_guard lock(admission.mutex);
    if (--admission.running[key] == 0) admission.running.erase(key);
    --admission.total;
  }
  WakeParked(false);
}

void Server::Impl::Park(const std::shared_ptr<Connection>& c) {
  // The last thing this turn does with c: once parked, another worker may
  // take it.
  std::lock_guard lock(admission.mutex);
  if (Admissible(SlotKey(c->caller)) || stopping) {
    if (!Arm(c->fd, c->id, EPOLLONESHOT | EPOLLOUT, EPOLL_CTL_MOD).ok()) ShutDown(*c, SHUT_RDWR);
    return;
  }
  admission.parked.push_back(c);
}

void Server::Impl::Wake(const std::function<bool(const Connection&)>& which, bool only_one) {
  std::lock_guard lock(admission.mutex);
  for (auto it = admission.parked.begin(); it != admission.parked.end();) {
    Connection& c = **it;
    if (!which(c)) {
      ++it;
      continue;
    }
    // EPOLLOUT fires at once on a writable socket: the connection gets a
    // turn and asks for its slot again (or answers that its time ran out).
    if (!Arm(c.fd, c.id, EPOLLONESHOT | EPOLLOUT | EPOLLIN, EPOLL_CTL_MOD).ok())
      ShutDown(c, SHUT_RDWR);
    it = admission.parked.erase(it);
    if (only_one) return;
  }
}

void Server::Impl::WakeParked(bool all) {
  Wake([&](const Connection& c) { return all || Admissible(SlotKey(c.caller)); }, !all);
}

bool Server::Impl::Expired(const Connection& c) {
  return c.pending && c.pending->budget_ms &&
         Clock::now() >= c.pending_since + std::chrono::milliseconds(*c.pending->budget_ms);
}

void Server::Impl::WakeExpired() {
  // A parked request whose budget ran out is answered at once (cancelled)
  // rather than when a slot frees.
  Wake([](const Connection& c) { return Expired(c); }, false);
}

Result<std::string> Server::Impl::Run(Connection& c, const protocol::Frame& frame) {
  c.interrupt.cancel_reason = "the client went away";
  c.interrupt.cancelled = false;
  // The budget counts from the request's arrival, time parked included.
  c.interrupt.deadline = frame.budget_ms
                             ? c.pending_since + std::chrono::milliseconds(*frame.budget_ms)
                             : Interrupt::Clock::time_point::max();
  InterruptScope scope(&c.interrupt);
  c.busy = true;
  Result<std::string> reply = Status::Ok();
  // No exception may leave a worker: a request that throws fails alone.
  try {
    reply = handler(c.caller, frame);
  } catch (const std::bad_alloc&) {
    reply = Status::Busy("lake-server ran out of memory for this request: ask for less");
  } catch (const std::exception& e) {
    reply = Status::Internal(std::string("lake-server failed on this request: ") + e.what());
  }
  c.busy = false;
  return reply;
}

void Server::Impl::Answer(Connection& c) {
  while (!c.closing && !stopping && c.unsent() < kMaxBufferedAnswerBytes) {
    if (!c.pending) {
      Result<std::optional<protocol::Frame>> next = c.decoder.Next();
      if (!next.ok()) return Fail(c, next.status());
      if (!next->has_value()) return;
      c.pending = std::move(**next);
      c.pending_since = Clock::now();
      CountInput(c);
    }
    const protocol::Frame& frame = *c.pending;
    const bool quick = IsQuick(frame.type) || !c.caller.authenticated;
    const std::int64_t key = SlotKey(c.caller);
    Result<std::string> reply = Status::Ok();
    if (!quick && Expired(c)) {  // its budget ran out while it waited for a slot
      reply = Status::Cancelled("request cancelled: its deadline passed before it could run");
    } else {
      if (!quick && !TakeSlot(key)) return;  // Turn parks the connection
      reply = Run(c, frame);
      if (!quick) GiveSlot(key);
    }
    c.last_activity = Ticks();
    if (c.caller.authenticated && !c.authenticated) {
      c.authenticated = true;
      c.decoder.set_max_payload_bytes(options.max_payload_bytes);
    }
    const std::string answer = reply.ok()
                                   ? protocol::EncodeFrame(frame.type, frame.request_id, *reply)
                                   : protocol::EncodeFrame(protocol::kErrorType, frame.request_id,
                                                           protocol::EncodeStatus(reply.status()));
    c.pending.reset();
    CountInput(c);
    if (!Send(c, answer)) return Close(c);
    if (c.caller.close_after_reply) c.closing = true;
  }
}

bool Server::Impl::Send(Connection& c, std::string_view bytes) {
  if (c.out_sent == c.out.size()) {
    c.out.assign(bytes);
    c.out_sent = 0;
  } else {
    c.out.append(bytes);
  }
  while (c.unsent() > 0) {
    const ssize_t sent = ::send(c.fd, c.out.data() + c.out_sent, c.unsent(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    c.out_sent += static_cast<std::size_t>(sent);
    c.last_activity = Ticks();
  }
  c.out.clear();
  c.out_sent = 0;
  return true;
}

void Server::Impl::Fail(Connection& c, const Status& status) {
  // A stream with a bad frame cannot be resynchronised: answer and close.
  c.closing = true;
  Send(c, protocol::EncodeFrame(protocol::kErrorType, 0, protocol::EncodeStatus(status)));
}

void Server::Impl::Close(Connection& c) {
  {
    std::lock_guard lock(c.fd_mutex);
    if (c.fd < 0) return;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
  }
  // Its buffers go at once, whoever still holds the connection. A request
  // it dropped may have been woken for a free slot: pass the wake on.
  const bool dropped_request = c.pending.has_value();
  c.pending.reset();
  CountInput(c);
  c.decoder = protocol::FrameDecoder(0);
  std::string().swap(c.out);
  c.out_sent = 0;
  {
    std::lock_guard lock(connections_mutex);
    connections.erase(c.id);
  }
  if (dropped_request) WakeParked(false);
}

void Server::Impl::ShutDown(Connection& c, int how) {
  // Wakes the connection's worker with an end of stream; the fd itself is
  // only closed by that worker.
  std::lock_guard lock(c.fd_mutex);
  if (c.fd >= 0) ::shutdown(c.fd, how);
}

void Server::Impl::CloseIdle() {
  const auto ago = [](auto duration) {
    return Ticks() - std::chrono::duration_cast<Clock::duration>(duration).count();
  };
  const std::int64_t idle = ago(options.idle_timeout);
  const std::int64_t unauthenticated = ago(kAuthenticateWithin);
  std::vector<std::shared_ptr<Connection>> closing;
  {
    std::lock_guard lock(connections_mutex);
    for (auto& [id, c] : connections) {
      if (c->busy) continue;
      if (c->last_activity < idle || (!c->authenticated && c->accepted < unauthenticated))
        closing.push_back(c);
    }
  }
  for (auto& c : closing)
    ShutDown(*c, SHUT_RDWR);
}

void Server::Impl::WatchRunning() {
  // A running request whose client hung up (a query cancel, a backend that
  // died) is cancelled: nobody waits for its answer.
  std::vector<std::shared_ptr<Connection>> busy;
  {
    std::lock_guard lock(connections_mutex);
    for (auto& [id, c] : connections) {
      if (c->busy) busy.push_back(c);
    }
  }
  for (auto& c : busy) {
    std::lock_guard lock(c->fd_mutex);
    if (c->fd < 0) continue;
    pollfd p{c->fd, POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
      c->interrupt.cancelled = true;
  }
}

Status Server::Impl::StopGracefully() {
  stopping = true;
  for (int* fd : {&unix_fd, &tcp_fd}) {
    if (*fd < 0) continue;
    ::close(*fd);
    *fd = -1;
  }
  if (!options.socket_path.empty()) ::unlink(options.socket_path.c_str());
  WakeParked(true);
  // No new requests: each connection's worker finishes the request it runs,
  // sends what it owes, sees the end of stream and closes. Requests not yet
  // started are dropped unanswered; their clients see the close. Requests
  // still running late in the grace are cancelled.
  const auto started = Clock::now();
  const auto cancel_at =
      started + std::chrono::duration_cast<Clock::duration>(options.stop_grace * kFinishShare);
  const auto deadline = started + options.stop_grace;
  for (;;) {
    std::vector<std::shared_ptr<Connection>> open;
    {
      std::lock_guard lock(connections_mutex);
      for (auto& [id, c] : connections)
        open.push_back(c);
    }
    if (open.empty() || Clock::now() > deadline) break;
    for (auto& c : open) {
      ShutDown(*c, SHUT_RD);
      if (Clock::now() > cancel_at) {
        c->interrupt.cancel_reason = "lake-server is stopping";
        c->interrupt.cancelled = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(exit_fd, &one, sizeof(one));
  while (workers_running > 0 && Clock::now() < deadline + std::chrono::seconds(1))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (workers_running > 0) {
    // A request that cannot be interrupted (a commit applying its index
    // work) is still running: leave it to the process exit.
    for (std::thread& worker : workers)
      worker.detach();
    workers.clear();
    return Status::Busy(std::to_string(workers_running.load()) +
                        " requests were still running at the end of the stop's grace");
  }
  for (std::thread& worker : workers)
    worker.join();
  workers.clear();
  return Status::Ok();
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, RequestHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  LAKE_RETURN_IF_ERROR(impl->Listen());
  for (int i = 0; i < std::max(1, impl->options.workers); ++i) {
    ++impl->workers_running;
    impl->workers.emplace_back([raw = impl.get()] { raw->WorkerLoop(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

std::optional<std::uint16_t> Server::tcp_port() const {
  return impl_->bound_tcp_port;
}

std::size_t Server::open_connections() const {
  std::lock_guard lock(impl_->connections_mutex);
  return impl_->connections.size();
}

void Server::Stop() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(impl_->stop_fd, &one, sizeof(one));
}

Status Server::Run() {
  Impl& s = *impl_;
  // Run's thread accepts, watches running requests and idle connections,
  // and handles stops; the workers only serve connections.
  std::vector<pollfd> wakes = {{s.signal_fd, POLLIN, 0}, {s.stop_fd, POLLIN, 0}};
  for (int listener : {s.unix_fd, s.tcp_fd}) {
    if (listener >= 0) wakes.push_back({listener, POLLIN, 0});
  }
  auto last_sweep = Clock::now();
  for (;;) {
    const int ready = ::poll(wakes.data(), wakes.size(), kWatchEveryMs);
    if (ready < 0 && errno != EINTR) return Status::IOError(Errno("poll"));
    if (ready > 0 && (wakes[0].revents & POLLIN)) {
      Log(LogLevel::kInfo, std::string(strsignal(received_signal.load())) +
                               ": stopping (finishing requests in flight)");
      break;
    }
    if (ready > 0 && (wakes[1].revents & POLLIN)) break;
    for (std::size_t i = 2; i < wakes.size(); ++i) {
      if (ready > 0 && (wakes[i].revents & POLLIN)) s.Accept(wakes[i].fd);
    }
    s.WatchRunning();
    s.WakeExpired();
    if (Clock::now() - last_sweep > std::chrono::milliseconds(250)) {
      s.CloseIdle();
      last_sweep = Clock::now();
    }
  }
  return s.StopGracefully();
}

}  // namespace lake::server
