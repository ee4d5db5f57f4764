// The message catalogue of lake's protocol (docs/protocol.md): one request
// struct per operation, each naming its type and its reply, with a binary
// codec shared by lake-server and every client. Bulk data travels packed
// (float32 × dimension per vector, a timestamp array then a value array per
// series); decoding checks every count against the bytes that remain, so a
// malformed payload is an error, never a large allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "timeseries/timeseries_types.h"
#include "vectors/collection_spec.h"
#include "vectors/vector_record.h"
#include "vectors/vector_types.h"

namespace lake::protocol {

enum class MessageType : std::uint16_t {
  // Session and operations.
  kAuthenticate = 1,
  kPing = 2,
  kStats = 3,
  kCreateToken = 4,
  kRevokeToken = 5,
  kSnapshotIndexes = 6,
  kCheckpoint = 7,
  kFlush = 8,
  // Vectors.
  kCreateCollection = 20,
  kDropCollection = 21,
  kListCollections = 22,
  kRebuildIndex = 23,
  kSetActiveVersion = 24,
  kUpsert = 25,
  kGet = 26,
  kDelete = 27,
  kSearch = 28,
  kScanRecords = 29,
  kDeleteMatching = 30,
  kUpdateMetadata = 31,
  // Time series.
  kEnsureSeries = 40,
  kFindSeries = 41,
  kDescribeSeries = 42,
  kWritePoints = 43,
  kWriteTexts = 44,
  kScan = 45,
  kTimeBucket = 46,
  kLastPoint = 47,
  kDeleteRange = 48,
  kGetRetention = 49,
  kSetRetention = 50,
  kApplyRetention = 51,
  kEstimatePoints = 52,

  kBeginTransaction = 60,
  kCommitTransaction = 61,
  kAbortTransaction = 62,
  kTransactionStatus = 63,
  kPrepareTransaction = 64,
  kResolvePrepared = 65,
  kListPrepared = 66,
};

// "search", "write_points", ...; "unknown" for a number not in the list.
std::string_view MessageName(std::uint16_t type);
// Whether `type` names a message of this version.
bool IsKnownMessage(std::uint16_t type);

// Replies.
struct EmptyReply {};
struct CountReply {
  std::uint64_t count = 0;
};
struct TextReply {
  std::string text;
};
struct AuthenticateReply {
  bool admin = false;
  std::int64_t tenant = 0;  // the tenant a tenant token is bound to
};
struct CollectionsReply {
  std::vector<vectors::CollectionInfo> collections;
};
struct RecordsReply {
  std::vector<vectors::VectorRecord> records;
};
struct SearchReply {
  std::vector<std::vector<vectors::Neighbor>> results;  // one list per query
};
struct SeriesIdsReply {
  std::vector<std::uint64_t> ids;
};
struct SeriesInfosReply {
  std::vector<timeseries::SeriesInfo> series;
};
struct ScanReply {
  std::vector<timeseries::SeriesScan> series;
};
struct BucketsReply {
  std::vector<timeseries::BucketRow> rows;
};
struct PointEstimateReply {
  timeseries::PointEstimate estimate;
};
struct LastPointsReply {
  std::vector<std::optional<timeseries::Point>> points;  // one per asked series
};
struct RetentionReply {
  timeseries::RetentionSettings settings;
};
struct TransactionReply {
  std::uint64_t id = 0;  // for transaction_status, should the commit's answer be lost
};
enum class TransactionState : std::uint8_t {
  kAborted = 0,    // dropped, or never the caller's: nothing of it was applied
  kPending = 1,    // still open on its connection, or committing
  kCommitted = 2,  // applied, all of it
};
struct TransactionStatusReply {
  TransactionState state = TransactionState::kAborted;
};
// A transaction prepared for its coordinator (PostgreSQL), undecided.
struct PreparedTransaction {
  std::uint64_t id = 0;
  std::uint64_t coordinator_xid = 0;
};
struct PreparedReply {
  std::vector<PreparedTransaction> transactions;
};

// Requests. A tenant connection's requests are scoped to its tenant by the
// server, whatever tenant a request names.
struct AuthenticateRequest {
  static constexpr MessageType kType = MessageType::kAuthenticate;
  using Reply = AuthenticateReply;
  std::string token;
};
struct PingRequest {
  static constexpr MessageType kType = MessageType::kPing;
  using Reply = EmptyReply;
};
// Admin: counters, sizes and latency percentiles as a JSON document.
struct StatsRequest {
  static constexpr MessageType kType = MessageType::kStats;
  using Reply = TextReply;
};
// Admin: a new token bound to `tenant`.
struct CreateTokenRequest {
  static constexpr MessageType kType = MessageType::kCreateToken;
  using Reply = TextReply;
  std::int64_t tenant = 0;
};
// Admin: revokes one tenant token; the count is 0 or 1.
struct RevokeTokenRequest {
  static constexpr MessageType kType = MessageType::kRevokeToken;
  using Reply = CountReply;
  std::string token;
};
struct SnapshotIndexesRequest {
  static constexpr MessageType kType = MessageType::kSnapshotIndexes;
  using Reply = EmptyReply;
};
// Admin: a consistent copy of the running server's data directory in
// `target_dir` (a new directory the server can write), openable by
// lake-server --data-dir.
struct CheckpointRequest {
  static constexpr MessageType kType = MessageType::kCheckpoint;
  using Reply = EmptyReply;
  std::string target_dir;
};
// Admin: seals every time-series head into chunks.
struct FlushRequest {
  static constexpr MessageType kType = MessageType::kFlush;
  using Reply = EmptyReply;
};

struct CreateCollectionRequest {
  static constexpr MessageType kType = MessageType::kCreateCollection;
  using Reply = EmptyReply;
  vectors::CollectionSpec spec;
};
struct DropCollectionRequest {
  static constexpr MessageType kType = MessageType::kDropCollection;
  using Reply = EmptyReply;
  std::string name;
};
// Every collection, or the one named. A tenant sees its own row count only.
struct ListCollectionsRequest {
  static constexpr MessageType kType = MessageType::kListCollections;
  using Reply = CollectionsReply;
  std::string name;
};
struct RebuildIndexRequest {
  static constexpr MessageType kType = MessageType::kRebuildIndex;
  using Reply = EmptyReply;
  std::string name;
  vectors::IndexSettings settings;
};
struct SetActiveVersionRequest {
  static constexpr MessageType kType = MessageType::kSetActiveVersion;
  using Reply = EmptyReply;
  std::string name;
  std::int32_t version = 0;
};
struct UpsertRequest {
  static constexpr MessageType kType = MessageType::kUpsert;
  using Reply = EmptyReply;
  std::string collection;
  std::vector<vectors::VectorRecord> records;
  // INSERT ... ON CONFLICT DO NOTHING: a record whose id (and model
  // version) exists, or came earlier in the request, is skipped, decided
  // when the write is applied.
  bool keep_existing = false;
};
// The records found, in the order asked.
struct GetRequest {
  static constexpr MessageType kType = MessageType::kGet;
  using Reply = RecordsReply;
  std::string collection;
  std::int32_t model_version = 0;
  std::vector<std::int64_t> ids;
};
struct DeleteRequest {
  static constexpr MessageType kType = MessageType::kDelete;
  using Reply = CountReply;
  std::string collection;
  std::optional<std::int32_t> model_version;
  std::vector<std::int64_t> ids;
};
// One or many queries (whole vectors back to back) with one filter.
struct SearchRequest {
  static constexpr MessageType kType = MessageType::kSearch;
  using Reply = SearchReply;
  std::string collection;
  vectors::SearchRequest options;  // options.dimension: of each query
  std::vector<float> queries;
};

// A page of records in (id, model version) order (vectors::RecordScan).
struct ScanRecordsRequest {
  static constexpr MessageType kType = MessageType::kScanRecords;
  using Reply = RecordsReply;
  std::string collection;
  vectors::RecordScan scan;
};

// Deletes the records a scan selects (its tenant, model version and ids;
// after and limit are ignored): the count deleted.
struct DeleteMatchingRequest {
  static constexpr MessageType kType = MessageType::kDeleteMatching;
  using Reply = CountReply;
  std::string collection;
  vectors::RecordScan matching;
};
// Gives the records a scan selects this metadata: the count changed.
struct UpdateMetadataRequest {
  static constexpr MessageType kType = MessageType::kUpdateMetadata;
  using Reply = CountReply;
  std::string collection;
  vectors::RecordScan matching;
  std::string metadata_json;
};

struct EnsureSeriesRequest {
  static constexpr MessageType kType = MessageType::kEnsureSeries;
  using Reply = SeriesIdsReply;
  std::vector<timeseries::SeriesKey> keys;
};
struct FindSeriesRequest {
  static constexpr MessageType kType = MessageType::kFindSeries;
  using Reply = SeriesInfosReply;
  timeseries::SeriesFilter filter;
};
struct DescribeSeriesRequest {
  static constexpr MessageType kType = MessageType::kDescribeSeries;
  using Reply = SeriesInfosReply;
  std::vector<std::uint64_t> ids;
};
// Points for one series (the owning form of timeseries::SeriesPoints).
struct PointColumns {
  std::uint64_t series = 0;
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};
struct WritePointsRequest {
  static constexpr MessageType kType = MessageType::kWritePoints;
  using Reply = EmptyReply;
  std::vector<PointColumns> batch;
};
struct TextColumns {
  std::uint64_t series = 0;
  std::vector<std::int64_t> timestamps;
  std::vector<std::string> texts;
};
struct WriteTextsRequest {
  static constexpr MessageType kType = MessageType::kWriteTexts;
  using Reply = EmptyReply;
  std::vector<TextColumns> batch;
};
struct ScanRequest {
  static constexpr MessageType kType = MessageType::kScan;
  using Reply = ScanReply;
  std::vector<std::uint64_t> series;
  std::int64_t start = 0;
  std::int64_t end = 0;
};
struct TimeBucketRequest {
  static constexpr MessageType kType = MessageType::kTimeBucket;
  using Reply = BucketsReply;
  timeseries::BucketQuery query;
};
struct LastPointRequest {
  static constexpr MessageType kType = MessageType::kLastPoint;
  using Reply = LastPointsReply;
  std::vector<std::uint64_t> series;
};
struct DeleteRangeRequest {
  static constexpr MessageType kType = MessageType::kDeleteRange;
  using Reply = EmptyReply;
  std::vector<std::uint64_t> series;
  std::int64_t start = 0;
  std::int64_t end = 0;
};
struct GetRetentionRequest {
  static constexpr MessageType kType = MessageType::kGetRetention;
  using Reply = RetentionReply;
};
struct SetRetentionRequest {
  static constexpr MessageType kType = MessageType::kSetRetention;
  using Reply = EmptyReply;
  timeseries::RetentionSettings settings;
};
struct ApplyRetentionRequest {
  static constexpr MessageType kType = MessageType::kApplyRetention;
  using Reply = EmptyReply;
};
// The points of the matching series in [start, end), for query planning.
struct EstimatePointsRequest {
  static constexpr MessageType kType = MessageType::kEstimatePoints;
  using Reply = PointEstimateReply;
  timeseries::SeriesFilter filter;
  std::int64_t start = 0;
  std::int64_t end = 0;
};

// Transactions: after begin, this connection's writes (upsert, delete,
// delete_matching, update_metadata, write_points, write_texts,
// delete_range) are checked and staged, answered with an empty reply;
// commit applies them all or none, abort (or a disconnect) drops them.
// transaction_status, asked on any connection of the same token, tells
// what became of a transaction whose commit lost its answer.
struct BeginTransactionRequest {
  static constexpr MessageType kType = MessageType::kBeginTransaction;
  using Reply = TransactionReply;
};
struct CommitTransactionRequest {
  static constexpr MessageType kType = MessageType::kCommitTransaction;
  using Reply = CountReply;  // the writes applied
};
struct AbortTransactionRequest {
  static constexpr MessageType kType = MessageType::kAbortTransaction;
  using Reply = EmptyReply;
};
struct TransactionStatusRequest {
  static constexpr MessageType kType = MessageType::kTransactionStatus;
  using Reply = TransactionStatusReply;
  std::uint64_t id = 0;
};
// Two-phase commit with a coordinator that decides (PostgreSQL): prepare
// checks the connection's staged writes and keeps them durably, invisible,
// as a transaction of their own that outlives the connection and a
// restart, named by the coordinator (e.g. PostgreSQL's system identifier)
// and its transaction id there; resolve commits (all writes, or none) or
// aborts it, on any connection of the same token, and is idempotent;
// list_prepared gives the undecided ones of a coordinator, for recovery.
struct PrepareTransactionRequest {
  static constexpr MessageType kType = MessageType::kPrepareTransaction;
  using Reply = TransactionReply;
  std::string coordinator;
  std::uint64_t coordinator_xid = 0;
};
struct ResolvePreparedRequest {
  static constexpr MessageType kType = MessageType::kResolvePrepared;
  using Reply = CountReply;  // the writes applied (0 when aborted, or decided before)
  std::uint64_t id = 0;
  bool commit = false;
};
struct ListPreparedRequest {
  static constexpr MessageType kType = MessageType::kListPrepared;
  using Reply = PreparedReply;
  std::string coordinator;
};

// The codec: Write appends a message's fields, Read takes them back. One
// overload pair per request and reply struct, defined in messages.cpp.
#define LAKE_PROTOCOL_MESSAGE(T)                 \
  void Write(ByteWriter& out, const T& message); \
  Status Read(ByteReader& in, T* message);
LAKE_PROTOCOL_MESSAGE(EmptyReply)
LAKE_PROTOCOL_MESSAGE(CountReply)
LAKE_PROTOCOL_MESSAGE(TextReply)
LAKE_PROTOCOL_MESSAGE(AuthenticateReply)
LAKE_PROTOCOL_MESSAGE(CollectionsReply)
LAKE_PROTOCOL_MESSAGE(RecordsReply)
LAKE_PROTOCOL_MESSAGE(SearchReply)
LAKE_PROTOCOL_MESSAGE(SeriesIdsReply)
LAKE_PROTOCOL_MESSAGE(SeriesInfosReply)
LAKE_PROTOCOL_MESSAGE(PointEstimateReply)
LAKE_PROTOCOL_MESSAGE(ScanReply)
LAKE_PROTOCOL_MESSAGE(BucketsReply)
LAKE_PROTOCOL_MESSAGE(LastPointsReply)
LAKE_PROTOCOL_MESSAGE(RetentionReply)
LAKE_PROTOCOL_MESSAGE(TransactionReply)
LAKE_PROTOCOL_MESSAGE(TransactionStatusReply)
LAKE_PROTOCOL_MESSAGE(PreparedReply)
LAKE_PROTOCOL_MESSAGE(AuthenticateRequest)
LAKE_PROTOCOL_MESSAGE(PingRequest)
LAKE_PROTOCOL_MESSAGE(StatsRequest)
LAKE_PROTOCOL_MESSAGE(CreateTokenRequest)
LAKE_PROTOCOL_MESSAGE(RevokeTokenRequest)
LAKE_PROTOCOL_MESSAGE(SnapshotIndexesRequest)
LAKE_PROTOCOL_MESSAGE(CheckpointRequest)
LAKE_PROTOCOL_MESSAGE(FlushRequest)
LAKE_PROTOCOL_MESSAGE(CreateCollectionRequest)
LAKE_PROTOCOL_MESSAGE(DropCollectionRequest)
LAKE_PROTOCOL_MESSAGE(ListCollectionsRequest)
LAKE_PROTOCOL_MESSAGE(RebuildIndexRequest)
LAKE_PROTOCOL_MESSAGE(SetActiveVersionRequest)
LAKE_PROTOCOL_MESSAGE(UpsertRequest)
LAKE_PROTOCOL_MESSAGE(GetRequest)
LAKE_PROTOCOL_MESSAGE(DeleteRequest)
LAKE_PROTOCOL_MESSAGE(SearchRequest)
LAKE_PROTOCOL_MESSAGE(ScanRecordsRequest)
LAKE_PROTOCOL_MESSAGE(EnsureSeriesRequest)
LAKE_PROTOCOL_MESSAGE(FindSeriesRequest)
LAKE_PROTOCOL_MESSAGE(DeleteMatchingRequest)
LAKE_PROTOCOL_MESSAGE(UpdateMetadataRequest)
LAKE_PROTOCOL_MESSAGE(BeginTransactionRequest)
LAKE_PROTOCOL_MESSAGE(CommitTransactionRequest)
LAKE_PROTOCOL_MESSAGE(AbortTransactionRequest)
LAKE_PROTOCOL_MESSAGE(TransactionStatusRequest)
LAKE_PROTOCOL_MESSAGE(PrepareTransactionRequest)
LAKE_PROTOCOL_MESSAGE(ResolvePreparedRequest)
LAKE_PROTOCOL_MESSAGE(ListPreparedRequest)
LAKE_PROTOCOL_MESSAGE(EstimatePointsRequest)
LAKE_PROTOCOL_MESSAGE(DescribeSeriesRequest)
LAKE_PROTOCOL_MESSAGE(WritePointsRequest)
LAKE_PROTOCOL_MESSAGE(WriteTextsRequest)
LAKE_PROTOCOL_MESSAGE(ScanRequest)
LAKE_PROTOCOL_MESSAGE(TimeBucketRequest)
LAKE_PROTOCOL_MESSAGE(LastPointRequest)
LAKE_PROTOCOL_MESSAGE(DeleteRangeRequest)
LAKE_PROTOCOL_MESSAGE(GetRetentionRequest)
LAKE_PROTOCOL_MESSAGE(SetRetentionRequest)
LAKE_PROTOCOL_MESSAGE(ApplyRetentionRequest)
#undef LAKE_PROTOCOL_MESSAGE

template <typename T>
std::string Encode(const T& message) {
  std::string payload;
  ByteWriter out(&payload);
  Write(out, message);
  return payload;
}

// The message in `payload`, which must hold exactly one; kInvalidArgument
// (naming the message) when it does not.
template <typename T>
Result<T> Decode(std::string_view payload) {
  T message;
  ByteReader in(payload);
  Status status = Read(in, &message);
  if (status.ok() && in.remaining() != 0) status = Status::Corruption("trailing bytes");
  if (!status.ok()) {
    return Status::InvalidArgument("malformed message: " + status.message());
  }
  return message;
}

}  // namespace lake::protocol
