// A lake-server child process whose Connect fails the running test instead
// of returning an error.
#pragma once

#include <memory>
#include <string>

#include "launcher/server_process.h"

namespace lake::testing {

class TestServer : public launcher::ServerProcess {
 public:
  using ServerProcess::ServerProcess;
  std::unique_ptr<protocol::Session> Connect(const std::string& token = "") const;
};

}  // namespace lake::testing
