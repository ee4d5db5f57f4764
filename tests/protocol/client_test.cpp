// The client library against a stand-in server on a Unix socket: calls and
// pipelined batches, typed errors, a server that dies or stalls, a wrong
// version, nothing listening.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "protocol/client.h"
#include "support/temp_dir.h"

namespace lake::protocol {
namespace {

constexpr std::uint16_t kReverse = 1;  // answers the payload reversed
constexpr std::uint16_t kFail = 2;     // answers an error
constexpr std::uint16_t kHangUp = 3;   // closes the connection

// Serves one connection: hello (with `version`), then frames until kHangUp
// or the client goes; `stall` makes it never answer the hello.
class StandInServer {
 public:
  StandInServer(const std::string& path, std::uint16_t version, bool stall) : path_(path) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    thread_ = std::thread([this, version, stall] { Serve(version, stall); });
  }
  ~StandInServer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }

 private:
  void Serve(std::uint16_t version, bool stall) {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    char hello[kHelloBytes];
    if (::recv(fd, hello, sizeof(hello), MSG_WAITALL) == sizeof(hello) && !stall) {
      const std::string answer = EncodeHello(version);
      (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      FrameDecoder decoder;
      char buffer[4096];
      for (bool open = true; open;) {
        const ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
        if (got <= 0) break;
        decoder.Feed(std::string_view(buffer, static_cast<std::size_t>(got)));
        for (auto next = decoder.Next(); open && next.ok() && next->has_value();
             next = decoder.Next()) {
          const Frame& f = **next;
          std::string reply;
          if (f.type == kReverse) {
            reply = EncodeFrame(kReverse, f.request_id,
                                std::string(f.payload.rbegin(), f.payload.rend()));
          } else if (f.type == kFail) {
            reply = EncodeFrame(kErrorType, f.request_id,
                                EncodeStatus(Status::NotFound("unknown collection 'x'")));
          } else {
            open = false;
            break;
          }
          (void)::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
        }
      }
    } else if (stall) {
      // Never answers; the client's timeout must end the wait.
      char byte;
      (void)::recv(fd, &byte, 1, 0);
    }
    ::close(fd);
  }

  std::string path_;
  int listener_;
  std::thread thread_;
};

ClientOptions OptionsFor(const std::string& path) {
  ClientOptions options;
  options.socket_path = path;
  options.connect_timeout = std::chrono::milliseconds(300);
  options.io_timeout = std::chrono::milliseconds(2000);
  return options;
}

TEST(Client, CallsAndPipelinedBatchesComeBackInOrder) {
  lake::testing::TempDir dir;
  StandInServer server(dir.Sub("lake.sock"), kProtocolVersion, false);
  auto client = Client::Connect(OptionsFor(dir.Sub("lake.sock")));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto answer = (*client)->Call(kReverse, "abc");
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(*answer, "cba");
  std::vector<Request> batch;
  for (int i = 0; i < 200; ++i)
    batch.push_back({kReverse, std::string(i * 50, char('a' + i % 26))});
  batch[7].type = kFail;
  auto answers = (*client)->CallBatch(batch);
  ASSERT_TRUE(answers.ok()) << answers.status().ToString();
  ASSERT_EQ(answers->size(), batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i == 7) {
      EXPECT_EQ((*answers)[i].status().code(), StatusCode::kNotFound);
      EXPECT_EQ((*answers)[i].status().message(), "unknown collection 'x'");
    } else {
      ASSERT_TRUE((*answers)[i].ok());
      EXPECT_EQ((*answers)[i]->size(), batch[i].payload.size());
    }
  }
  EXPECT_TRUE((*client)->connected());
}

TEST(Client, ADeadServerIsACleanErrorAndStaysOne) {
  lake::testing::TempDir dir;
  StandInServer server(dir.Sub("lake.sock"), kProtocolVersion, false);
  auto client = Client::Connect(OptionsFor(dir.Sub("lake.sock")));
  ASSERT_TRUE(client.ok());
  auto answer = (*client)->Call(kHangUp, "");
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(answer.status().message().find("closed the connection"), std::string::npos);
  EXPECT_FALSE((*client)->connected());
  EXPECT_EQ((*client)->Call(kReverse, "x").status().code(), StatusCode::kUnavailable);
}

TEST(Client, NothingListeningNamesTheSocket) {
  lake::testing::TempDir dir;
  auto client = Client::Connect(OptionsFor(dir.Sub("missing.sock")));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(client.status().message().find("missing.sock"), std::string::npos);
}

TEST(Client, AServerThatNeverAnswersTimesOut) {
  lake::testing::TempDir dir;
  StandInServer server(dir.Sub("lake.sock"), kProtocolVersion, true);
  const auto started = std::chrono::steady_clock::now();
  auto client = Client::Connect(OptionsFor(dir.Sub("lake.sock")));
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("did not answer"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(Client, AnotherProtocolVersionIsRefused) {
  lake::testing::TempDir dir;
  StandInServer server(dir.Sub("lake.sock"), kProtocolVersion + 1, false);
  auto client = Client::Connect(OptionsFor(dir.Sub("lake.sock")));
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("protocol version 2"), std::string::npos);
}

}  // namespace
}  // namespace lake::protocol
