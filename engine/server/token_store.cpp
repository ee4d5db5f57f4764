#include "server/token_store.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>

#include "common/byte_buffer.h"

namespace lake::server {

namespace {

constexpr std::string_view kTokenKeyPrefix = "server/token/";

std::string TokenKey(std::string_view token) {
  return std::string(kTokenKeyPrefix) + std::string(token);
}

Result<std::string> ReadAdminToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("no admin token at " + path);
  std::string token;
  std::getline(in, token);
  if (token.empty()) return Status::Corruption("admin token file " + path + " is empty");
  return token;
}

Status WriteAdminToken(const std::string& path, const std::string& token) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  const std::string line = token + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) return Status::IOError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

Result<std::string> NewToken() {
  unsigned char bytes[20];
  if (::getrandom(bytes, sizeof(bytes), 0) != static_cast<ssize_t>(sizeof(bytes)))
    return Status::IOError(std::string("getrandom: ") + std::strerror(errno));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token = "lake_";
  for (unsigned char byte : bytes) {
    token.push_back(kHex[byte >> 4]);
    token.push_back(kHex[byte & 15]);
  }
  return token;
}

std::string TokenStore::AdminTokenPath(const std::string& data_dir) {
  return data_dir + "/admin.token";
}

Result<std::unique_ptr<TokenStore>> TokenStore::Open(storage::Store* store,
                                                     const std::string& data_dir) {
  std::unique_ptr<TokenStore> tokens(new TokenStore(store));
  const std::string path = AdminTokenPath(data_dir);
  Result<std::string> admin = ReadAdminToken(path);
  if (!admin.ok() && admin.status().code() == StatusCode::kNotFound) {
    LAKE_ASSIGN_OR_RETURN(std::string token, NewToken());
    LAKE_RETURN_IF_ERROR(WriteAdminToken(path, token));
    admin = token;
  }
  if (!admin.ok()) return admin.status();
  tokens->admin_token_ = *admin;
  Status decoded;
  LAKE_RETURN_IF_ERROR(store->ScanPrefix(storage::Family::kCatalog, kTokenKeyPrefix,
                                         [&](std::string_view key, std::string_view value) {
                                           std::int64_t tenant = 0;
                                           ByteReader in(value);
                                           decoded = in.Fixed(&tenant);
                                           if (!decoded.ok()) return false;
                                           tokens->tenants_by_token_.emplace(
                                               key.substr(kTokenKeyPrefix.size()), tenant);
                                           return true;
                                         }));
  if (!decoded.ok()) return Status::Corruption("a stored tenant token: " + decoded.message());
  return tokens;
}

std::optional<Identity> TokenStore::Authenticate(std::string_view token) const {
  if (!token.empty() && token == admin_token_) return Identity{true, 0};
  std::shared_lock lock(mutex_);
  auto found = tenants_by_token_.find(std::string(token));
  if (found == tenants_by_token_.end()) return std::nullopt;
  return Identity{false, found->second};
}

Result<std::string> TokenStore::Create(std::int64_t tenant) {
  LAKE_ASSIGN_OR_RETURN(std::string token, NewToken());
  std::string value;
  ByteWriter(&value).Fixed(tenant);
  std::unique_lock lock(mutex_);
  LAKE_RETURN_IF_ERROR(
      store_->Put(storage::Family::kCatalog, TokenKey(token), value, {.sync = true}));
  tenants_by_token_.emplace(token, tenant);
  return token;
}

Result<bool> TokenStore::Revoke(std::string_view token) {
  std::unique_lock lock(mutex_);
  auto found = tenants_by_token_.find(std::string(token));
  if (found == tenants_by_token_.end()) return false;
  storage::WriteBatch batch;
  batch.Delete(storage::Family::kCatalog, TokenKey(token));
  LAKE_RETURN_IF_ERROR(store_->Write(batch, {.sync = true}));
  tenants_by_token_.erase(found);
  return true;
}

std::size_t TokenStore::tenant_tokens() const {
  std::shared_lock lock(mutex_);
  return tenants_by_token_.size();
}

}  // namespace lake::server
