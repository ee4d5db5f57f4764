// Before PostgreSQL's headers, which make snprintf a macro of their own.
#include <nlohmann/json.hpp>

#include "writes.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "connection.h"
#include "in_doubt.h"
#include "pg_boundary.h"
#include "series_scan.h"
#include "table_kind.h"
#include "vector_type.h"
#include "vectors_scan.h"

extern "C" {
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "parser/parsetree.h"
#include "replication/message.h"
#include "storage/predicate.h"
#include "utils/rel.h"
}

namespace lake::fdw {

namespace {

// Bytes per request; without a batch_size, what an insert holds before it
// sends it. Rows PostgreSQL hands over at a time then.
constexpr std::size_t kRequestBytes = std::size_t{32} << 20;
constexpr int kExecutorBatchRows = 1000;

// The columns an insert reads, by name, for both kinds of table.
enum Column {
  kId,
  kUserId,
  kModelVersion,
  kEmbedding,
  kMetadata,
  kCreatedAt,  // vectors
  kMetric,
  kTags,
  kTs,
  kValue,  // time series
  kColumnCount
};
const char* const kColumnNames[kColumnCount] = {
    "id",         "user_id", "model_version", "embedding", "metadata",
    "created_at", "metric",  "tags",          "ts",        "value"};

// Per result relation (rinfo->ri_FdwState), plain C.
struct InsertState {
  TableKind kind;
  int series_kind;     // timeseries::SeriesKind
  char name[64];       // the collection
  int batch_rows;      // batch_size; 0: by bytes
  bool keep_existing;  // INSERT ... ON CONFLICT DO NOTHING
  ConnectTarget target;
  AttrNumber attno[kColumnCount];
  FmgrInfo output[kColumnCount];  // text output of metadata and tags
};

struct PendingPoint {
  std::uint32_t series = 0;  // in the op's series_keys
  std::int64_t ts = 0;
  double value = 0;
  std::string text;
};

// One statement's worth of changes to one table, in the order they were
// made.
struct PendingOp {
  // kInsertNew: upserts of INSERT ... ON CONFLICT DO NOTHING.
  enum Kind {
    kUpsert,
    kInsertNew,
    kDeleteRecords,
    kUpdateMetadata,
    kInsertPoints,
    kDeleteRange
  } kind;
  SubTransactionId subid = 0;
  std::string collection;                          // vector tables
  std::vector<vectors::VectorRecord> records;      // kUpsert, kInsertNew
  std::unordered_set<std::int64_t> new_ids;        // kInsertNew: of `records`
  vectors::RecordScan matching;                    // kDeleteRecords, kUpdateMetadata
  std::string metadata;                            // kUpdateMetadata
  std::vector<PendingPoint> points;                // kInsertPoints
  std::vector<timeseries::SeriesKey> series_keys;  // of the points
  std::unordered_map<std::string, std::uint32_t> series_by_identity;  // SeriesIdentity
  std::string identity;             // the last row's, rebuilt in place (no allocation per row)
  int series_kind = 0;              // kInsertPoints, kDeleteRange
  timeseries::SeriesFilter series;  // kDeleteRange
  std::int64_t start = 0, end = 0;
  std::size_t bytes = 0;  // of the records and points, roughly
  std::size_t rows() const { return records.size() + points.size(); }
};

// The writes of this transaction through one user mapping: held here, and
// staged in a lake-server transaction on its session once an insert holds
// batch_size rows outside any savepoint, or at commit.
struct PendingConnection {
  ConnectTarget target;
  std::vector<PendingOp> ops;
  std::uint64_t session = 0;      // the session whose server transaction is open; 0: none yet
  std::uint64_t transaction = 0;  // its id in lake-server (also once prepared)
  bool prepare_sent = false;      // at pre-commit: its decision is due
};

std::map<Oid, PendingConnection>& Pending() {
  static auto* pending = new std::map<Oid, PendingConnection>();
  return *pending;
}

PendingConnection& ConnectionFor(const ConnectTarget& target) {
  PendingConnection& connection = Pending()[target.user_mapping];
  connection.target = target;
  return connection;
}

// The op to append to: the last one if it is of this kind, table and
// subtransaction, else a new one.
PendingOp& OpFor(PendingConnection& connection, PendingOp::Kind kind, const char* collection,
                 int series_kind) {
  const SubTransactionId subid = GetCurrentSubTransactionId();
  std::vector<PendingOp>& ops = connection.ops;
  // Rows are added to the last op of their kind; a condition (a delete or
  // an update) is an op of its own, or the later would replace the earlier.
  const bool rows = kind == PendingOp::kUpsert || kind == PendingOp::kInsertNew ||
                    kind == PendingOp::kInsertPoints;
  if (!rows || ops.empty() || ops.back().kind != kind || ops.back().subid != subid ||
      ops.back().collection != collection || ops.back().series_kind != series_kind) {
    ops.push_back(PendingOp{kind, subid});
    ops.back().collection = collection;
    ops.back().series_kind = series_kind;
  }
  return ops.back();
}

std::size_t ApproxBytes(const vectors::VectorRecord& record) {
  return record.embedding.size() * sizeof(float) + record.metadata_json.size() + 64;
}

Status SendVectors(protocol::Session& session, const std::string& collection,
                   std::vector<vectors::VectorRecord>& records, bool keep_existing) {
  protocol::UpsertRequest request{collection, {}, keep_existing};
  std::size_t bytes = 0;
  for (vectors::VectorRecord& record : records) {
    bytes += ApproxBytes(record);
    request.records.push_back(std::move(record));
    if (bytes >= kRequestBytes) {
      LAKE_RETURN_IF_ERROR(session.Call(request).status());
      request.records.clear();
      bytes = 0;
    }
  }
  if (!request.records.empty()) LAKE_RETURN_IF_ERROR(session.Call(request).status());
  return Status::Ok();
}

Status SendPoints(protocol::Session& session, PendingOp& op) {
  // The series, created where missing, in one request.
  LAKE_ASSIGN_OR_RETURN(auto ids, session.Call(protocol::EnsureSeriesRequest{op.series_keys}));
  std::vector<PendingPoint>& points = op.points;
  const bool text = op.series_kind != int(timeseries::SeriesKind::kMetric);
  std::map<std::uint64_t, protocol::PointColumns> numbers;
  std::map<std::uint64_t, protocol::TextColumns> texts;
  std::size_t bytes = 0;
  const auto flush = [&]() -> Status {
    protocol::WritePointsRequest write_numbers;
    for (auto& [id, columns] : numbers)
      write_numbers.batch.push_back(std::move(columns));
    protocol::WriteTextsRequest write_texts;
    for (auto& [id, columns] : texts)
      write_texts.batch.push_back(std::move(columns));
    numbers.clear();
    texts.clear();
    bytes = 0;
    if (!write_numbers.batch.empty()) LAKE_RETURN_IF_ERROR(session.Call(write_numbers).status());
    if (!write_texts.batch.empty()) LAKE_RETURN_IF_ERROR(session.Call(write_texts).status());
    return Status::Ok();
  };
  for (std::size_t i = 0; i < points.size(); ++i) {
    PendingPoint& p = points[i];
    const std::uint64_t id = ids.ids[p.series];
    if (text) {
      auto& columns = texts[id];
      columns.series = id;
      columns.timestamps.push_back(p.ts);
      bytes += p.text.size() + 16;
      columns.texts.push_back(std::move(p.text));
    } else {
      auto& columns = numbers[id];
      columns.series = id;
      columns.timestamps.push_back(p.ts);
      columns.values.push_back(p.value);
      bytes += 16;
    }
    if (bytes >= kRequestBytes) LAKE_RETURN_IF_ERROR(flush());
  }
  return flush();
}

// Stages the connection's pending writes in its lake-server transaction,
// beginning one on the session first if none is open.
Status Flush(PendingConnection& connection) {
  std::uint64_t number = 0;
  LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(connection.target, &number));
  if (connection.session == 0) {
    LAKE_ASSIGN_OR_RETURN(auto begun, session->Call(protocol::BeginTransactionRequest{}));
    connection.transaction = begun.id;
    connection.session = number;
  } else if (connection.session != number) {
    return Status::Unavailable(
        "the connection to lake-server was lost during the transaction, and the writes it had "
        "been sent with it");
  }
  for (PendingOp& op : connection.ops) {
    switch (op.kind) {
      case PendingOp::kUpsert:
      case PendingOp::kInsertNew:
        LAKE_RETURN_IF_ERROR(
            SendVectors(*session, op.collection, op.records, op.kind == PendingOp::kInsertNew));
        break;
      case PendingOp::kDeleteRecords:
        LAKE_RETURN_IF_ERROR(
            session->Call(protocol::DeleteMatchingRequest{op.collection, op.matching}).status());
        break;
      case PendingOp::kUpdateMetadata:
        LAKE_RETURN_IF_ERROR(
            session->Call(protocol::UpdateMetadataRequest{op.collection, op.matching, op.metadata})
                .status());
        break;
      case PendingOp::kInsertPoints:
        LAKE_RETURN_IF_ERROR(SendPoints(*session, op));
        break;
      case PendingOp::kDeleteRange: {
        // The series as they are now (the inserts staged before included).
        LAKE_ASSIGN_OR_RETURN(auto found, session->Call(protocol::FindSeriesRequest{op.series}));
        protocol::DeleteRangeRequest request{{}, op.start, op.end};
        for (const auto& info : found.series)
          request.series.push_back(info.id);
        if (!request.series.empty()) LAKE_RETURN_IF_ERROR(session->Call(request).status());
        break;
      }
    }
  }
  connection.ops.clear();
  return Status::Ok();
}

// Two-phase commit, PostgreSQL deciding. At pre-commit each connection's
// writes are staged and prepared in lake-server (checked, durable,
// invisible), named by this cluster and the transaction's id; after
// PostgreSQL's commit record they are committed; on abort, aborted. A
// prepared transaction whose decision did not reach lake-server (either
// side crashed or was unreachable in between) is resolved from
// PostgreSQL's own record of its transaction by the next session that
// reaches that server (ResolveInDoubt).
Status PrepareAll(std::uint64_t xid) {
  for (auto& [user_mapping, connection] : Pending()) {
    if (connection.ops.empty() && connection.session == 0) continue;
    LAKE_RETURN_IF_ERROR(Flush(connection));
    LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(connection.target));
    connection.prepare_sent = true;
    LAKE_RETURN_IF_ERROR(
        session->Call(protocol::PrepareTransactionRequest{CoordinatorName(), xid}).status());
  }
  return Status::Ok();
}

// Sends the decision on each prepared transaction, on a new session if the
// old one died; the first failure (that transaction then waits, prepared,
// for ResolveInDoubt). Aborting what lake-server never prepared finds
// nothing, which is done too.
Status DecideAll(bool commit) {
  Status first;
  for (auto& [user_mapping, connection] : Pending()) {
    if (!connection.prepare_sent) continue;
    Status status;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto session = SessionFor(connection.target);
      status = session.ok()
                   ? (*session)
                         ->Call(protocol::ResolvePreparedRequest{connection.transaction, commit})
                         .status()
                   : session.status();
      if (!commit && status.code() == StatusCode::kNotFound) status = Status::Ok();
      if (status.ok()) break;
    }
    if (!status.ok() && first.ok())
      first = Status(status.code(), "transaction " + std::to_string(connection.transaction) + ": " +
                                        status.message());
  }
  return first;
}

// Drops what the server staged or prepared (best effort: a lost
// connection drops what was staged, and ResolveInDoubt what was prepared).
void AbortAll() {
  CppError ignored;
  RunCpp(ignored, [] { return DecideAll(false); });
  for (auto& [user_mapping, connection] : Pending()) {
    if (connection.session == 0 || connection.prepare_sent) continue;
    RunCpp(ignored, [&]() -> Status {
      std::uint64_t number = 0;
      LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(connection.target, &number));
      if (number != connection.session) return Status::Ok();
      return session->Call(protocol::AbortTransactionRequest{}).status();
    });
  }
}

void OnTransaction(XactEvent event, void*) {
  if (event == XACT_EVENT_PRE_PREPARE && !Pending().empty())
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("lake: PREPARE TRANSACTION of a transaction that writes lake tables "
                           "is not supported"),
                    errhint("Commit it: lake-server takes part in PostgreSQL's own commit.")));
  if (Pending().empty()) return;
  if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PARALLEL_PRE_COMMIT) {
    // A SERIALIZABLE transaction learns whether it may commit only after
    // these callbacks: ask first, so that a serialization failure fails it
    // here and aborts what was prepared. Once this passes, PostgreSQL's
    // own check later cannot fail (the transaction is prepared in the
    // predicate-lock sense; its conflicts doom the others).
    if (IsolationIsSerializable()) PreCommit_CheckForSerializationFailure();
    // The transaction's id, in flushed WAL before lake-server hears of it:
    // a crash then cannot hand the same id to a later transaction (ids
    // that reached no WAL are given again after recovery), whose fate
    // would decide this one's. Its commit record is flushed too, whatever
    // synchronous_commit says: lake-server applies what PostgreSQL
    // committed, so that commit must not be lost.
    const std::uint64_t xid = U64FromFullTransactionId(GetTopFullTransactionId());
    // Decided transactions whose decision got lost land first: this
    // commit comes after them in PostgreSQL, and must in lake-server too.
    for (auto& [user_mapping, connection] : Pending()) {
      if (!connection.ops.empty() || connection.session != 0)
        ResolveInDoubt(connection.target, /*every_time=*/true);
    }
    XLogFlush(LogLogicalMessage("lake", "prepare", sizeof("prepare"), true));
    ForceSyncCommit();
    CppError error;
    if (!RunCpp(error, [&] { return PrepareAll(xid); })) {
      AbortAll();
      Pending().clear();
      ereport(ERROR, (errcode(SqlStateOf(error)),
                      errmsg("lake: the transaction's writes were not applied: %s", error.text)));
    }
    if (fault_injection_setting == kCrashAfterPrepare) abort();
  } else if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT) {
    if (fault_injection_setting == kCrashAfterCommit) abort();
    CppError error;
    bool decided = false;
    if (fault_injection_setting == kLoseDecision)
      snprintf(error.text, kErrorBytes, "the decision was lost (lake.fault_injection)");
    else
      decided = RunCpp(error, [] { return DecideAll(true); });
    Pending().clear();
    // Committed in PostgreSQL: no error can undo it now.
    if (!decided)
      ereport(
          WARNING,
          (errmsg("lake: committed; lake-server has not applied the writes yet: %s", error.text),
           errdetail("They are prepared in lake-server, and become visible when a session "
                     "reaches it again: it asks PostgreSQL what became of the transaction."),
           errhint("Check that lake-server is running.")));
  } else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
    AbortAll();
    Pending().clear();
  }
}

// A rolled-back savepoint drops what was written since it (subtransaction
// ids only grow within a transaction, so "since" is ">= its id"). Nothing
// written inside a savepoint has been sent yet.
void OnSubTransaction(SubXactEvent event, SubTransactionId subid, SubTransactionId, void*) {
  if (event != SUBXACT_EVENT_ABORT_SUB) return;
  for (auto& [user_mapping, connection] : Pending())
    std::erase_if(connection.ops, [&](const PendingOp& op) { return op.subid >= subid; });
}

// After a row was queued: outside savepoints, an insert holding batch_size
// rows (without one: a request's worth of bytes) goes to the server's
// transaction.
void SendIfFull(PendingConnection& connection, const PendingOp& op, int batch_rows) {
  const bool full =
      batch_rows > 0 ? op.rows() >= std::size_t(batch_rows) : op.bytes >= kRequestBytes;
  if (!full || GetCurrentTransactionNestLevel() > 1) return;
  CppError error;
  if (!RunCpp(error, [&] { return Flush(connection); })) Raise(error);
}

Oid ModifyingUser(EState* estate, ResultRelInfo* rinfo) {
  if (rinfo->ri_RangeTableIndex == 0) return GetUserId();  // COPY
  RangeTblEntry* rte = exec_rt_fetch(rinfo->ri_RangeTableIndex, estate);
  return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
}

// A tags value (JSON text of an object of strings) as sorted pairs.
Result<timeseries::Tags> ParseTags(const char* text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return Status::InvalidArgument("tags must be a JSON object of strings");
  timeseries::Tags tags;
  for (const auto& [name, tag] : json.items()) {
    if (!tag.is_string()) return Status::InvalidArgument("tag \"" + name + "\" must be a string");
    tags.emplace_back(name, tag.get<std::string>());
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

// The table's batch_size, else its server's, else 0 (none).
int BatchRows(Oid table) {
  for (List* options : {GetForeignTable(table)->options,
                        GetForeignServer(GetForeignTable(table)->serverid)->options}) {
    ListCell* cell;
    foreach (cell, options) {
      DefElem* option = lfirst_node(DefElem, cell);
      if (std::strcmp(option->defname, "batch_size") == 0) return std::atoi(defGetString(option));
    }
  }
  return 0;
}

// Text of a value through its type's output function (a palloc'd string).
char* AsText(InsertState* s, Column column, Datum value) {
  return OutputFunctionCall(&s->output[column], value);
}

// A series as a row names it: tenant, metric and the tags' jsonb bytes.
const std::string& SeriesIdentity(std::int64_t tenant, std::string_view metric,
                                  std::string_view tags_jsonb, std::string* identity) {
  identity->assign(reinterpret_cast<const char*>(&tenant), sizeof(tenant));
  *identity += metric;
  *identity += '\0';
  *identity += tags_jsonb;
  return *identity;
}

}  // namespace

void QueueRecordDelete(const ConnectTarget& target, const std::string& collection,
                       vectors::RecordScan matching) {
  PendingOp& op = OpFor(ConnectionFor(target), PendingOp::kDeleteRecords, collection.c_str(), 0);
  op.matching = std::move(matching);
}

void QueueMetadataUpdate(const ConnectTarget& target, const std::string& collection,
                         vectors::RecordScan matching, std::string metadata) {
  PendingOp& op = OpFor(ConnectionFor(target), PendingOp::kUpdateMetadata, collection.c_str(), 0);
  op.matching = std::move(matching);
  op.metadata = std::move(metadata);
}

void QueueRangeDelete(const ConnectTarget& target, timeseries::SeriesFilter series,
                      std::int64_t start, std::int64_t end) {
  PendingOp& op =
      OpFor(ConnectionFor(target), PendingOp::kDeleteRange, "", static_cast<int>(*series.kind));
  op.series = std::move(series);
  op.start = start;
  op.end = end;
}

void RegisterTransactionCallbacks() {
  RegisterXactCallback(OnTransaction, nullptr);
  RegisterSubXactCallback(OnSubTransaction, nullptr);
}

int Updatable(Relation) {
  return (1 << CMD_INSERT) | (1 << CMD_UPDATE) | (1 << CMD_DELETE);
}

void RefuseRowChange() {
  ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                  errmsg("lake: UPDATE and DELETE need conditions lake-server applies itself, and "
                         "UPDATE sets only a vector table's metadata to one value"),
                  errhint("vector tables: id, user_id, model_version and created_at (=, IN, "
                          "ranges); time-series tables: "
                          "user_id, metric, tags @> and ts ranges")));
  pg_unreachable();
}

TupleTableSlot* RowChange(EState*, ResultRelInfo*, TupleTableSlot*, TupleTableSlot*) {
  RefuseRowChange();
}

void BeginInsert(ModifyTableState* mtstate, ResultRelInfo* rinfo) {
  Relation relation = rinfo->ri_RelationDesc;
  const Oid table = RelationGetRelid(relation);
  InsertState* s = static_cast<InsertState*>(palloc0(sizeof(InsertState)));
  s->kind = KindOf(table);
  // A plain INSERT of an existing id replaces the record (lake tables
  // upsert). DO NOTHING keeps it (vector tables: ids are their key); DO
  // UPDATE is refused, on every insert path (rows a partitioned table
  // routes here too; COPY has no plan).
  const OnConflictAction on_conflict =
      mtstate != nullptr && mtstate->ps.plan != nullptr
          ? castNode(ModifyTable, mtstate->ps.plan)->onConflictAction
          : ONCONFLICT_NONE;
  if (on_conflict == ONCONFLICT_UPDATE)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("lake: INSERT ... ON CONFLICT DO UPDATE is not supported"),
                    errhint("A plain INSERT of an id that exists replaces that record; ON "
                            "CONFLICT DO NOTHING keeps it.")));
  if (on_conflict == ONCONFLICT_NOTHING && s->kind != TableKind::kVectors)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("lake: INSERT ... ON CONFLICT is not supported on time-series tables"),
                    errdetail("Points have no key to conflict on."),
                    errhint("Insert the points without ON CONFLICT.")));
  s->keep_existing = on_conflict == ONCONFLICT_NOTHING;
  // The columns' names and types, as scans check them.
  AttrNumber checked[32];
  s->kind == TableKind::kVectors ? VectorsReadColumns(table, checked)
                                 : SeriesReadColumns(table, checked);
  if (s->kind == TableKind::kVectors) {
    const char* collection = TableOption(table, "collection");
    if (std::strlen(collection) >= sizeof(s->name))
      ereport(ERROR, (errmsg("lake: collection name \"%s\" is too long", collection)));
    std::strcpy(s->name, collection);
  } else {
    const char* kind = TableOption(table, "series");
    s->series_kind = std::strcmp(kind, "events") == 0   ? int(timeseries::SeriesKind::kEvent)
                     : std::strcmp(kind, "states") == 0 ? int(timeseries::SeriesKind::kState)
                                                        : int(timeseries::SeriesKind::kMetric);
  }
  TupleDesc desc = RelationGetDescr(relation);
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute attribute = TupleDescAttr(desc, i);
    for (int c = 0; c < kColumnCount; ++c) {
      if (attribute->attisdropped || std::strcmp(NameStr(attribute->attname), kColumnNames[c]) != 0)
        continue;
      s->attno[c] = attribute->attnum;
      Oid output;
      bool varlena;
      getTypeOutputInfo(attribute->atttypid, &output, &varlena);
      fmgr_info(output, &s->output[c]);
    }
  }
  const bool vectors = s->kind == TableKind::kVectors;
  if (vectors && (s->attno[kId] == 0 || s->attno[kEmbedding] == 0))
    ereport(ERROR, (errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
                    errmsg("lake: inserting into \"%s\" needs its id and embedding columns",
                           RelationGetRelationName(relation))));
  if (!vectors && (s->attno[kMetric] == 0 || s->attno[kTs] == 0 || s->attno[kValue] == 0))
    ereport(ERROR, (errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
                    errmsg("lake: inserting into \"%s\" needs its metric, ts and value columns",
                           RelationGetRelationName(relation))));
  ReadConnectTarget(GetForeignTable(table)->serverid, ModifyingUser(mtstate->ps.state, rinfo),
                    &s->target);
  ResolveInDoubt(s->target);
  s->batch_rows = BatchRows(table);
  rinfo->ri_FdwState = s;
}

TupleTableSlot* ExecInsert(EState*, ResultRelInfo* rinfo, TupleTableSlot* slot, TupleTableSlot*) {
  InsertState* s = static_cast<InsertState*>(rinfo->ri_FdwState);
  slot_getallattrs(slot);
  const auto value = [&](Column c, bool* present) -> Datum {
    *present = s->attno[c] != 0 && !slot->tts_isnull[s->attno[c] - 1];
    return *present ? slot->tts_values[s->attno[c] - 1] : Datum(0);
  };
  bool present = false;
  CppError error;
  PendingConnection* connection = nullptr;
  PendingOp* op = nullptr;
  bool skipped = false;  // ON CONFLICT DO NOTHING: the id exists
  if (s->kind == TableKind::kVectors) {
    const Datum id = value(kId, &present);
    if (!present)
      ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("lake: id must not be null")));
    const Datum embedding_datum = value(kEmbedding, &present);
    if (!present)
      ereport(ERROR,
              (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("lake: embedding must not be null")));
    const PgVector* embedding = DatumToVector(embedding_datum);
    bool has_user, has_version, has_metadata, has_created;
    const Datum user = value(kUserId, &has_user);
    const Datum version = value(kModelVersion, &has_version);
    const Datum metadata_datum = value(kMetadata, &has_metadata);
    const Datum created = value(kCreatedAt, &has_created);
    const char* metadata = has_metadata ? AsText(s, kMetadata, metadata_datum) : nullptr;
    const std::int64_t created_at_us =
        has_created ? WrittenUnixMicros(DatumGetTimestampTz(created), "created_at") : 0;
    if (!RunCpp(error, [&]() -> Status {
          vectors::VectorRecord record;
          record.id = DatumGetInt64(id);
          record.tenant_id = has_user ? DatumGetInt64(user) : 0;
          record.model_version = has_version ? DatumGetInt32(version) : 0;
          record.created_at_us = created_at_us;
          record.embedding.assign(embedding->x, embedding->x + embedding->dim);
          if (metadata != nullptr) record.metadata_json = metadata;
          connection = &ConnectionFor(s->target);
          op = &OpFor(*connection, s->keep_existing ? PendingOp::kInsertNew : PendingOp::kUpsert,
                      s->name, 0);
          if (s->keep_existing) {
            // Counted as PostgreSQL counts it: not when the id exists or is
            // held here already. lake-server decides again at commit (a
            // record committed meanwhile is kept, though counted here).
            if (op->new_ids.count(record.id) != 0) {
              skipped = true;
              return Status::Ok();
            }
            LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(s->target));
            LAKE_ASSIGN_OR_RETURN(auto found, session->Call(protocol::GetRequest{
                                                  s->name, record.model_version, {record.id}}));
            if (!found.records.empty()) {
              skipped = true;
              return Status::Ok();
            }
            op->new_ids.insert(record.id);
          }
          op->bytes += ApproxBytes(record);
          op->records.push_back(std::move(record));
          return Status::Ok();
        }))
      Raise(error);
    if (skipped) return nullptr;
    SendIfFull(*connection, *op, s->batch_rows);
    return slot;
  }
  const Datum metric_datum = value(kMetric, &present);
  if (!present)
    ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("lake: metric must not be null")));
  const Datum ts = value(kTs, &present);
  if (!present)
    ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("lake: ts must not be null")));
  const Datum point_value = value(kValue, &present);
  if (!present)
    ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("lake: value must not be null")));
  bool has_user, has_tags;
  const Datum user = value(kUserId, &has_user);
  const Datum tags_datum = value(kTags, &has_tags);
  const char* metric = TextDatumGetCString(metric_datum);
  // jsonb is canonical (keys sorted and unique), so its bytes name the tags:
  // a row of a series the statement has seen costs no text output or parse.
  const varlena* tags_jsonb =
      has_tags ? pg_detoast_datum_packed(reinterpret_cast<varlena*>(DatumGetPointer(tags_datum)))
               : nullptr;
  const std::string_view tags_bytes =
      tags_jsonb != nullptr
          ? std::string_view(VARDATA_ANY(tags_jsonb), VARSIZE_ANY_EXHDR(tags_jsonb))
          : std::string_view();
  const std::int64_t tenant = has_user ? DatumGetInt64(user) : 0;
  const bool metric_kind = s->series_kind == int(timeseries::SeriesKind::kMetric);
  const char* event_text = nullptr;
  if (!metric_kind) event_text = TextDatumGetCString(point_value);
  const std::int64_t point_ts = WrittenUnixMicros(DatumGetTimestampTz(ts), "ts");
  const auto add_point = [&](std::uint32_t series) {
    PendingPoint p;
    p.series = series;
    p.ts = point_ts;
    if (metric_kind)
      p.value = DatumGetFloat8(point_value);
    else
      p.text = event_text;
    op->bytes += p.text.size() + 16;
    op->points.push_back(std::move(p));
  };
  bool known = false;
  if (!RunCpp(error, [&]() -> Status {
        connection = &ConnectionFor(s->target);
        op = &OpFor(*connection, PendingOp::kInsertPoints, "", s->series_kind);
        const auto found =
            op->series_by_identity.find(SeriesIdentity(tenant, metric, tags_bytes, &op->identity));
        known = found != op->series_by_identity.end();
        if (known) add_point(found->second);
        return Status::Ok();
      }))
    Raise(error);
  if (!known) {
    // A new series: its key, with the tags parsed from their text once.
    const char* tags = has_tags ? AsText(s, kTags, tags_datum) : nullptr;
    if (!RunCpp(error, [&]() -> Status {
          timeseries::SeriesKey key;
          key.tenant = tenant;
          key.metric = metric;
          key.kind = static_cast<timeseries::SeriesKind>(s->series_kind);
          if (tags != nullptr) {
            LAKE_ASSIGN_OR_RETURN(key.tags, ParseTags(tags));
          }
          op->series_keys.push_back(std::move(key));
          const auto series = std::uint32_t(op->series_keys.size() - 1);
          op->series_by_identity.emplace(op->identity, series);
          add_point(series);
          return Status::Ok();
        }))
      Raise(error);
  }
  SendIfFull(*connection, *op, s->batch_rows);
  return slot;
}

TupleTableSlot** ExecBatchInsert(EState* estate, ResultRelInfo* rinfo, TupleTableSlot** slots,
                                 TupleTableSlot** plan_slots, int* count) {
  for (int i = 0; i < *count; ++i)
    ExecInsert(estate, rinfo, slots[i], plan_slots[i]);
  return slots;
}

int InsertBatchSize(ResultRelInfo* rinfo) {
  // PostgreSQL batches only without RETURNING and row triggers.
  const InsertState* s = static_cast<const InsertState*>(rinfo->ri_FdwState);
  if (rinfo->ri_projectReturning != nullptr || s->keep_existing) return 1;
  return s->batch_rows > 0 ? s->batch_rows : kExecutorBatchRows;
}

void EndInsert(EState*, ResultRelInfo*) {}

}  // namespace lake::fdw
