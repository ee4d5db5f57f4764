// A lake-server child process for tests and benches: started on a data
// directory, waited for until it answers, stopped with SIGTERM or killed
// with SIGKILL, restarted on the same directory. Fork before starting
// threads of your own (or opening RocksDB) in the calling process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "protocol/session.h"

namespace lake::launcher {

class ServerProcess {
 public:
  ServerProcess(std::string binary, std::string data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();  // kills a server still running

  // Starts the server and waits (up to `wait`) until its admin token
  // authenticates; false if it exited or never answered.
  bool Start(std::chrono::seconds wait = std::chrono::seconds(60));
  // SIGTERM and wait: the exit status (0 after a clean stop).
  int Stop();
  // SIGKILL and reap.
  void Kill();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  const std::string& socket_path() const { return socket_path_; }
  std::string admin_token() const;
  std::string log() const;  // everything the server printed
  protocol::ClientOptions client_options() const;
  // A session with `token` (the admin's when empty).
  Result<std::unique_ptr<protocol::Session>> Connect(const std::string& token = "") const;

 private:
  int Wait();
  std::string binary_;
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::string log_path_;
  std::string socket_path_;  // --socket among the extra arguments, or DIR/lake.sock
  pid_t pid_ = -1;
};

}  // namespace lake::launcher
