// Who may connect: the admin token (made with the data directory, kept in
// `<dir>/admin.token`, mode 0600) and tenant tokens, each bound to one
// tenant id, created and revoked by the admin and kept in the catalog.
// Tokens are as secret as the data directory itself (mode 0700).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "storage/store.h"

namespace lake::server {

struct Identity {
  bool admin = false;
  std::int64_t tenant = 0;
};

class TokenStore {
 public:
  // Reads the admin token (writing a new one when the directory has none)
  // and the tenant tokens.
  static Result<std::unique_ptr<TokenStore>> Open(storage::Store* store,
                                                  const std::string& data_dir);

  std::optional<Identity> Authenticate(std::string_view token) const;
  Result<std::string> Create(std::int64_t tenant);
  // Whether the token existed (it no longer authenticates either way).
  Result<bool> Revoke(std::string_view token);
  std::size_t tenant_tokens() const;

  static std::string AdminTokenPath(const std::string& data_dir);

 private:
  explicit TokenStore(storage::Store* store) : store_(store) {}

  storage::Store* store_;
  std::string admin_token_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::int64_t> tenants_by_token_;
};

// A new random token ("lake_" and 40 hex digits from the kernel's CSPRNG).
Result<std::string> NewToken();

}  // namespace lake::server
