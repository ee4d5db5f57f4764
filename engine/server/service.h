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

#include <chrono>
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

 private:
  template <typename Request>
  Result<std::string> Serve(Caller& caller, std::string_view payload);

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

  static Status RequireAdmin(const Caller& caller, std::string_view what);
  // For a tenant caller: fails with "unknown series N" unless every series
  // is the caller's.
  Status CheckSeries(const Caller& caller, std::span<const std::uint64_t> series) const;

  Engines engines_;
  TokenStore* tokens_;
  const Server* server_ = nullptr;
  RequestStats stats_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace lake::server
