#include "launcher/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace lake::launcher {

ServerProcess::ServerProcess(std::string binary, std::string data_dir,
                             std::vector<std::string> extra_args)
    : binary_(std::move(binary)),
      data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      log_path_(data_dir_ + ".log") {
  for (std::size_t i = 0; i + 1 < extra_args_.size(); ++i) {
    if (extra_args_[i] == "--socket") socket_path_ = extra_args_[i + 1];
  }
  if (socket_path_.empty()) socket_path_ = data_dir_ + "/lake.sock";
}

ServerProcess::~ServerProcess() {
  if (running()) Kill();
}

bool ServerProcess::Start(std::chrono::seconds wait) {
  std::vector<std::string> args = {binary_, "--data-dir", data_dir_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (std::string& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (!admin_token().empty() && protocol::Session::Open(client_options(), admin_token()).ok())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int ServerProcess::Wait() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ServerProcess::Stop() {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  return Wait();
}

void ServerProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  Wait();
}

std::string ServerProcess::admin_token() const {
  std::ifstream in(data_dir_ + "/admin.token");
  std::string token;
  std::getline(in, token);
  return token;
}

std::string ServerProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

protocol::ClientOptions ServerProcess::client_options() const {
  protocol::ClientOptions options;
  options.socket_path = socket_path();
  options.io_timeout = std::chrono::seconds(60);
  return options;
}

Result<std::unique_ptr<protocol::Session>> ServerProcess::Connect(const std::string& token) const {
  return protocol::Session::Open(client_options(), token.empty() ? admin_token() : token);
}

}  // namespace lake::launcher
