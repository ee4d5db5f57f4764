// Transactions: a connection's writes staged between begin_transaction and
// commit_transaction, then applied all or none.
//
// Each staged write is checked when it arrives (so a bad row fails the
// statement that sent it) and again at commit. A commit that one engine call
// applies atomically (one write of a kind that is atomic alone; upserts into
// one collection; point writes) is applied so. Any other commit first
// records its writes in one atomic RocksDB batch (the intent,
// under "server/transaction/"), then applies them one after another, then
// removes the intent: a server killed in between applies the intent again
// when it starts (RecoverTransactions), and every staged write gives the
// same result applied twice.
//
// Every commit also writes a record of itself (under "server/committed/"),
// in the same atomic batch as its writes or its intent, so that
// transaction_status can tell a client whose commit lost its answer
// whether it happened. Records are kept a day.
//
// Two-phase commit, for a coordinator that decides (PostgreSQL): prepare
// checks a connection's staged writes and writes them, with whose they are
// and the coordinator's transaction id, in one atomic batch (under
// "server/prepared/"); they stay invisible, beyond the connection and any
// restart, until resolve commits them (through the commit paths above, the
// prepared record removed in the same batch as the writes or their intent)
// or aborts them. Resolving twice gives the same answer.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>

#include "common/byte_buffer.h"
#include "common/log.h"
#include "server/service.h"
#include "vectors/vector_record.h"

namespace lake::server {

using namespace protocol;

namespace {

constexpr std::string_view kIntentPrefix = "server/transaction/";
constexpr std::string_view kCommittedPrefix = "server/committed/";
constexpr std::uint64_t kCommittedKeptMicros = 24ull * 3600 * 1000 * 1000;

std::uint64_t NowMicros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// server/committed/<transaction id, 16 hex digits>: whose it was.
std::string CommittedKey(std::uint64_t id) {
  char suffix[20];
  std::snprintf(suffix, sizeof(suffix), "%016" PRIx64, id);
  return std::string(kCommittedPrefix) + suffix;
}

std::string EncodeOwner(const Caller& c) {
  std::string value;
  ByteWriter out(&value);
  out.Fixed(std::uint8_t{c.admin});
  out.Fixed(c.tenant);
  return value;
}

// Whether `c` may learn of a transaction of this owner: the admin of any,
// a tenant of its own.
bool MayAsk(const Caller& c, bool owner_admin, std::int64_t owner_tenant) {
  return c.admin || (!owner_admin && owner_tenant == c.tenant);
}

// Removes the records of commits older than a day.
void ForgetOldCommits(storage::WriteBatch& batch) {
  const std::uint64_t now = NowMicros();
  if (now > kCommittedKeptMicros)
    batch.DeleteRange(storage::Family::kCatalog, CommittedKey(0),
                      CommittedKey(now - kCommittedKeptMicros));
}

// server/transaction/<sequence, 16 hex digits>/<write, 8 hex digits>
std::string IntentKey(std::uint64_t sequence, std::uint32_t write) {
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), "%016" PRIx64 "/%08" PRIx32, sequence, write);
  return std::string(kIntentPrefix) + suffix;
}

std::string EncodeIntent(const Caller& as, const StagedWrite& write) {
  std::string value;
  ByteWriter out(&value);
  out.Fixed(std::uint8_t{as.admin});
  out.Fixed(as.tenant);
  out.Fixed(write.type);
  out.Bytes(write.payload.data(), write.payload.size());
  return value;
}

Status DecodeIntent(std::string_view value, Caller* as, StagedWrite* write) {
  ByteReader in(value);
  std::uint8_t admin = 0;
  LAKE_RETURN_IF_ERROR(in.Fixed(&admin));
  LAKE_RETURN_IF_ERROR(in.Fixed(&as->tenant));
  LAKE_RETURN_IF_ERROR(in.Fixed(&write->type));
  as->admin = admin != 0;
  as->authenticated = true;
  const char* payload = nullptr;
  const std::size_t size = in.remaining();
  LAKE_RETURN_IF_ERROR(in.Bytes(size, &payload));
  write->payload.assign(payload, size);
  return Status::Ok();
}

// Prepared transactions: server/prepared-head/<id, 16 hex digits> says
// whose and for which coordinator transaction; its writes are under
// server/prepared/<id>/<write, 8 hex digits>, encoded as intents.
constexpr std::string_view kPreparedHeadPrefix = "server/prepared-head/";
constexpr std::string_view kPreparedPrefix = "server/prepared/";

std::string PreparedHeadKey(std::uint64_t id) {
  char suffix[20];
  std::snprintf(suffix, sizeof(suffix), "%016" PRIx64, id);
  return std::string(kPreparedHeadPrefix) + suffix;
}
std::string PreparedWritesPrefix(std::uint64_t id) {
  char suffix[20];
  std::snprintf(suffix, sizeof(suffix), "%016" PRIx64 "/", id);
  return std::string(kPreparedPrefix) + suffix;
}
std::string PreparedWriteKey(std::uint64_t id, std::uint32_t write) {
  char suffix[12];
  std::snprintf(suffix, sizeof(suffix), "%08" PRIx32, write);
  return PreparedWritesPrefix(id) + suffix;
}

struct Prepared {
  Caller owner;
  std::string coordinator;
  std::uint64_t coordinator_xid = 0;
};

std::string EncodePrepared(const Caller& owner, const std::string& coordinator,
                           std::uint64_t coordinator_xid) {
  std::string value = EncodeOwner(owner);
  ByteWriter out(&value);
  out.Varint(coordinator.size());
  out.Bytes(coordinator.data(), coordinator.size());
  out.Fixed(coordinator_xid);
  return value;
}

Status DecodePrepared(std::string_view value, Prepared* prepared) {
  ByteReader in(value);
  std::uint8_t admin = 0;
  std::uint64_t size = 0;
  const char* coordinator = nullptr;
  LAKE_RETURN_IF_ERROR(in.Fixed(&admin));
  LAKE_RETURN_IF_ERROR(in.Fixed(&prepared->owner.tenant));
  LAKE_RETURN_IF_ERROR(in.Varint(&size));
  if (size > in.remaining()) return Status::Corruption("prepared transaction record is damaged");
  LAKE_RETURN_IF_ERROR(in.Bytes(size, &coordinator));
  LAKE_RETURN_IF_ERROR(in.Fixed(&prepared->coordinator_xid));
  prepared->owner.admin = admin != 0;
  prepared->owner.authenticated = true;
  prepared->coordinator.assign(coordinator, size);
  return Status::Ok();
}

// Writes the engines apply in one atomic batch by themselves.
bool IsAtomicAlone(std::uint16_t type) {
  const auto t = static_cast<MessageType>(type);
  return t == MessageType::kUpsert || t == MessageType::kDelete || t == MessageType::kWritePoints ||
         t == MessageType::kWriteTexts;
}

}  // namespace

bool Service::IsStagedWrite(MessageType type) {
  switch (type) {
    case MessageType::kUpsert:
    case MessageType::kDelete:
    case MessageType::kDeleteMatching:
    case MessageType::kUpdateMetadata:
    case MessageType::kWritePoints:
    case MessageType::kWriteTexts:
    case MessageType::kDeleteRange:
      return true;
    default:
      return false;
  }
}

Result<std::string> Service::Stage(Caller& caller, MessageType type, std::string_view payload) {
  StagedWrite write{static_cast<std::uint16_t>(type), std::string(payload)};
  LAKE_ASSIGN_OR_RETURN(std::string reply, CheckStaged(caller, write));
  if (caller.staged_bytes + payload.size() > kMaxTransactionBytes) {
    return Status::InvalidArgument("the transaction stages more than " +
                                   std::to_string(kMaxTransactionBytes >> 20) +
                                   " MiB of writes; commit in smaller transactions");
  }
  caller.staged_bytes += payload.size();
  caller.staged.push_back(std::move(write));
  return reply;
}

Status Service::Check(const Caller& c, const UpsertRequest& r) const {
  if (!r.keep_existing) return engines_.vectors->CheckUpsert(r.collection, r.records, ScopeOf(c));
  UpsertRequest fresh = r;  // what would be written now
  LAKE_RETURN_IF_ERROR(KeepOnlyNew(fresh));
  return engines_.vectors->CheckUpsert(r.collection, fresh.records, ScopeOf(c));
}
Status Service::Check(const Caller& c, const DeleteRequest& r) const {
  return engines_.vectors->CheckUpsert(r.collection, {}, ScopeOf(c));
}
Status Service::Check(const Caller& c, const DeleteMatchingRequest& r) const {
  return engines_.vectors->CheckUpsert(r.collection, {}, ScopeOf(c));
}
Status Service::Check(const Caller& c, const UpdateMetadataRequest& r) const {
  LAKE_RETURN_IF_ERROR(vectors::CheckMetadata(r.metadata_json));
  return engines_.vectors->CheckUpsert(r.collection, {}, ScopeOf(c));
}
Status Service::Check(const Caller& c, const WritePointsRequest& r) const {
  const std::vector<timeseries::SeriesPoints> batch = PointsOf(r);
  LAKE_RETURN_IF_ERROR(CheckSeries(c, batch));
  return engines_.series->CheckWrite(batch);
}
Status Service::Check(const Caller& c, const WriteTextsRequest& r) const {
  std::vector<std::vector<double>> codes;  // stand-ins: checks look at counts only
  codes.reserve(r.batch.size());
  std::vector<timeseries::SeriesPoints> batch;
  for (const TextColumns& columns : r.batch) {
    codes.emplace_back(columns.texts.size());
    batch.push_back({columns.series, columns.timestamps, codes.back()});
  }
  LAKE_RETURN_IF_ERROR(CheckSeries(c, batch));
  return engines_.series->CheckWrite(batch, true);
}
Status Service::Check(const Caller& c, const DeleteRangeRequest& r) const {
  return CheckSeries(c, r.series);
}

Result<std::string> Service::CheckStaged(const Caller& c, const StagedWrite& write) const {
  const auto check = [&]<typename Request>(Request*) -> Result<std::string> {
    LAKE_ASSIGN_OR_RETURN(Request request, Decode<Request>(write.payload));
    LAKE_RETURN_IF_ERROR(Check(c, request));
    return Encode(typename Request::Reply{});
  };
  switch (static_cast<MessageType>(write.type)) {
    case MessageType::kUpsert:
      return check(static_cast<UpsertRequest*>(nullptr));
    case MessageType::kDelete:
      return check(static_cast<DeleteRequest*>(nullptr));
    case MessageType::kDeleteMatching:
      return check(static_cast<DeleteMatchingRequest*>(nullptr));
    case MessageType::kUpdateMetadata:
      return check(static_cast<UpdateMetadataRequest*>(nullptr));
    case MessageType::kWritePoints:
      return check(static_cast<WritePointsRequest*>(nullptr));
    case MessageType::kWriteTexts:
      return check(static_cast<WriteTextsRequest*>(nullptr));
    case MessageType::kDeleteRange:
      return check(static_cast<DeleteRangeRequest*>(nullptr));
    default:
      return Status::Internal("message type " + std::to_string(write.type) + " is not staged");
  }
}

Status Service::ApplyStaged(const Caller& as, const std::vector<StagedWrite>& writes,
                            std::size_t* applied) {
  Status first_failure;
  *applied = 0;
  for (std::size_t i = 0; i < writes.size(); ++i) {
    Caller caller = as;
    auto reply = Dispatch(caller, static_cast<MessageType>(writes[i].type), writes[i].payload);
    if (reply.ok()) {
      ++*applied;
    } else if (first_failure.ok()) {
      first_failure = Status(reply.status().code(), "write " + std::to_string(i + 1) + " (" +
                                                        std::string(MessageName(writes[i].type)) +
                                                        "): " + reply.status().message());
    }
  }
  return first_failure;
}

std::optional<Status> Service::ApplyTogether(const Caller& as,
                                             const std::vector<StagedWrite>& writes) {
  const auto type = static_cast<MessageType>(writes.front().type);
  for (const StagedWrite& write : writes) {
    if (write.type != writes.front().type) return std::nullopt;
  }
  if (type == MessageType::kUpsert) {
    std::string collection;
    std::vector<vectors::VectorRecord> records;
    for (const StagedWrite& write : writes) {
      auto upsert = Decode<UpsertRequest>(write.payload);
      if (!upsert.ok()) return upsert.status();
      if (!collection.empty() && upsert->collection != collection) return std::nullopt;
      if (upsert->keep_existing) return std::nullopt;  // decided record by record
      collection = upsert->collection;
      std::move(upsert->records.begin(), upsert->records.end(), std::back_inserter(records));
    }
    return engines_.vectors->Upsert(collection, records, {.also = as.commit_record}, ScopeOf(as));
  }
  if (type == MessageType::kWritePoints) {
    std::vector<WritePointsRequest> decoded;
    for (const StagedWrite& write : writes) {
      auto points = Decode<WritePointsRequest>(write.payload);
      if (!points.ok()) return points.status();
      decoded.push_back(std::move(*points));
    }
    std::vector<timeseries::SeriesPoints> batch;
    for (const WritePointsRequest& request : decoded) {
      const std::vector<timeseries::SeriesPoints> part = PointsOf(request);
      batch.insert(batch.end(), part.begin(), part.end());
    }
    return engines_.series->Write(batch, {.also = as.commit_record});
  }
  return std::nullopt;
}

Result<TransactionReply> Service::Do(Caller& c, BeginTransactionRequest&) {
  if (c.in_transaction) return Status::InvalidArgument("a transaction is already open");
  const std::uint64_t now = NowMicros();
  std::uint64_t id = last_transaction_id_.load();
  while (!last_transaction_id_.compare_exchange_weak(id, std::max(id + 1, now))) {
  }
  id = std::max(id + 1, now);
  std::shared_ptr<OpenTransactions> open = open_transactions_;
  {
    std::lock_guard lock(open->mutex);
    open->owners[id] = {c.admin, c.tenant};
  }
  // Given up with the transaction, or with the connection.
  c.transaction_open = std::shared_ptr<void>(nullptr, [open, id](void*) {
    std::lock_guard lock(open->mutex);
    open->owners.erase(id);
  });
  c.transaction_id = id;
  c.in_transaction = true;
  return TransactionReply{id};
}

Result<EmptyReply> Service::Do(Caller& c, AbortTransactionRequest&) {
  c.in_transaction = false;
  c.staged.clear();
  c.staged_bytes = 0;
  c.transaction_open.reset();
  return EmptyReply{};
}

Result<TransactionStatusReply> Service::Do(Caller& c, TransactionStatusRequest& r) {
  // After the commit running now, if any: its record is then written or not.
  std::lock_guard commit(commit_mutex_);
  LAKE_ASSIGN_OR_RETURN(auto record,
                        engines_.store->Get(storage::Family::kCatalog, CommittedKey(r.id)));
  if (record) {
    ByteReader in(*record);
    std::uint8_t admin = 0;
    std::int64_t tenant = 0;
    LAKE_RETURN_IF_ERROR(in.Fixed(&admin));
    LAKE_RETURN_IF_ERROR(in.Fixed(&tenant));
    return TransactionStatusReply{MayAsk(c, admin != 0, tenant) ? TransactionState::kCommitted
                                                                : TransactionState::kAborted};
  }
  LAKE_ASSIGN_OR_RETURN(auto prepared,
                        engines_.store->Get(storage::Family::kCatalog, PreparedHeadKey(r.id)));
  if (prepared) {
    Prepared decoded;
    LAKE_RETURN_IF_ERROR(DecodePrepared(*prepared, &decoded));
    if (MayAsk(c, decoded.owner.admin, decoded.owner.tenant))
      return TransactionStatusReply{TransactionState::kPending};
  }
  std::lock_guard lock(open_transactions_->mutex);
  const auto open = open_transactions_->owners.find(r.id);
  if (open != open_transactions_->owners.end() &&
      MayAsk(c, open->second.first, open->second.second))
    return TransactionStatusReply{TransactionState::kPending};
  return TransactionStatusReply{TransactionState::kAborted};
}

Result<Service::EndedTransaction> Service::EndTransaction(Caller& c) {
  if (!c.in_transaction) {
    return Status::InvalidArgument(
        "no transaction is open on this connection (was it lost with a reconnect?)");
  }
  EndedTransaction ended;
  ended.writes = std::move(c.staged);
  ended.id = c.transaction_id;
  // Open (pending, to transaction_status) until the caller is done with it.
  ended.open = std::move(c.transaction_open);
  AbortTransactionRequest end;
  (void)Do(c, end);
  ended.as.authenticated = true;
  ended.as.admin = c.admin;
  ended.as.tenant = c.tenant;
  return ended;
}

Result<CountReply> Service::Do(Caller& c, CommitTransactionRequest&) {
  LAKE_ASSIGN_OR_RETURN(EndedTransaction ended, EndTransaction(c));
  const std::vector<StagedWrite>& writes = ended.writes;
  const std::uint64_t id = ended.id;
  const Caller& as = ended.as;

  std::lock_guard commit(commit_mutex_);
  storage::WriteBatch record;
  return CommitLocked(as, id, writes, record);
}

Result<CountReply> Service::CommitLocked(Caller as, std::uint64_t id,
                                         const std::vector<StagedWrite>& writes,
                                         storage::WriteBatch& record) {
  record.Put(storage::Family::kCatalog, CommittedKey(id), EncodeOwner(as));
  if (++commits_ % 4096 == 0) ForgetOldCommits(record);
  if (writes.empty()) {
    LAKE_RETURN_IF_ERROR(engines_.store->Write(record, {}));
    return CountReply{0};
  }
  as.commit_record = &record;
  // One engine call checks everything before it changes anything.
  if (writes.size() == 1 && IsAtomicAlone(writes.front().type)) {
    Caller caller = as;
    LAKE_RETURN_IF_ERROR(
        Dispatch(caller, static_cast<MessageType>(writes[0].type), writes[0].payload).status());
    return CountReply{1};
  }
  if (std::optional<Status> together = ApplyTogether(as, writes)) {
    LAKE_RETURN_IF_ERROR(*together);
    return CountReply{writes.size()};
  }
  as.commit_record = nullptr;  // written with the intent instead
  // Checked again: the catalog or the retention horizon may have moved.
  for (std::size_t i = 0; i < writes.size(); ++i) {
    if (Status status = CheckStaged(as, writes[i]).status(); !status.ok()) {
      return Status(status.code(), "the transaction was rolled back: write " +
                                       std::to_string(i + 1) + ": " + status.message());
    }
  }
  std::size_t applied = 0;
  const std::uint64_t sequence = id;
  storage::WriteBatch intent;
  for (std::size_t i = 0; i < writes.size(); ++i)
    intent.Put(storage::Family::kCatalog, IntentKey(sequence, std::uint32_t(i)),
               EncodeIntent(as, writes[i]));
  LAKE_RETURN_IF_ERROR(engines_.store->Write(intent, {.also = &record}));
  const Status status = ApplyStaged(as, writes, &applied);
  storage::WriteBatch done;
  done.DeleteRange(storage::Family::kCatalog, IntentKey(sequence, 0), IntentKey(sequence + 1, 0));
  LAKE_RETURN_IF_ERROR(engines_.store->Write(done, {}));
  if (!status.ok()) {
    // Checked writes fail only on a storage error or a race with the
    // catalog: say what is in.
    Log(LogLevel::kError, "transaction " + std::to_string(sequence) + " applied " +
                              std::to_string(applied) + " of " + std::to_string(writes.size()) +
                              " writes: " + status.ToString());
    return Status::Internal("the commit applied " + std::to_string(applied) + " of " +
                            std::to_string(writes.size()) + " writes; " + status.message());
  }
  return CountReply{applied};
}

Result<TransactionReply> Service::Do(Caller& c, PrepareTransactionRequest& r) {
  LAKE_ASSIGN_OR_RETURN(EndedTransaction ended, EndTransaction(c));
  const std::vector<StagedWrite>& writes = ended.writes;
  const std::uint64_t id = ended.id;
  const Caller& as = ended.as;
  std::lock_guard commit(commit_mutex_);
  // Checked now: once prepared, the coordinator may decide to commit.
  for (std::size_t i = 0; i < writes.size(); ++i) {
    if (Status status = CheckStaged(as, writes[i]).status(); !status.ok()) {
      return Status(status.code(), "the transaction was rolled back: write " +
                                       std::to_string(i + 1) + ": " + status.message());
    }
  }
  storage::WriteBatch prepared;
  prepared.Put(storage::Family::kCatalog, PreparedHeadKey(id),
               EncodePrepared(as, r.coordinator, r.coordinator_xid));
  for (std::size_t i = 0; i < writes.size(); ++i)
    prepared.Put(storage::Family::kCatalog, PreparedWriteKey(id, std::uint32_t(i)),
                 EncodeIntent(as, writes[i]));
  // Synced: PostgreSQL may commit on the strength of this answer.
  LAKE_RETURN_IF_ERROR(engines_.store->Write(prepared, {.sync = true}));
  return TransactionReply{id};
}

Result<CountReply> Service::Do(Caller& c, ResolvePreparedRequest& r) {
  std::lock_guard commit(commit_mutex_);
  LAKE_ASSIGN_OR_RETURN(auto head,
                        engines_.store->Get(storage::Family::kCatalog, PreparedHeadKey(r.id)));
  Prepared prepared;
  if (head) LAKE_RETURN_IF_ERROR(DecodePrepared(*head, &prepared));
  if (!head || !MayAsk(c, prepared.owner.admin, prepared.owner.tenant)) {
    // Decided before (the answer to an earlier resolve may have been lost).
    LAKE_ASSIGN_OR_RETURN(auto committed,
                          engines_.store->Get(storage::Family::kCatalog, CommittedKey(r.id)));
    if (committed) {  // only its owner learns that it committed
      ByteReader in(*committed);
      std::uint8_t admin = 0;
      std::int64_t tenant = 0;
      LAKE_RETURN_IF_ERROR(in.Fixed(&admin));
      LAKE_RETURN_IF_ERROR(in.Fixed(&tenant));
      if (!MayAsk(c, admin != 0, tenant)) committed.reset();
    }
    if (committed.has_value() == r.commit) return CountReply{0};
    return Status::NotFound("no prepared transaction " + std::to_string(r.id) + ": it was " +
                            (committed ? "committed" : "aborted, or never prepared"));
  }
  storage::WriteBatch record;
  record.DeleteRange(storage::Family::kCatalog, PreparedHeadKey(r.id), PreparedHeadKey(r.id + 1));
  record.DeleteRange(storage::Family::kCatalog, PreparedWriteKey(r.id, 0),
                     PreparedWriteKey(r.id + 1, 0));
  if (!r.commit) {
    LAKE_RETURN_IF_ERROR(engines_.store->Write(record, {.sync = true}));
    return CountReply{0};
  }
  std::vector<StagedWrite> writes;
  Status decoding;
  LAKE_RETURN_IF_ERROR(engines_.store->ScanPrefix(storage::Family::kCatalog,
                                                  PreparedWritesPrefix(r.id),
                                                  [&](std::string_view, std::string_view value) {
                                                    Caller owner;
                                                    StagedWrite write;
                                                    decoding = DecodeIntent(value, &owner, &write);
                                                    if (!decoding.ok()) return false;
                                                    writes.push_back(std::move(write));
                                                    return true;
                                                  }));
  LAKE_RETURN_IF_ERROR(decoding);  // never a part of the transaction
  return CommitLocked(prepared.owner, r.id, writes, record);
}

Result<PreparedReply> Service::Do(Caller& c, ListPreparedRequest& r) {
  PreparedReply reply;
  Status decoding;
  LAKE_RETURN_IF_ERROR(engines_.store->ScanPrefix(
      storage::Family::kCatalog, kPreparedHeadPrefix,
      [&](std::string_view key, std::string_view value) {
        Prepared prepared;
        decoding = DecodePrepared(value, &prepared);
        if (!decoding.ok()) return false;
        if (prepared.coordinator == r.coordinator &&
            MayAsk(c, prepared.owner.admin, prepared.owner.tenant)) {
          reply.transactions.push_back(
              {std::stoull(std::string(key.substr(kPreparedHeadPrefix.size())), nullptr, 16),
               prepared.coordinator_xid});
        }
        return true;
      }));
  LAKE_RETURN_IF_ERROR(decoding);
  return reply;
}

Result<std::size_t> Service::RecoverTransactions() {
  // Intents in key order: by transaction, then by write.
  std::map<std::string, std::vector<std::pair<Caller, StagedWrite>>> intents;
  LAKE_RETURN_IF_ERROR(engines_.store->ScanPrefix(
      storage::Family::kCatalog, kIntentPrefix, [&](std::string_view key, std::string_view value) {
        const std::string transaction(key.substr(kIntentPrefix.size(), 16));
        Caller as;
        StagedWrite write;
        if (!DecodeIntent(value, &as, &write).ok()) return false;
        intents[transaction].emplace_back(as, std::move(write));
        return true;
      }));
  for (auto& [transaction, writes] : intents) {
    std::vector<StagedWrite> staged;
    for (auto& [as, write] : writes)
      staged.push_back(std::move(write));
    std::size_t applied = 0;
    const Status status = ApplyStaged(writes.front().first, staged, &applied);
    Log(status.ok() ? LogLevel::kInfo : LogLevel::kError,
        "recovered committed transaction " + transaction + ": applied " + std::to_string(applied) +
            " of " + std::to_string(staged.size()) + " writes" +
            (status.ok() ? "" : "; " + status.ToString()));
  }
  storage::WriteBatch done;
  std::string end(kIntentPrefix);
  end.back() += 1;  // just past every intent key
  done.DeleteRange(storage::Family::kCatalog, kIntentPrefix, end);
  ForgetOldCommits(done);
  LAKE_RETURN_IF_ERROR(engines_.store->Write(done, {}));
  return intents.size();
}

}  // namespace lake::server
