#include "protocol/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace lake::protocol {

namespace {

std::string Describe(const ClientOptions& o) {
  return o.socket_path.empty() ? o.host + ":" + std::to_string(o.port) : o.socket_path;
}

// How often a wait asks whether its caller was interrupted.
constexpr std::chrono::milliseconds kInterruptCheck{50};

// Waits until `fd` is ready for one of `events`: the ready ones, 0 on
// timeout, kCancelled when `interrupted` says so.
Result<short> WaitFor(int fd, short events, std::chrono::milliseconds timeout,
                      const std::function<bool()>& interrupted = {}) {
  pollfd p{fd, events, 0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (interrupted && interrupted()) return Status::Cancelled("the request was cancelled");
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return static_cast<short>(0);
    const auto slice = interrupted ? std::min(left, kInterruptCheck) : left;
    const int ready = ::poll(&p, 1, static_cast<int>(slice.count()));
    if (ready > 0) return p.revents;
    if (ready < 0 && errno != EINTR)
      return Status::Unavailable(std::string("poll: ") + std::strerror(errno));
  }
}

Result<int> OpenSocket(const ClientOptions& o) {
  sockaddr_storage address{};
  socklen_t length = 0;
  int family = AF_UNIX;
  if (!o.socket_path.empty()) {
    auto* un = reinterpret_cast<sockaddr_un*>(&address);
    if (o.socket_path.size() >= sizeof(un->sun_path))
      return Status::InvalidArgument("socket path too long: " + o.socket_path);
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, o.socket_path.c_str(), o.socket_path.size() + 1);
    length = sizeof(sockaddr_un);
  } else {
    family = AF_INET;
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    in->sin_family = AF_INET;
    in->sin_port = htons(o.port);
    if (::inet_pton(AF_INET, o.host.c_str(), &in->sin_addr) != 1)
      return Status::InvalidArgument("not an IPv4 address: " + o.host);
    length = sizeof(sockaddr_in);
  }
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::Unavailable(std::string("socket: ") + std::strerror(errno));
  if (family == AF_INET) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 && errno != EINPROGRESS) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Status::Unavailable("cannot connect to lake-server at " + Describe(o) + ": " + why);
  }
  auto ready = WaitFor(fd, POLLOUT, o.connect_timeout);
  int error = 0;
  socklen_t error_length = sizeof(error);
  if (ready.ok() && *ready != 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length);
  if (!ready.ok() || *ready == 0 || error != 0) {
    ::close(fd);
    return Status::Unavailable("cannot connect to lake-server at " + Describe(o) + ": " +
                               (!ready.ok()  ? ready.status().message()
                                : error != 0 ? std::string(std::strerror(error))
                                             : std::string("timed out")));
  }
  return fd;
}

}  // namespace

Client::Client(int fd, const ClientOptions& options)
    : fd_(fd), options_(options), decoder_(options.max_payload_bytes) {}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Client>> Client::Connect(const ClientOptions& options) {
  LAKE_ASSIGN_OR_RETURN(const int fd, OpenSocket(options));
  std::unique_ptr<Client> client(new Client(fd, options));
  LAKE_RETURN_IF_ERROR(client->SendAll(EncodeHello()));
  std::string hello;
  while (hello.size() < kHelloBytes) {
    LAKE_ASSIGN_OR_RETURN(const short ready, WaitFor(client->fd_, POLLIN, options.connect_timeout));
    if (ready == 0)
      return client->Fail(Status::Unavailable("lake-server did not answer the hello"));
    char byte;
    const ssize_t got = ::recv(client->fd_, &byte, 1, 0);
    if (got == 0) return client->Fail(Status::Unavailable("lake-server closed the connection"));
    if (got < 0 && errno != EINTR && errno != EAGAIN)
      return client->Fail(Status::Unavailable(std::string("recv: ") + std::strerror(errno)));
    if (got == 1) hello.push_back(byte);
  }
  LAKE_ASSIGN_OR_RETURN(client->server_version_, DecodeHello(hello));
  if (client->server_version_ != kProtocolVersion) {
    return client->Fail(Status::InvalidArgument(
        "lake-server speaks protocol version " + std::to_string(client->server_version_) +
        ", this client " + std::to_string(kProtocolVersion)));
  }
  return client;
}

bool Client::connected() const {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) == 0 || (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) == 0;
}

Status Client::Fail(Status status) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return status;
}

Status Client::SendAll(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // While a long pipeline is sent the server is already answering: take
      // its answers in, or both sides would wait on full buffers.
      auto ready = WaitFor(fd_, POLLOUT | POLLIN, options_.io_timeout, options_.interrupted);
      if (!ready.ok()) return Fail(ready.status());
      if (*ready == 0)
        return Fail(Status::Unavailable("lake-server did not take the request in time"));
      if ((*ready & POLLIN) != 0) {
        if (Status received = Receive(); !received.ok()) return HungUp(received);
      }
      continue;
    }
    return HungUp(
        Status::Unavailable(std::string("lake-server connection lost: ") + std::strerror(errno)));
  }
  return Status::Ok();
}

Status Client::HungUp(Status send_error) {
  // A server that refuses a connection (at its connection limit, or a
  // frame it cannot take) answers with an error frame of request id 0 and
  // closes: a send may fail before that answer is read.
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    decoder_.Feed(std::string_view(buffer, static_cast<std::size_t>(got)));
  }
  for (;;) {
    Result<std::optional<Frame>> next = decoder_.Next();
    if (!next.ok() || !next->has_value()) break;
    if ((*next)->request_id == 0 && (*next)->type == kErrorType) {
      Status said = DecodeStatus((*next)->payload);
      if (!said.ok()) return Fail(said);
    }
  }
  return Fail(send_error);
}

std::optional<std::uint32_t> Client::Budget() const {
  return options_.budget_ms ? options_.budget_ms() : std::nullopt;
}

Status Client::Receive() {
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (got > 0) {
      decoder_.Feed(std::string_view(buffer, static_cast<std::size_t>(got)));
      return Status::Ok();
    }
    if (got == 0) return Fail(Status::Unavailable("lake-server closed the connection"));
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::Ok();
    return Fail(Status::Unavailable(std::string("recv: ") + std::strerror(errno)));
  }
}

Result<Frame> Client::ReadFrame() {
  for (;;) {
    auto next = decoder_.Next();
    if (!next.ok()) return Fail(next.status());
    if (next->has_value()) return std::move(**next);
    auto ready = WaitFor(fd_, POLLIN, options_.io_timeout, options_.interrupted);
    // A cancelled wait leaves an answer in flight: the connection is done.
    if (!ready.ok()) return Fail(ready.status());
    if (*ready == 0) return Fail(Status::Unavailable("lake-server did not answer in time"));
    LAKE_RETURN_IF_ERROR(Receive());
  }
}

Status Client::CheckSize(std::string_view payload) const {
  if (fd_ < 0) return Status::Unavailable("not connected to lake-server");
  const std::size_t budget_bytes = options_.budget_ms ? sizeof(std::uint32_t) : 0;
  if (payload.size() + budget_bytes > options_.max_payload_bytes)
    return Status::InvalidArgument("request of " + std::to_string(payload.size()) +
                                   " bytes is over the frame limit");
  return Status::Ok();
}

Result<std::string> Client::Call(std::uint16_t type, std::string_view payload) {
  LAKE_RETURN_IF_ERROR(CheckSize(payload));
  const std::uint64_t id = next_request_id_++;
  LAKE_RETURN_IF_ERROR(SendAll(EncodeFrame(type, id, payload, Budget())));
  LAKE_ASSIGN_OR_RETURN(auto answers, ReadAnswers(id, 1));
  return std::move(answers.front());
}

Result<std::vector<Result<std::string>>> Client::CallBatch(std::span<const Request> requests) {
  const std::uint64_t first_id = next_request_id_;
  std::string bytes;
  const std::optional<std::uint32_t> budget = Budget();
  for (const Request& r : requests) {
    LAKE_RETURN_IF_ERROR(CheckSize(r.payload));
    bytes += EncodeFrame(r.type, next_request_id_++, r.payload, budget);
  }
  LAKE_RETURN_IF_ERROR(SendAll(bytes));
  return ReadAnswers(first_id, requests.size());
}

Result<std::vector<Result<std::string>>> Client::ReadAnswers(std::uint64_t first_id,
                                                             std::size_t count) {
  std::vector<Result<std::string>> answers;
  for (std::size_t i = 0; i < count; ++i) {
    LAKE_ASSIGN_OR_RETURN(Frame frame, ReadFrame());
    // Id 0: the server gives up on the connection and says why.
    if (frame.request_id == 0 && frame.type == kErrorType) {
      Status said = DecodeStatus(frame.payload);
      return Fail(said.ok() ? Status::Corruption("error frame with status ok") : said);
    }
    if (frame.request_id != first_id + i)
      return Fail(Status::Corruption("lake-server answered request " +
                                     std::to_string(frame.request_id) + ", expected " +
                                     std::to_string(first_id + i)));
    if (frame.type == kErrorType) {
      Status error = DecodeStatus(frame.payload);
      answers.emplace_back(error.ok() ? Status::Corruption("error frame with status ok")
                                      : std::move(error));
    } else {
      answers.emplace_back(std::move(frame.payload));
    }
  }
  return answers;
}

}  // namespace lake::protocol
