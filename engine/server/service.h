// The lake's operations behind the protocol: decodes a request, checks that
// the caller may make it, runs it on the engines and encodes the reply.
//
// Scoping: an admin caller may do everything. A tenant caller reaches only
// its own tenant's rows, whatever a request names: its writes are stamped
// with its tenant, its searches and bucket queries filtered by it, and a
// series or record of another tenant is "unknown" to it, with the same
// message as one that does not exist. Catalog changes, index and retention
// administration, tokens and stats are for admins.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "protocol/frame.h"
#include "protocol/messages.h"
#include "server/request_stats.h"
#include "server/server.h"
#include "server/token_store.h"
#include "storage/store.h"
#include "timeseries/timeseries_engine.h"
#include "vectors/vector_engine.h"

namespace lake::server {

struct Engines {
  storage::Store* store = nullptr;
  vectors::VectorEngine* vectors = nullptr;
  timeseries::TimeSeriesEngine* series = nullptr;
};

class Service {
 public:
  Service(Engines engines, TokenStore* tokens) : engines_(engines), tokens_(tokens) {}
  // The server whose connections the stats count.
  void AttachServer(const Server* server) { server_ = server; }

  // The RequestHandler of the server.
  Result<std::string> Handle(Caller& caller, const protocol::Frame& request);
  // Applies the transactions that were committed but not yet wholly applied
  // when the server last stopped; before serving. The count applied.
  Result<std::size_t> RecoverTransactions();

  // The most a transaction may stage (payload bytes).
  static constexpr std::size_t kMaxTransactionBytes = std::size_t{2} << 30;

 private:
  template <typename Request>
  Result<std::string> Serve(Caller& caller, std::string_view payload);
  // Any request but authenticate, applied now.
  Result<std::string> Dispatch(Caller& caller, protocol::MessageType type,
                               std::string_view payload);
  // In a transaction: writes are checked and kept (service_transactions.cpp).
  static bool IsStagedWrite(protocol::MessageType type);
  Result<std::string> Stage(Caller& caller, protocol::MessageType type, std::string_view payload);
  // What applying a staged write would refuse, without applying it.
  Status Check(const Caller& c, const protocol::UpsertRequest& r) const;
  // ON CONFLICT DO NOTHING: drops the records that exist (any tenant's) or
  // repeat an earlier one of the request.
  Status KeepOnlyNew(protocol::UpsertRequest& r) const;
  Status Check(const Caller& c, const protocol::DeleteRequest& r) const;
  Status Check(const Caller& c, const protocol::DeleteMatchingRequest& r) const;
  Status Check(const Caller& c, const protocol::UpdateMetadataRequest& r) const;
  Status Check(const Caller& c, const protocol::WritePointsRequest& r) const;
  Status Check(const Caller& c, const protocol::WriteTextsRequest& r) const;
  Status Check(const Caller& c, const protocol::DeleteRangeRequest& r) const;
  // The check of a staged write; the reply it gets while staged.
  Result<std::string> CheckStaged(const Caller& c, const StagedWrite& write) const;
  // Applies the writes in order as `as`; the first failure, after trying all.
  Status ApplyStaged(const Caller& as, const std::vector<StagedWrite>& writes,
                     std::size_t* applied);
  // Writes one engine call applies atomically together (upserts into one
  // collection; point writes), applied so; nullopt for any others.
  std::optional<Status> ApplyTogether(const Caller& as, const std::vector<StagedWrite>& writes);
  // The connection's open transaction, taken off it (commit and prepare):
  // its writes, id and owner; `open` keeps it pending to
  // transaction_status while held.
  struct EndedTransaction {
    std::vector<StagedWrite> writes;
    std::uint64_t id = 0;
    std::shared_ptr<void> open;
    Caller as;
  };
  Result<EndedTransaction> EndTransaction(Caller& c);
  // Applies transaction `id`'s writes as `as`, all or none, with commit_mutex_
  // held; `record` (what must change with the commit, e.g. a prepared
  // transaction's removal) gets the commit's record and is written in the
  // same atomic batch as the writes or their intent.
  Result<protocol::CountReply> CommitLocked(Caller as, std::uint64_t id,
                                            const std::vector<StagedWrite>& writes,
                                            storage::WriteBatch& record);
  static std::optional<std::int64_t> ScopeOf(const Caller& c) {
    return c.admin ? std::nullopt : std::optional<std::int64_t>(c.tenant);
  }
  // Narrows a filter's tenant to a tenant caller's own. False when the
  // filter names another tenant: the request then matches nothing (rather
  // than the caller's own rows).
  static bool ScopeFilter(const Caller& c, std::optional<std::int64_t>* tenant) {
    if (c.admin) return true;
    if (tenant->has_value() && **tenant != c.tenant) return false;
    *tenant = c.tenant;
    return true;
  }

  // One per request; defined in service_admin.cpp, service_vectors.cpp and
  // service_series.cpp.
  Result<protocol::AuthenticateReply> Do(Caller& c, protocol::AuthenticateRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::PingRequest& r);
  Result<protocol::TextReply> Do(Caller& c, protocol::StatsRequest& r);
  Result<protocol::TextReply> Do(Caller& c, protocol::CreateTokenRequest& r);
  Result<protocol::CountReply> Do(Caller& c, protocol::RevokeTokenRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::SnapshotIndexesRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::CheckpointRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::FlushRequest& r);

  Result<protocol::EmptyReply> Do(Caller& c, protocol::CreateCollectionRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::DropCollectionRequest& r);
  Result<protocol::CollectionsReply> Do(Caller& c, protocol::ListCollectionsRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::RebuildIndexRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::SetActiveVersionRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::UpsertRequest& r);
  Result<protocol::RecordsReply> Do(Caller& c, protocol::GetRequest& r);
  Result<protocol::CountReply> Do(Caller& c, protocol::DeleteRequest& r);
  Result<protocol::SearchReply> Do(Caller& c, protocol::SearchRequest& r);
  Result<protocol::RecordsReply> Do(Caller& c, protocol::ScanRecordsRequest& r);
  Result<protocol::CountReply> Do(Caller& c, protocol::DeleteMatchingRequest& r);
  Result<protocol::CountReply> Do(Caller& c, protocol::UpdateMetadataRequest& r);

  Result<protocol::SeriesIdsReply> Do(Caller& c, protocol::EnsureSeriesRequest& r);
  Result<protocol::SeriesInfosReply> Do(Caller& c, protocol::FindSeriesRequest& r);
  Result<protocol::SeriesInfosReply> Do(Caller& c, protocol::DescribeSeriesRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::WritePointsRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::WriteTextsRequest& r);
  Result<protocol::ScanReply> Do(Caller& c, protocol::ScanRequest& r);
  Result<protocol::BucketsReply> Do(Caller& c, protocol::TimeBucketRequest& r);
  Result<protocol::LastPointsReply> Do(Caller& c, protocol::LastPointRequest& r);
  Result<protocol::PointEstimateReply> Do(Caller& c, protocol::EstimatePointsRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::DeleteRangeRequest& r);
  Result<protocol::RetentionReply> Do(Caller& c, protocol::GetRetentionRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::SetRetentionRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::ApplyRetentionRequest& r);

  Result<protocol::TransactionReply> Do(Caller& c, protocol::BeginTransactionRequest& r);
  Result<protocol::CountReply> Do(Caller& c, protocol::CommitTransactionRequest& r);
  Result<protocol::EmptyReply> Do(Caller& c, protocol::AbortTransactionRequest& r);
  Result<protocol::TransactionReply> Do(Caller& c, protocol::PrepareTransactionRequest& r);
  Result<protocol::CountReply> Do(Caller& c, protocol::ResolvePreparedRequest& r);
  Result<protocol::PreparedReply> Do(Caller& c, protocol::ListPreparedRequest& r);
  Result<protocol::TransactionStatusReply> Do(Caller& c, protocol::TransactionStatusRequest& r);

  static Status RequireAdmin(const Caller& caller, std::string_view what);
  Result<protocol::CountReply> NothingMatches(const std::string& collection) const;
  // For a tenant caller: fails with "unknown series N" unless every series
  // is the caller's.
  Status CheckSeries(const Caller& caller, std::span<const std::uint64_t> series) const;
  // The same for the series a batch of points writes.
  Status CheckSeries(const Caller& caller, std::span<const timeseries::SeriesPoints> batch) const;
  // A write_points request as the engine's batch (views of its columns).
  static std::vector<timeseries::SeriesPoints> PointsOf(const protocol::WritePointsRequest& r);

  Engines engines_;
  TokenStore* tokens_;
  const Server* server_ = nullptr;
  RequestStats stats_;
  // Commits one at a time.
  std::mutex commit_mutex_;
  // Transaction ids: microseconds since the epoch, made unique.
  std::atomic<std::uint64_t> last_transaction_id_{0};
  std::uint64_t commits_ = 0;  // under commit_mutex_
  // The transactions open on some connection, and whose they are.
  struct OpenTransactions {
    std::mutex mutex;
    std::map<std::uint64_t, std::pair<bool, std::int64_t>> owners;  // admin, tenant
  };
  std::shared_ptr<OpenTransactions> open_transactions_ = std::make_shared<OpenTransactions>();
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace lake::server
