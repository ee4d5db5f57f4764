// Session and operator requests: authentication, stats, tokens, snapshots,
// checkpoints.
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "server/service.h"

namespace lake::server {

using namespace protocol;

Result<AuthenticateReply> Service::Do(Caller& c, AuthenticateRequest& r) {
  const std::optional<Identity> identity = tokens_->Authenticate(r.token);
  if (!identity) {
    // One try per connection: a client guessing tokens must reconnect.
    c.close_after_reply = true;
    Log(LogLevel::kWarning, "a connection presented an unknown or revoked token");
    return Status::PermissionDenied("unknown or revoked token");
  }
  c.authenticated = true;
  c.admin = identity->admin;
  c.tenant = identity->tenant;
  return AuthenticateReply{c.admin, c.tenant};
}

Result<EmptyReply> Service::Do(Caller&, PingRequest&) {
  return EmptyReply{};
}

Result<TextReply> Service::Do(Caller& c, StatsRequest&) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "stats"));
  using nlohmann::json;
  json stats;
  stats["uptime_s"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  stats["connections"] = server_ != nullptr ? server_->open_connections() : 0;
  stats["tenant_tokens"] = tokens_->tenant_tokens();

  json collections = json::array();
  for (const vectors::CollectionInfo& info : engines_.vectors->ListCollections()) {
    const double rows = static_cast<double>(std::max<std::size_t>(1, info.record_count));
    collections.push_back({{"name", info.spec.name},
                           {"dimension", info.spec.dimension},
                           {"metric", vectors::MetricName(info.spec.metric)},
                           {"index", vectors::IndexKindName(info.spec.index.kind)},
                           {"records", info.record_count},
                           {"table_bytes", info.table_bytes},
                           {"index_bytes", info.index_bytes},
                           {"memory_bytes_per_vector",
                            static_cast<double>(info.table_bytes + info.index_bytes) / rows}});
  }
  stats["collections"] = collections;

  const timeseries::TimeSeriesStats ts = engines_.series->Stats();
  const double points = static_cast<double>(std::max<std::size_t>(1, ts.sealed_points));
  stats["timeseries"] = {{"series", ts.series},
                         {"chunks", ts.chunks},
                         {"sealed_points", ts.sealed_points},
                         {"head_points", ts.head_points},
                         {"chunk_bytes", ts.chunk_bytes},
                         {"chunk_bytes_per_point", static_cast<double>(ts.chunk_bytes) / points}};

  const storage::StoreUsage usage = engines_.store->Usage();
  json sst;
  for (int i = 0; i < storage::kFamilyCount; ++i)
    sst[std::string(storage::FamilyName(static_cast<storage::Family>(i)))] = usage.sst_bytes[i];
  stats["storage"] = {{"sst_bytes", sst},
                      {"memtable_bytes", usage.memtable_bytes},
                      {"block_cache_used_bytes", usage.block_cache_used},
                      {"block_cache_capacity_bytes", usage.block_cache_capacity}};

  json requests = json::array();
  for (const MessageStats& m : stats_.Snapshot()) {
    requests.push_back({{"message", MessageName(m.type)},
                        {"count", m.count},
                        {"errors", m.errors},
                        {"p50_us", m.p50_us},
                        {"p99_us", m.p99_us},
                        {"p999_us", m.p999_us},
                        {"max_us", m.max_us}});
  }
  stats["requests"] = requests;
  return TextReply{stats.dump(2)};
}

Result<TextReply> Service::Do(Caller& c, CreateTokenRequest& r) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "creating tokens"));
  // Tenant 0 is "no tenant" (rows written without one); a token for it, or
  // for a negative id, would be a tenant that is no user.
  if (r.tenant <= 0)
    return Status::InvalidArgument("a tenant token is for a user id above 0, not " +
                                   std::to_string(r.tenant));
  LAKE_ASSIGN_OR_RETURN(std::string token, tokens_->Create(r.tenant));
  Log(LogLevel::kInfo, "created a token for tenant " + std::to_string(r.tenant));
  return TextReply{std::move(token)};
}

Result<CountReply> Service::Do(Caller& c, RevokeTokenRequest& r) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "revoking tokens"));
  LAKE_ASSIGN_OR_RETURN(const bool revoked, tokens_->Revoke(r.token));
  if (revoked) Log(LogLevel::kInfo, "revoked a tenant token");
  return CountReply{revoked ? 1u : 0u};
}

Result<EmptyReply> Service::Do(Caller& c, SnapshotIndexesRequest&) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "snapshotting indexes"));
  LAKE_RETURN_IF_ERROR(engines_.vectors->SnapshotIndexes());
  return EmptyReply{};
}

Result<EmptyReply> Service::Do(Caller& c, CheckpointRequest& r) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "checkpoints"));
  if (r.target_dir.empty() || r.target_dir.front() != '/')
    return Status::InvalidArgument("a checkpoint needs an absolute target directory");
  // Index snapshots first: a restored directory then loads them and replays
  // whatever the database copy holds beyond them.
  LAKE_RETURN_IF_ERROR(engines_.vectors->SnapshotIndexes());
  LAKE_RETURN_IF_ERROR(engines_.store->Checkpoint(r.target_dir));
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path source(engines_.store->dir());
  const fs::path target(r.target_dir);
  if (fs::exists(source / "indexes", error)) {
    fs::copy(source / "indexes", target / "indexes", fs::copy_options::recursive, error);
  }
  if (!error) fs::copy_file(source / "admin.token", target / "admin.token", error);
  if (error) return Status::IOError("checkpoint to " + r.target_dir + ": " + error.message());
  Log(LogLevel::kInfo, "checkpoint written to " + r.target_dir);
  return EmptyReply{};
}

Result<EmptyReply> Service::Do(Caller& c, FlushRequest&) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "flushing"));
  LAKE_RETURN_IF_ERROR(engines_.series->Flush());
  return EmptyReply{};
}

}  // namespace lake::server
