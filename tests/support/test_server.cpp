#include "support/test_server.h"

#include <gtest/gtest.h>

namespace lake::testing {

std::unique_ptr<protocol::Session> TestServer::Connect(const std::string& token) const {
  auto session = ServerProcess::Connect(token);
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return session.ok() ? std::move(*session) : nullptr;
}

}  // namespace lake::testing
