#include "server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.h"

namespace lake::server {

namespace {

using Clock = std::chrono::steady_clock;

// A connection is no longer read from while this many requests wait or its
// unsent answers exceed the byte limit.
constexpr std::size_t kMaxQueuedRequests = 64;
constexpr std::size_t kMaxBufferedAnswerBytes = std::size_t{64} << 20;
constexpr std::size_t kReadChunk = 256 * 1024;

// Epoll user data: listeners and wake-ups have small fixed tags, connections
// their id (which starts above them).
constexpr std::uint64_t kUnixListenerTag = 1;
constexpr std::uint64_t kTcpListenerTag = 2;
constexpr std::uint64_t kWakeTag = 3;
constexpr std::uint64_t kSignalTag = 4;
constexpr std::uint64_t kFirstConnectionId = 16;

// SIGTERM and SIGINT may land on any thread (libraries start threads of
// their own before main), so their handler only records the signal and
// wakes the loop through this eventfd.
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

struct Connection {
  int fd = -1;
  std::uint64_t id = 0;
  std::string peer;
  std::string hello;  // bytes of the client's hello so far
  bool greeted = false;
  protocol::FrameDecoder decoder;
  std::deque<protocol::Frame> queued;
  bool at_worker = false;
  // Answers not yet taken by the socket. A worker sends its answer itself
  // (saving a hand-off to the loop), so these and closing `fd` are guarded.
  std::mutex out_mutex;
  std::string out;
  std::size_t out_sent = 0;
  Caller caller;
  Clock::time_point last_activity = Clock::now();
  bool closing = false;  // close once `out` is sent
  bool dead = false;     // the socket is gone; free once no worker holds it
  std::uint32_t interest = 0;

  explicit Connection(std::uint32_t max_payload) : decoder(max_payload) {}
  std::size_t unsent() {
    std::lock_guard lock(out_mutex);
    return out.size() - out_sent;
  }
  // Queues `bytes` and sends what the socket takes now (under out_mutex);
  // false when the connection broke.
  bool SendLocked(std::string_view bytes) {
    if (fd < 0) return false;
    if (out_sent == out.size()) {
      out.assign(bytes);
      out_sent = 0;
    } else {
      out.append(bytes);
    }
    while (out_sent < out.size()) {
      const ssize_t sent = ::send(fd, out.data() + out_sent, out.size() - out_sent, MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
      }
      out_sent += static_cast<std::size_t>(sent);
    }
    out.clear();
    out_sent = 0;
    return true;
  }
};

struct Task {
  Connection* connection;
  protocol::Frame frame;
};

struct Completion {
  std::uint64_t connection_id;
  bool close_after;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  RequestHandler handler;
  int epoll_fd = -1;
  int unix_fd = -1;
  int tcp_fd = -1;
  int wake_fd = -1;
  int signal_fd = -1;
  std::optional<std::uint16_t> bound_tcp_port;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections;
  std::atomic<std::size_t> connection_count{0};
  std::uint64_t next_connection_id = kFirstConnectionId;
  std::atomic<bool> stop_requested{false};
  bool stopping = false;

  std::mutex task_mutex;
  std::condition_variable task_ready;
  std::deque<Task> tasks;
  bool workers_exit = false;
  std::vector<std::thread> workers;

  std::mutex completion_mutex;
  std::vector<Completion> completions;

  ~Impl() {
    {
      std::lock_guard lock(task_mutex);
      workers_exit = true;
    }
    task_ready.notify_all();
    for (std::thread& worker : workers)
      worker.join();
    for (auto& [id, connection] : connections) {
      if (connection->fd >= 0) ::close(connection->fd);
    }
    if (signal_fd >= 0) {
      SetStopHandler(SIG_DFL);
      signal_wake_fd = -1;
    }
    for (int fd : {epoll_fd, unix_fd, tcp_fd, wake_fd, signal_fd}) {
      if (fd >= 0) ::close(fd);
    }
    if (!options.socket_path.empty()) ::unlink(options.socket_path.c_str());
  }

  Status Listen();
  Status ListenUnix();
  Status ListenTcp();
  Status Watch(int fd, std::uint64_t tag, std::uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
      return Status::IOError(Errno("epoll_ctl"));
    return Status::Ok();
  }

  void Wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(wake_fd, &one, sizeof(one));
  }

  void WorkerLoop();
  void Accept(int listener);
  void OnReadable(Connection& c);
  // Takes whole frames out of the decoder and queues them.
  void TakeFrames(Connection& c);
  void Dispatch(Connection& c);
  // Queues bytes and sends what the socket takes now (also: empty bytes
  // to send what is queued when the socket is writable).
  void Send(Connection& c, std::string_view bytes);
  void FailConnection(Connection& c, const Status& status);
  void DrainCompletions();
  void CloseIdle();
  void BeginStop();
  // Closes the socket; the object lives on while a worker holds it.
  void Close(Connection& c);
  // Re-registers what the connection waits for; frees it when it is done.
  void Update(Connection& c);
  void Free(std::uint64_t id);
  bool Drained();
};

Status Server::Impl::Listen() {
  epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return Status::IOError(Errno("epoll_create1"));
  wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) return Status::IOError(Errno("eventfd"));
  LAKE_RETURN_IF_ERROR(Watch(wake_fd, kWakeTag, EPOLLIN));
  signal_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (signal_fd < 0) return Status::IOError(Errno("eventfd"));
  LAKE_RETURN_IF_ERROR(Watch(signal_fd, kSignalTag, EPOLLIN));
  ::signal(SIGPIPE, SIG_IGN);
  signal_wake_fd = signal_fd;
  SetStopHandler(OnStopSignal);
  if (!options.socket_path.empty()) LAKE_RETURN_IF_ERROR(ListenUnix());
  if (options.tcp_port) LAKE_RETURN_IF_ERROR(ListenTcp());
  if (unix_fd < 0 && tcp_fd < 0) return Status::InvalidArgument("nothing to listen on");
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
  return Watch(unix_fd, kUnixListenerTag, EPOLLIN);
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
  return Watch(tcp_fd, kTcpListenerTag, EPOLLIN);
}

void Server::Impl::WorkerLoop() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(task_mutex);
      task_ready.wait(lock, [&] { return workers_exit || !tasks.empty(); });
      if (tasks.empty()) return;
      task = std::move(tasks.front());
      tasks.pop_front();
    }
    Connection& c = *task.connection;
    Result<std::string> reply = handler(c.caller, task.frame);
    const std::string answer =
        reply.ok() ? protocol::EncodeFrame(task.frame.type, task.frame.request_id, *reply)
                   : protocol::EncodeFrame(protocol::kErrorType, task.frame.request_id,
                                           protocol::EncodeStatus(reply.status()));
    {
      // A broken connection shows up in the loop as a hang-up.
      std::lock_guard lock(c.out_mutex);
      c.SendLocked(answer);
    }
    {
      std::lock_guard lock(completion_mutex);
      completions.push_back({c.id, c.caller.close_after_reply});
    }
    Wake();
  }
}

void Server::Impl::Accept(int listener) {
  for (;;) {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    const int fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        Log(LogLevel::kError, Errno("accept"));
      return;
    }
    auto connection = std::make_unique<Connection>(options.max_payload_bytes);
    connection->fd = fd;
    connection->id = next_connection_id++;
    if (address.ss_family == AF_INET) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      char host[INET_ADDRSTRLEN] = {};
      const auto* in = reinterpret_cast<sockaddr_in*>(&address);
      ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
      connection->peer = std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
    } else {
      connection->peer = "unix socket";
    }
    Connection& c = *connection;
    connections.emplace(c.id, std::move(connection));
    ++connection_count;
    if (connections.size() > options.max_connections) {
      c.greeted = true;  // answer in frames even before a hello
      FailConnection(c, Status::Busy("too many connections (limit " +
                                     std::to_string(options.max_connections) + ")"));
    }
    Update(c);
  }
}

void Server::Impl::OnReadable(Connection& c) {
  char buffer[kReadChunk];
  for (;;) {
    const ssize_t got = ::recv(c.fd, buffer, sizeof(buffer), 0);
    if (got == 0) {
      Close(c);
      return;
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) Close(c);
      break;
    }
    c.last_activity = Clock::now();
    std::string_view bytes(buffer, static_cast<std::size_t>(got));
    if (!c.greeted) {
      const std::size_t take = std::min(bytes.size(), protocol::kHelloBytes - c.hello.size());
      c.hello.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (c.hello.size() < protocol::kHelloBytes) continue;
      Result<std::uint16_t> version = protocol::DecodeHello(c.hello);
      if (!version.ok()) {  // not our protocol: no answer at all
        Close(c);
        return;
      }
      c.greeted = true;
      if (*version != protocol::kProtocolVersion) {
        FailConnection(c, Status::InvalidArgument("this server speaks protocol version " +
                                                  std::to_string(protocol::kProtocolVersion) +
                                                  ", not " + std::to_string(*version)));
        return;
      }
      Send(c, protocol::EncodeHello());
    }
    c.decoder.Feed(bytes);
    TakeFrames(c);
    if (c.closing || c.queued.size() >= kMaxQueuedRequests) break;
  }
  Dispatch(c);
}

void Server::Impl::TakeFrames(Connection& c) {
  while (!c.closing) {
    Result<std::optional<protocol::Frame>> next = c.decoder.Next();
    if (!next.ok()) {
      FailConnection(c, next.status());
      return;
    }
    if (!next->has_value()) return;
    c.queued.push_back(std::move(**next));
  }
}

void Server::Impl::Dispatch(Connection& c) {
  if (c.dead || c.at_worker || c.queued.empty() || stopping) return;
  c.at_worker = true;
  {
    std::lock_guard lock(task_mutex);
    tasks.push_back({&c, std::move(c.queued.front())});
  }
  c.queued.pop_front();
  task_ready.notify_one();
}

void Server::Impl::Send(Connection& c, std::string_view bytes) {
  if (c.dead) return;
  bool ok;
  {
    std::lock_guard lock(c.out_mutex);
    ok = c.SendLocked(bytes);
  }
  c.last_activity = Clock::now();
  if (!ok) {
    Close(c);
  } else if (c.closing && !c.at_worker && c.unsent() == 0) {
    Close(c);
  }
}

void Server::Impl::FailConnection(Connection& c, const Status& status) {
  // A stream with a bad frame cannot be resynchronised: answer and close.
  c.queued.clear();
  c.closing = true;
  Send(c, protocol::EncodeFrame(protocol::kErrorType, 0, protocol::EncodeStatus(status)));
}

void Server::Impl::DrainCompletions() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(completion_mutex);
    done.swap(completions);
  }
  for (Completion& completion : done) {
    auto found = connections.find(completion.connection_id);
    if (found == connections.end()) continue;
    Connection& c = *found->second;
    c.at_worker = false;
    c.last_activity = Clock::now();
    if (completion.close_after) {
      c.queued.clear();
      c.closing = true;
    }
    if (!c.dead && c.closing && c.unsent() == 0) Close(c);
    Dispatch(c);
    Update(c);
  }
}

void Server::Impl::CloseIdle() {
  const auto now = Clock::now();
  std::vector<Connection*> idle;
  for (auto& [id, c] : connections) {
    if (!c->dead && !c->at_worker && c->queued.empty() &&
        now - c->last_activity > options.idle_timeout)
      idle.push_back(c.get());
  }
  for (Connection* c : idle) {
    Close(*c);
    Update(*c);
  }
}

void Server::Impl::BeginStop() {
  stopping = true;
  for (int* fd : {&unix_fd, &tcp_fd}) {
    if (*fd < 0) continue;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, *fd, nullptr);
    ::close(*fd);
    *fd = -1;
  }
  if (!options.socket_path.empty()) ::unlink(options.socket_path.c_str());
  // Requests not yet at a worker are dropped unanswered: their clients see
  // the connection close and know they were not done.
  std::vector<Connection*> all;
  for (auto& [id, c] : connections)
    all.push_back(c.get());
  for (Connection* c : all) {
    c->queued.clear();
    c->closing = true;
    if (!c->at_worker && c->unsent() == 0) Close(*c);
    Update(*c);
  }
}

void Server::Impl::Close(Connection& c) {
  if (c.dead) return;
  std::lock_guard lock(c.out_mutex);  // no worker is sending to it meanwhile
  ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  c.fd = -1;
  c.dead = true;
  c.queued.clear();
}

void Server::Impl::Update(Connection& c) {
  if (c.dead) {
    if (!c.at_worker) Free(c.id);
    return;
  }
  const bool read = !c.closing && !stopping && c.queued.size() < kMaxQueuedRequests &&
                    c.unsent() < kMaxBufferedAnswerBytes;
  const std::uint32_t interest = (read ? EPOLLIN : 0u) | (c.unsent() > 0 ? EPOLLOUT : 0u);
  if (interest == c.interest && c.interest != 0) return;
  epoll_event event{};
  event.events = interest;
  event.data.u64 = c.id;
  const int op = c.interest == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (::epoll_ctl(epoll_fd, op, c.fd, &event) != 0 && op == EPOLL_CTL_ADD && errno == EEXIST)
    ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &event);
  // An empty interest set still reports hang-ups; mark it registered.
  c.interest = interest == 0 ? EPOLLHUP : interest;
}

void Server::Impl::Free(std::uint64_t id) {
  if (connections.erase(id) > 0) --connection_count;
}

bool Server::Impl::Drained() {
  for (auto& [id, c] : connections) {
    if (!c->dead && (c->at_worker || c->unsent() > 0)) return false;
    if (c->dead && c->at_worker) return false;
  }
  return true;
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, RequestHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  LAKE_RETURN_IF_ERROR(impl->Listen());
  for (int i = 0; i < std::max(1, impl->options.workers); ++i)
    impl->workers.emplace_back([raw = impl.get()] { raw->WorkerLoop(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

std::optional<std::uint16_t> Server::tcp_port() const {
  return impl_->bound_tcp_port;
}
std::size_t Server::open_connections() const {
  return impl_->connection_count.load();
}

void Server::Stop() {
  impl_->stop_requested = true;
  impl_->Wake();
}

Status Server::Run() {
  Impl& s = *impl_;
  Clock::time_point stop_deadline{};
  epoll_event events[64];
  for (;;) {
    if (s.stop_requested && !s.stopping) {
      s.BeginStop();
      stop_deadline = Clock::now() + s.options.stop_grace;
    }
    if (s.stopping && (s.Drained() || Clock::now() > stop_deadline)) break;
    const int ready = ::epoll_wait(s.epoll_fd, events, 64, 200);
    if (ready < 0 && errno != EINTR) return Status::IOError(Errno("epoll_wait"));
    for (int i = 0; i < std::max(ready, 0); ++i) {
      const std::uint64_t tag = events[i].data.u64;
      if (tag == kUnixListenerTag || tag == kTcpListenerTag) {
        const int listener = tag == kUnixListenerTag ? s.unix_fd : s.tcp_fd;
        if (listener >= 0) s.Accept(listener);
      } else if (tag == kWakeTag) {
        std::uint64_t count;
        [[maybe_unused]] const ssize_t got = ::read(s.wake_fd, &count, sizeof(count));
      } else if (tag == kSignalTag) {
        std::uint64_t count;
        if (::read(s.signal_fd, &count, sizeof(count)) == sizeof(count)) {
          Log(LogLevel::kInfo, std::string(strsignal(received_signal.load())) +
                                   ": stopping (finishing requests in flight)");
          s.stop_requested = true;
        }
      } else if (auto found = s.connections.find(tag); found != s.connections.end()) {
        Connection& c = *found->second;
        if (!c.dead && (events[i].events & EPOLLOUT)) s.Send(c, {});
        if (!c.dead && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
          if (c.closing || s.stopping) {
            if (events[i].events & (EPOLLHUP | EPOLLERR)) s.Close(c);
          } else {
            s.OnReadable(c);
          }
        }
        s.Update(c);
      }
    }
    s.DrainCompletions();
    s.CloseIdle();
  }
  return Status::Ok();
}

}  // namespace lake::server
