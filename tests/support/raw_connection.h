// A raw client connection for tests: bytes and frames no client library
// would send (partial frames, bad headers, silence), over a Unix socket.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "protocol/frame.h"

namespace lake::testing {

// A raw connection for frames no client library would send.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    timeval receive_timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof(receive_timeout));
    timeval send_timeout{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  }
  ~RawConnection() { ::close(fd_); }
  void Send(std::string_view bytes) { ASSERT_EQ(SendUpTo(bytes), bytes.size()); }
  // Sends until done or until the peer has not taken bytes for a second.
  std::size_t SendUpTo(std::string_view bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    return sent;
  }
  // The next frame, or nullopt when the server closed the connection.
  std::optional<protocol::Frame> Next() {
    for (;;) {
      auto frame = decoder_.Next();
      if (!frame.ok()) return std::nullopt;
      if (frame->has_value()) return std::move(**frame);
      char buffer[65536];
      const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (got <= 0) return std::nullopt;
      decoder_.Feed(std::string_view(buffer, static_cast<std::size_t>(got)));
    }
  }
  // The hello exchange; the server's hello back.
  std::string Greet() {
    Send(protocol::EncodeHello());
    std::string hello(protocol::kHelloBytes, '\0');
    std::size_t have = 0;
    while (have < hello.size()) {
      const ssize_t got = ::recv(fd_, hello.data() + have, hello.size() - have, 0);
      if (got <= 0) return "";
      have += static_cast<std::size_t>(got);
    }
    return hello;
  }
  bool Closed() {
    char byte;
    return ::recv(fd_, &byte, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  protocol::FrameDecoder decoder_;
};

}  // namespace lake::testing
