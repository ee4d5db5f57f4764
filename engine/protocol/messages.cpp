#include "protocol/messages.h"

#include <cstring>

namespace lake::protocol {

namespace {

using timeseries::Aggregate;
using timeseries::BucketRow;
using timeseries::Point;
using timeseries::RetentionPolicy;
using timeseries::SeriesInfo;
using timeseries::SeriesKey;
using timeseries::SeriesScan;
using timeseries::Tags;
using vectors::CollectionInfo;
using vectors::CollectionSpec;
using vectors::IndexSettings;
using vectors::Neighbor;
using vectors::VectorRecord;

struct Name {
  MessageType type;
  std::string_view name;
};
constexpr Name kNames[] = {
    {MessageType::kAuthenticate, "authenticate"},
    {MessageType::kPing, "ping"},
    {MessageType::kStats, "stats"},
    {MessageType::kCreateToken, "create_token"},
    {MessageType::kRevokeToken, "revoke_token"},
    {MessageType::kSnapshotIndexes, "snapshot_indexes"},
    {MessageType::kCheckpoint, "checkpoint"},
    {MessageType::kFlush, "flush"},
    {MessageType::kCreateCollection, "create_collection"},
    {MessageType::kDropCollection, "drop_collection"},
    {MessageType::kListCollections, "list_collections"},
    {MessageType::kRebuildIndex, "rebuild_index"},
    {MessageType::kSetActiveVersion, "set_active_version"},
    {MessageType::kUpsert, "upsert"},
    {MessageType::kGet, "get"},
    {MessageType::kDelete, "delete"},
    {MessageType::kSearch, "search"},
    {MessageType::kScanRecords, "scan_records"},
    {MessageType::kDeleteMatching, "delete_matching"},
    {MessageType::kUpdateMetadata, "update_metadata"},
    {MessageType::kEnsureSeries, "ensure_series"},
    {MessageType::kFindSeries, "find_series"},
    {MessageType::kDescribeSeries, "describe_series"},
    {MessageType::kWritePoints, "write_points"},
    {MessageType::kWriteTexts, "write_texts"},
    {MessageType::kScan, "scan"},
    {MessageType::kTimeBucket, "time_bucket"},
    {MessageType::kLastPoint, "last_point"},
    {MessageType::kDeleteRange, "delete_range"},
    {MessageType::kGetRetention, "get_retention"},
    {MessageType::kSetRetention, "set_retention"},
    {MessageType::kApplyRetention, "apply_retention"},
    {MessageType::kEstimatePoints, "estimate_points"},
    {MessageType::kBeginTransaction, "begin_transaction"},
    {MessageType::kCommitTransaction, "commit_transaction"},
    {MessageType::kAbortTransaction, "abort_transaction"},
    {MessageType::kTransactionStatus, "transaction_status"},
    {MessageType::kPrepareTransaction, "prepare_transaction"},
    {MessageType::kResolvePrepared, "resolve_prepared"},
    {MessageType::kListPrepared, "list_prepared"},
};

// Scalars are fixed-width little-endian; lengths and counts are varints.
template <typename T>
void Put(ByteWriter& out, T value) {
  out.Fixed(value);
}
template <typename T>
Status Take(ByteReader& in, T* value) {
  return in.Fixed(value);
}

void Put(ByteWriter& out, std::string_view text) {
  out.Varint(text.size());
  out.Bytes(text.data(), text.size());
}
void Put(ByteWriter& out, const std::string& text) {
  Put(out, std::string_view(text));
}
Status Take(ByteReader& in, std::string* text) {
  std::uint64_t size = 0;
  LAKE_RETURN_IF_ERROR(in.Varint(&size));
  if (size > in.remaining()) return Status::Corruption("string longer than the payload");
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(size, &data));
  text->assign(data, size);
  return Status::Ok();
}

void PutBool(ByteWriter& out, bool value) {
  out.Fixed<std::uint8_t>(value ? 1 : 0);
}
Status TakeBool(ByteReader& in, bool* value) {
  std::uint8_t byte = 0;
  LAKE_RETURN_IF_ERROR(in.Fixed(&byte));
  if (byte > 1) return Status::Corruption("a flag must be 0 or 1");
  *value = byte == 1;
  return Status::Ok();
}

// An enum as one byte, checked against its last value.
template <typename E>
void PutEnum(ByteWriter& out, E value) {
  out.Fixed(static_cast<std::uint8_t>(value));
}
template <typename E>
Status TakeEnum(ByteReader& in, E last, E* value) {
  std::uint8_t byte = 0;
  LAKE_RETURN_IF_ERROR(in.Fixed(&byte));
  if (byte > static_cast<std::uint8_t>(last)) return Status::Corruption("unknown enum value");
  *value = static_cast<E>(byte);
  return Status::Ok();
}

// Arrays of fixed-width values travel packed: a count, then the raw bytes.
template <typename T>
void PutPacked(ByteWriter& out, const std::vector<T>& values) {
  out.Varint(values.size());
  out.Bytes(values.data(), values.size() * sizeof(T));
}
template <typename T>
Status TakePacked(ByteReader& in, std::vector<T>* values) {
  std::uint64_t count = 0;
  LAKE_RETURN_IF_ERROR(in.Varint(&count));
  if (count > in.remaining() / sizeof(T))
    return Status::Corruption("array longer than the payload");
  const char* data = nullptr;
  LAKE_RETURN_IF_ERROR(in.Bytes(count * sizeof(T), &data));
  values->resize(count);
  std::memcpy(values->data(), data, count * sizeof(T));
  return Status::Ok();
}

// Lists of structs: a count (each element takes at least a byte, which
// bounds the count by the payload), then the elements.
template <typename T, typename WriteOne>
void PutList(ByteWriter& out, const std::vector<T>& items, WriteOne write_one) {
  out.Varint(items.size());
  for (const T& item : items)
    write_one(out, item);
}
template <typename T, typename ReadOne>
Status TakeList(ByteReader& in, std::vector<T>* items, ReadOne read_one) {
  std::uint64_t count = 0;
  LAKE_RETURN_IF_ERROR(in.Varint(&count));
  if (count > in.remaining()) return Status::Corruption("list longer than the payload");
  items->resize(count);
  for (T& item : *items) {
    Status status = read_one(in, &item);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

template <typename T>
void PutOptional(ByteWriter& out, const std::optional<T>& value) {
  PutBool(out, value.has_value());
  if (value) Put(out, *value);
}
template <typename T>
Status TakeOptional(ByteReader& in, std::optional<T>* value) {
  bool present;
  LAKE_RETURN_IF_ERROR(TakeBool(in, &present));
  if (!present) {
    value->reset();
    return Status::Ok();
  }
  T inner{};
  LAKE_RETURN_IF_ERROR(Take(in, &inner));
  *value = inner;
  return Status::Ok();
}

void PutSettings(ByteWriter& out, const IndexSettings& s) {
  PutEnum(out, s.kind);
  PutBool(out, s.hnsw_walk_int8);
  for (int value : {s.hnsw_m, s.hnsw_ef_construction, s.hnsw_ef_search, s.ivf_lists, s.ivf_probes})
    Put<std::int32_t>(out, value);
}
Status TakeSettings(ByteReader& in, IndexSettings* s) {
  LAKE_RETURN_IF_ERROR(TakeEnum(in, vectors::IndexKind::kIvfPq, &s->kind));
  LAKE_RETURN_IF_ERROR(TakeBool(in, &s->hnsw_walk_int8));
  for (int* value :
       {&s->hnsw_m, &s->hnsw_ef_construction, &s->hnsw_ef_search, &s->ivf_lists, &s->ivf_probes}) {
    std::int32_t v = 0;
    LAKE_RETURN_IF_ERROR(Take(in, &v));
    *value = v;
  }
  return Status::Ok();
}

void PutSpec(ByteWriter& out, const CollectionSpec& spec) {
  Put(out, spec.name);
  Put(out, spec.dimension);
  PutEnum(out, spec.metric);
  PutEnum(out, spec.codec);
  Put(out, spec.model_name);
  Put(out, spec.active_model_version);
  PutSettings(out, spec.index);
}
Status TakeSpec(ByteReader& in, CollectionSpec* spec) {
  LAKE_RETURN_IF_ERROR(Take(in, &spec->name));
  LAKE_RETURN_IF_ERROR(Take(in, &spec->dimension));
  LAKE_RETURN_IF_ERROR(TakeEnum(in, vectors::Metric::kInnerProduct, &spec->metric));
  LAKE_RETURN_IF_ERROR(TakeEnum(in, vectors::Codec::kInt8, &spec->codec));
  LAKE_RETURN_IF_ERROR(Take(in, &spec->model_name));
  LAKE_RETURN_IF_ERROR(Take(in, &spec->active_model_version));
  return TakeSettings(in, &spec->index);
}

void PutRecord(ByteWriter& out, const VectorRecord& r) {
  Put(out, r.id);
  Put(out, r.tenant_id);
  Put(out, r.model_version);
  Put(out, r.created_at_us);
  Put(out, r.metadata_json);
  PutPacked(out, r.embedding);
}
Status TakeRecord(ByteReader& in, VectorRecord* r) {
  LAKE_RETURN_IF_ERROR(Take(in, &r->id));
  LAKE_RETURN_IF_ERROR(Take(in, &r->tenant_id));
  LAKE_RETURN_IF_ERROR(Take(in, &r->model_version));
  LAKE_RETURN_IF_ERROR(Take(in, &r->created_at_us));
  LAKE_RETURN_IF_ERROR(Take(in, &r->metadata_json));
  return TakePacked(in, &r->embedding);
}

void PutTags(ByteWriter& out, const Tags& tags) {
  PutList(out, tags, [](ByteWriter& o, const std::pair<std::string, std::string>& tag) {
    Put(o, tag.first);
    Put(o, tag.second);
  });
}
Status TakeTags(ByteReader& in, Tags* tags) {
  return TakeList(in, tags, [](ByteReader& i, std::pair<std::string, std::string>* tag) {
    LAKE_RETURN_IF_ERROR(Take(i, &tag->first));
    return Take(i, &tag->second);
  });
}

void PutSeriesKey(ByteWriter& out, const SeriesKey& key) {
  Put(out, key.tenant);
  Put(out, key.metric);
  PutTags(out, key.tags);
  PutEnum(out, key.retention);
  PutEnum(out, key.kind);
}
Status TakeSeriesKey(ByteReader& in, SeriesKey* key) {
  LAKE_RETURN_IF_ERROR(Take(in, &key->tenant));
  LAKE_RETURN_IF_ERROR(Take(in, &key->metric));
  LAKE_RETURN_IF_ERROR(TakeTags(in, &key->tags));
  LAKE_RETURN_IF_ERROR(TakeEnum(in, timeseries::RetentionClass::kCompliance, &key->retention));
  return TakeEnum(in, timeseries::SeriesKind::kState, &key->kind);
}

void PutAggregate(ByteWriter& out, const Aggregate& a) {
  Put(out, a.count);
  for (double v : {a.sum, a.m2, a.min, a.max})
    Put(out, v);
  Put(out, a.first_ts);
  Put(out, a.first);
  Put(out, a.last_ts);
  Put(out, a.last);
}
Status TakeAggregate(ByteReader& in, Aggregate* a) {
  LAKE_RETURN_IF_ERROR(Take(in, &a->count));
  for (double* v : {&a->sum, &a->m2, &a->min, &a->max})
    LAKE_RETURN_IF_ERROR(Take(in, v));
  LAKE_RETURN_IF_ERROR(Take(in, &a->first_ts));
  LAKE_RETURN_IF_ERROR(Take(in, &a->first));
  LAKE_RETURN_IF_ERROR(Take(in, &a->last_ts));
  return Take(in, &a->last);
}

void PutPolicy(ByteWriter& out, const RetentionPolicy& p) {
  for (std::int64_t v : {p.raw, p.minute, p.hour, p.day})
    Put(out, v);
}
Status TakePolicy(ByteReader& in, RetentionPolicy* p) {
  for (std::int64_t* v : {&p->raw, &p->minute, &p->hour, &p->day})
    LAKE_RETURN_IF_ERROR(Take(in, v));
  return Status::Ok();
}

void PutRetention(ByteWriter& out, const timeseries::RetentionSettings& settings) {
  PutPolicy(out, settings.standard);
  PutPolicy(out, settings.compliance);
}
Status TakeRetention(ByteReader& in, timeseries::RetentionSettings* settings) {
  LAKE_RETURN_IF_ERROR(TakePolicy(in, &settings->standard));
  return TakePolicy(in, &settings->compliance);
}

void PutTexts(ByteWriter& out, const std::vector<std::string>& texts) {
  PutList(out, texts, [](ByteWriter& o, const std::string& t) { Put(o, t); });
}
Status TakeTexts(ByteReader& in, std::vector<std::string>* texts) {
  return TakeList(in, texts, [](ByteReader& i, std::string* t) { return Take(i, t); });
}

void PutConditions(ByteWriter& out, const vectors::RecordConditions& c) {
  PutPacked(out, c.tenant_ids);
  PutPacked(out, c.model_versions);
  Put(out, c.id_min);
  Put(out, c.id_max);
  Put(out, c.created_min_us);
  Put(out, c.created_max_us);
  PutList(out, c.metadata_texts, [](ByteWriter& o, const vectors::MetadataText& text) {
    Put(o, text.key);
    PutTexts(o, text.texts);
  });
  PutTexts(out, c.metadata_contains);
}
Status TakeConditions(ByteReader& in, vectors::RecordConditions* c) {
  LAKE_RETURN_IF_ERROR(TakePacked(in, &c->tenant_ids));
  LAKE_RETURN_IF_ERROR(TakePacked(in, &c->model_versions));
  LAKE_RETURN_IF_ERROR(Take(in, &c->id_min));
  LAKE_RETURN_IF_ERROR(Take(in, &c->id_max));
  LAKE_RETURN_IF_ERROR(Take(in, &c->created_min_us));
  LAKE_RETURN_IF_ERROR(Take(in, &c->created_max_us));
  const auto take_text = [](ByteReader& i, vectors::MetadataText* text) {
    LAKE_RETURN_IF_ERROR(Take(i, &text->key));
    return TakeTexts(i, &text->texts);
  };
  const Status texts = TakeList(in, &c->metadata_texts, take_text);
  if (!texts.ok()) return texts;
  return TakeTexts(in, &c->metadata_contains);
}

}  // namespace

std::string_view MessageName(std::uint16_t type) {
  for (const Name& entry : kNames) {
    if (static_cast<std::uint16_t>(entry.type) == type) return entry.name;
  }
  return "unknown";
}

bool IsKnownMessage(std::uint16_t type) {
  return MessageName(type) != "unknown";
}

// Replies.

void Write(ByteWriter&, const EmptyReply&) {}
Status Read(ByteReader&, EmptyReply*) {
  return Status::Ok();
}

void Write(ByteWriter& out, const CountReply& m) {
  out.Varint(m.count);
}
Status Read(ByteReader& in, CountReply* m) {
  return in.Varint(&m->count);
}

void Write(ByteWriter& out, const TextReply& m) {
  Put(out, m.text);
}
Status Read(ByteReader& in, TextReply* m) {
  return Take(in, &m->text);
}

void Write(ByteWriter& out, const AuthenticateReply& m) {
  PutBool(out, m.admin);
  Put(out, m.tenant);
}
Status Read(ByteReader& in, AuthenticateReply* m) {
  LAKE_RETURN_IF_ERROR(TakeBool(in, &m->admin));
  return Take(in, &m->tenant);
}

void Write(ByteWriter& out, const CollectionsReply& m) {
  PutList(out, m.collections, [](ByteWriter& o, const CollectionInfo& info) {
    PutSpec(o, info.spec);
    for (std::size_t v :
         {info.record_count, info.table_bytes, info.index_bytes, info.walked_bytes_per_row})
      o.Varint(v);
    PutList(o, info.model_versions,
            [](ByteWriter& w, const std::pair<std::int32_t, std::size_t>& v) {
              Put(w, v.first);
              w.Varint(v.second);
            });
  });
}
Status Read(ByteReader& in, CollectionsReply* m) {
  return TakeList(in, &m->collections, [](ByteReader& i, CollectionInfo* info) {
    LAKE_RETURN_IF_ERROR(TakeSpec(i, &info->spec));
    for (std::size_t* v : {&info->record_count, &info->table_bytes, &info->index_bytes,
                           &info->walked_bytes_per_row}) {
      std::uint64_t value;
      LAKE_RETURN_IF_ERROR(i.Varint(&value));
      *v = value;
    }
    return TakeList(i, &info->model_versions,
                    [](ByteReader& r, std::pair<std::int32_t, std::size_t>* v) {
                      LAKE_RETURN_IF_ERROR(Take(r, &v->first));
                      std::uint64_t count;
                      LAKE_RETURN_IF_ERROR(r.Varint(&count));
                      v->second = count;
                      return Status::Ok();
                    });
  });
}

void Write(ByteWriter& out, const RecordsReply& m) {
  PutList(out, m.records, PutRecord);
}
Status Read(ByteReader& in, RecordsReply* m) {
  return TakeList(in, &m->records, TakeRecord);
}

void Write(ByteWriter& out, const SearchReply& m) {
  PutList(out, m.results, [](ByteWriter& o, const std::vector<Neighbor>& hits) {
    PutList(o, hits, [](ByteWriter& w, const Neighbor& n) {
      Put(w, n.id);
      Put(w, n.model_version);
      Put(w, n.distance);
    });
  });
}
Status Read(ByteReader& in, SearchReply* m) {
  return TakeList(in, &m->results, [](ByteReader& i, std::vector<Neighbor>* hits) {
    return TakeList(i, hits, [](ByteReader& r, Neighbor* n) {
      LAKE_RETURN_IF_ERROR(Take(r, &n->id));
      LAKE_RETURN_IF_ERROR(Take(r, &n->model_version));
      return Take(r, &n->distance);
    });
  });
}

void Write(ByteWriter& out, const SeriesIdsReply& m) {
  PutPacked(out, m.ids);
}
Status Read(ByteReader& in, SeriesIdsReply* m) {
  return TakePacked(in, &m->ids);
}

void Write(ByteWriter& out, const SeriesInfosReply& m) {
  PutList(out, m.series, [](ByteWriter& o, const SeriesInfo& info) {
    Put(o, info.id);
    PutSeriesKey(o, info.key);
  });
}
Status Read(ByteReader& in, SeriesInfosReply* m) {
  return TakeList(in, &m->series, [](ByteReader& i, SeriesInfo* info) {
    LAKE_RETURN_IF_ERROR(Take(i, &info->id));
    return TakeSeriesKey(i, &info->key);
  });
}

void Write(ByteWriter& out, const ScanReply& m) {
  PutList(out, m.series, [](ByteWriter& o, const SeriesScan& scan) {
    Put(o, scan.series);
    PutPacked(o, scan.timestamps);
    PutPacked(o, scan.values);
    PutTexts(o, scan.texts);
  });
}
Status Read(ByteReader& in, ScanReply* m) {
  return TakeList(in, &m->series, [](ByteReader& i, SeriesScan* scan) {
    LAKE_RETURN_IF_ERROR(Take(i, &scan->series));
    LAKE_RETURN_IF_ERROR(TakePacked(i, &scan->timestamps));
    LAKE_RETURN_IF_ERROR(TakePacked(i, &scan->values));
    return TakeTexts(i, &scan->texts);
  });
}

void Write(ByteWriter& out, const BucketsReply& m) {
  PutList(out, m.rows, [](ByteWriter& o, const BucketRow& row) {
    Put(o, row.group);
    Put(o, row.bucket);
    PutAggregate(o, row.aggregate);
    Put(o, row.first_text);
    Put(o, row.last_text);
  });
}
Status Read(ByteReader& in, BucketsReply* m) {
  return TakeList(in, &m->rows, [](ByteReader& i, BucketRow* row) {
    LAKE_RETURN_IF_ERROR(Take(i, &row->group));
    LAKE_RETURN_IF_ERROR(Take(i, &row->bucket));
    LAKE_RETURN_IF_ERROR(TakeAggregate(i, &row->aggregate));
    LAKE_RETURN_IF_ERROR(Take(i, &row->first_text));
    return Take(i, &row->last_text);
  });
}

void Write(ByteWriter& out, const PointEstimateReply& m) {
  Put(out, m.estimate.series);
  Put(out, m.estimate.points);
  Put(out, m.estimate.first);
  Put(out, m.estimate.last);
  PutBool(out, m.estimate.any);
  Put(out, m.estimate.data_first);
  Put(out, m.estimate.data_last);
}
Status Read(ByteReader& in, PointEstimateReply* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->estimate.series));
  LAKE_RETURN_IF_ERROR(Take(in, &m->estimate.points));
  LAKE_RETURN_IF_ERROR(Take(in, &m->estimate.first));
  LAKE_RETURN_IF_ERROR(Take(in, &m->estimate.last));
  LAKE_RETURN_IF_ERROR(TakeBool(in, &m->estimate.any));
  LAKE_RETURN_IF_ERROR(Take(in, &m->estimate.data_first));
  return Take(in, &m->estimate.data_last);
}

void Write(ByteWriter& out, const LastPointsReply& m) {
  PutList(out, m.points, [](ByteWriter& o, const std::optional<Point>& point) {
    PutBool(o, point.has_value());
    if (!point) return;
    Put(o, point->timestamp);
    Put(o, point->value);
  });
}
Status Read(ByteReader& in, LastPointsReply* m) {
  return TakeList(in, &m->points, [](ByteReader& i, std::optional<Point>* point) {
    bool present;
    LAKE_RETURN_IF_ERROR(TakeBool(i, &present));
    if (!present) return Status::Ok();
    Point p;
    LAKE_RETURN_IF_ERROR(Take(i, &p.timestamp));
    LAKE_RETURN_IF_ERROR(Take(i, &p.value));
    *point = p;
    return Status::Ok();
  });
}

void Write(ByteWriter& out, const RetentionReply& m) {
  PutRetention(out, m.settings);
}
Status Read(ByteReader& in, RetentionReply* m) {
  return TakeRetention(in, &m->settings);
}

// Requests.

void Write(ByteWriter& out, const AuthenticateRequest& m) {
  Put(out, m.token);
}
Status Read(ByteReader& in, AuthenticateRequest* m) {
  return Take(in, &m->token);
}

void Write(ByteWriter&, const PingRequest&) {}
Status Read(ByteReader&, PingRequest*) {
  return Status::Ok();
}

void Write(ByteWriter&, const StatsRequest&) {}
Status Read(ByteReader&, StatsRequest*) {
  return Status::Ok();
}

void Write(ByteWriter& out, const CreateTokenRequest& m) {
  Put(out, m.tenant);
}
Status Read(ByteReader& in, CreateTokenRequest* m) {
  return Take(in, &m->tenant);
}

void Write(ByteWriter& out, const RevokeTokenRequest& m) {
  Put(out, m.token);
}
Status Read(ByteReader& in, RevokeTokenRequest* m) {
  return Take(in, &m->token);
}

void Write(ByteWriter&, const SnapshotIndexesRequest&) {}
Status Read(ByteReader&, SnapshotIndexesRequest*) {
  return Status::Ok();
}

void Write(ByteWriter& out, const CheckpointRequest& m) {
  Put(out, m.target_dir);
}
Status Read(ByteReader& in, CheckpointRequest* m) {
  return Take(in, &m->target_dir);
}

void Write(ByteWriter&, const FlushRequest&) {}
Status Read(ByteReader&, FlushRequest*) {
  return Status::Ok();
}

void Write(ByteWriter& out, const CreateCollectionRequest& m) {
  PutSpec(out, m.spec);
}
Status Read(ByteReader& in, CreateCollectionRequest* m) {
  return TakeSpec(in, &m->spec);
}

void Write(ByteWriter& out, const DropCollectionRequest& m) {
  Put(out, m.name);
}
Status Read(ByteReader& in, DropCollectionRequest* m) {
  return Take(in, &m->name);
}

void Write(ByteWriter& out, const ListCollectionsRequest& m) {
  Put(out, m.name);
}
Status Read(ByteReader& in, ListCollectionsRequest* m) {
  return Take(in, &m->name);
}

void Write(ByteWriter& out, const RebuildIndexRequest& m) {
  Put(out, m.name);
  PutSettings(out, m.settings);
}
Status Read(ByteReader& in, RebuildIndexRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->name));
  return TakeSettings(in, &m->settings);
}

void Write(ByteWriter& out, const SetActiveVersionRequest& m) {
  Put(out, m.name);
  Put(out, m.version);
}
Status Read(ByteReader& in, SetActiveVersionRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->name));
  return Take(in, &m->version);
}

void Write(ByteWriter& out, const UpsertRequest& m) {
  Put(out, m.collection);
  PutList(out, m.records, PutRecord);
  PutBool(out, m.keep_existing);
}
Status Read(ByteReader& in, UpsertRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->collection));
  LAKE_RETURN_IF_ERROR(TakeList(in, &m->records, TakeRecord));
  return TakeBool(in, &m->keep_existing);
}

void Write(ByteWriter& out, const GetRequest& m) {
  Put(out, m.collection);
  Put(out, m.model_version);
  PutPacked(out, m.ids);
}
Status Read(ByteReader& in, GetRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->collection));
  LAKE_RETURN_IF_ERROR(Take(in, &m->model_version));
  return TakePacked(in, &m->ids);
}

void Write(ByteWriter& out, const DeleteRequest& m) {
  Put(out, m.collection);
  PutOptional(out, m.model_version);
  PutPacked(out, m.ids);
}
Status Read(ByteReader& in, DeleteRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->collection));
  LAKE_RETURN_IF_ERROR(TakeOptional(in, &m->model_version));
  return TakePacked(in, &m->ids);
}

void Write(ByteWriter& out, const SearchRequest& m) {
  const vectors::SearchRequest& o = m.options;
  Put(out, m.collection);
  out.Varint(o.k);
  PutOptional(out, o.tenant_id);
  Put(out, o.model_version);
  PutPacked(out, o.allowed_ids);
  out.Varint(o.ef_search);
  out.Varint(o.probes);
  PutEnum(out, o.method);
  Put(out, o.dimension);
  PutConditions(out, o.conditions);
  PutBool(out, o.metric.has_value());
  if (o.metric) PutEnum(out, *o.metric);
  PutBool(out, o.after.has_value());
  if (o.after) {
    Put(out, o.after->id);
    Put(out, o.after->model_version);
    Put(out, o.after->distance);
  }
  out.Varint(o.returned);
  PutPacked(out, m.queries);
}
Status Read(ByteReader& in, SearchRequest* m) {
  vectors::SearchRequest& o = m->options;
  LAKE_RETURN_IF_ERROR(Take(in, &m->collection));
  std::uint64_t k, ef_search, probes;
  LAKE_RETURN_IF_ERROR(in.Varint(&k));
  LAKE_RETURN_IF_ERROR(TakeOptional(in, &o.tenant_id));
  LAKE_RETURN_IF_ERROR(Take(in, &o.model_version));
  LAKE_RETURN_IF_ERROR(TakePacked(in, &o.allowed_ids));
  LAKE_RETURN_IF_ERROR(in.Varint(&ef_search));
  LAKE_RETURN_IF_ERROR(in.Varint(&probes));
  LAKE_RETURN_IF_ERROR(TakeEnum(in, vectors::SearchMethod::kIndex, &o.method));
  LAKE_RETURN_IF_ERROR(Take(in, &o.dimension));
  LAKE_RETURN_IF_ERROR(TakeConditions(in, &o.conditions));
  bool has_metric = false, has_after = false;
  LAKE_RETURN_IF_ERROR(TakeBool(in, &has_metric));
  if (has_metric) {
    vectors::Metric metric;
    LAKE_RETURN_IF_ERROR(TakeEnum(in, vectors::Metric::kInnerProduct, &metric));
    o.metric = metric;
  }
  LAKE_RETURN_IF_ERROR(TakeBool(in, &has_after));
  if (has_after) {
    Neighbor after{};
    LAKE_RETURN_IF_ERROR(Take(in, &after.id));
    LAKE_RETURN_IF_ERROR(Take(in, &after.model_version));
    LAKE_RETURN_IF_ERROR(Take(in, &after.distance));
    o.after = after;
  }
  std::uint64_t returned = 0;
  LAKE_RETURN_IF_ERROR(in.Varint(&returned));
  o.returned = returned;
  LAKE_RETURN_IF_ERROR(TakePacked(in, &m->queries));
  o.k = k;
  o.ef_search = ef_search;
  o.probes = probes;
  if (o.dimension == 0 || m->queries.empty() || m->queries.size() % o.dimension != 0)
    return Status::Corruption("queries are not whole vectors of the given dimension");
  return Status::Ok();
}

void PutRecordScan(ByteWriter& out, const vectors::RecordScan& scan) {
  PutOptional(out, scan.tenant_id);
  PutOptional(out, scan.model_version);
  PutPacked(out, scan.ids);
  PutBool(out, scan.after.has_value());
  if (scan.after) {
    Put(out, scan.after->first);
    Put(out, scan.after->second);
  }
  out.Varint(scan.limit);
  PutBool(out, scan.with_embeddings);
  PutConditions(out, scan.conditions);
}
Status TakeRecordScan(ByteReader& in, vectors::RecordScan* scan) {
  LAKE_RETURN_IF_ERROR(TakeOptional(in, &scan->tenant_id));
  LAKE_RETURN_IF_ERROR(TakeOptional(in, &scan->model_version));
  LAKE_RETURN_IF_ERROR(TakePacked(in, &scan->ids));
  bool has_after = false;
  LAKE_RETURN_IF_ERROR(TakeBool(in, &has_after));
  if (has_after) {
    std::pair<std::int64_t, std::int32_t> after;
    LAKE_RETURN_IF_ERROR(Take(in, &after.first));
    LAKE_RETURN_IF_ERROR(Take(in, &after.second));
    scan->after = after;
  }
  std::uint64_t limit = 0;
  LAKE_RETURN_IF_ERROR(in.Varint(&limit));
  scan->limit = limit;
  LAKE_RETURN_IF_ERROR(TakeBool(in, &scan->with_embeddings));
  return TakeConditions(in, &scan->conditions);
}

void Write(ByteWriter& out, const ScanRecordsRequest& m) {
  Put(out, m.collection);
  PutRecordScan(out, m.scan);
}
Status Read(ByteReader& in, ScanRecordsRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->collection));
  return TakeRecordScan(in, &m->scan);
}

void Write(ByteWriter& out, const DeleteMatchingRequest& m) {
  Put(out, m.collection);
  PutRecordScan(out, m.matching);
}
Status Read(ByteReader& in, DeleteMatchingRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->collection));
  return TakeRecordScan(in, &m->matching);
}

void Write(ByteWriter& out, const UpdateMetadataRequest& m) {
  Put(out, m.collection);
  PutRecordScan(out, m.matching);
  Put(out, m.metadata_json);
}
Status Read(ByteReader& in, UpdateMetadataRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->collection));
  LAKE_RETURN_IF_ERROR(TakeRecordScan(in, &m->matching));
  return Take(in, &m->metadata_json);
}

void Write(ByteWriter&, const BeginTransactionRequest&) {}
Status Read(ByteReader&, BeginTransactionRequest*) {
  return Status::Ok();
}
void Write(ByteWriter&, const CommitTransactionRequest&) {}
Status Read(ByteReader&, CommitTransactionRequest*) {
  return Status::Ok();
}
void Write(ByteWriter&, const AbortTransactionRequest&) {}
Status Read(ByteReader&, AbortTransactionRequest*) {
  return Status::Ok();
}
void Write(ByteWriter& out, const TransactionStatusRequest& m) {
  Put(out, m.id);
}
Status Read(ByteReader& in, TransactionStatusRequest* m) {
  return Take(in, &m->id);
}
void Write(ByteWriter& out, const PrepareTransactionRequest& m) {
  Put(out, m.coordinator);
  Put(out, m.coordinator_xid);
}
Status Read(ByteReader& in, PrepareTransactionRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->coordinator));
  return Take(in, &m->coordinator_xid);
}
void Write(ByteWriter& out, const ResolvePreparedRequest& m) {
  Put(out, m.id);
  PutBool(out, m.commit);
}
Status Read(ByteReader& in, ResolvePreparedRequest* m) {
  LAKE_RETURN_IF_ERROR(Take(in, &m->id));
  return TakeBool(in, &m->commit);
}
void Write(ByteWriter& out, const ListPreparedRequest& m) {
  Put(out, m.coordinator);
}
Status Read(ByteReader& in, ListPreparedRequest* m) {
  return Take(in, &m->coordinator);
}
void Write(ByteWriter& out, const PreparedReply& m) {
  PutList(out, m.transactions, [](ByteWriter& o, const PreparedTransaction& t) {
    Put(o, t.id);
    Put(o, t.coordinator_xid);
  });
}
Status Read(ByteReader& in, PreparedReply* m) {
  return TakeList(in, &m->transactions, [](ByteReader& i, PreparedTransaction* t) {
    LAKE_RETURN_IF_ERROR(Take(i, &t->id));
    return Take(i, &t->coordinator_xid);
  });
}
void Write(ByteWriter& out, const TransactionReply& m) {
  Put(out, m.id);
}
Status Read(ByteReader& in, TransactionReply* m) {
  return Take(in, &m->id);
}
void Write(ByteWriter& out, const TransactionStatusReply& m) {
  Put(out, static_cast<std::uint8_t>(m.state));
}
Status Read(ByteReader& in, TransactionStatusReply* m) {
  std::uint8_t state = 0;
  LAKE_RETURN_IF_ERROR(Take(in, &state));
  if (state > static_cast<std::uint8_t>(TransactionState::kCommitted))
    return Status::InvalidArgument("unknown transaction state " + std::to_string(state));
  m->state = static_cast<TransactionState>(state);
  return Status::Ok();
}

void Write(ByteWriter& out, const EnsureSeriesRequest& m) {
  PutList(out, m.keys, PutSeriesKey);
}
Status Read(ByteReader& in, EnsureSeriesRequest* m) {
  return TakeList(in, &m->keys, TakeSeriesKey);
}

void PutSeriesFilter(ByteWriter& out, const timeseries::SeriesFilter& filter) {
  PutOptional(out, filter.tenant);
  PutOptional(out, filter.metric);
  PutTags(out, filter.tags);
  PutBool(out, filter.kind.has_value());
  if (filter.kind) PutEnum(out, *filter.kind);
}
Status TakeSeriesFilter(ByteReader& in, timeseries::SeriesFilter* filter) {
  LAKE_RETURN_IF_ERROR(TakeOptional(in, &filter->tenant));
  LAKE_RETURN_IF_ERROR(TakeOptional(in, &filter->metric));
  LAKE_RETURN_IF_ERROR(TakeTags(in, &filter->tags));
  bool has_kind = false;
  LAKE_RETURN_IF_ERROR(TakeBool(in, &has_kind));
  if (!has_kind) return Status::Ok();
  timeseries::SeriesKind kind{};
  LAKE_RETURN_IF_ERROR(TakeEnum(in, timeseries::SeriesKind::kState, &kind));
  filter->kind = kind;
  return Status::Ok();
}

void Write(ByteWriter& out, const FindSeriesRequest& m) {
  PutSeriesFilter(out, m.filter);
}
Status Read(ByteReader& in, FindSeriesRequest* m) {
  return TakeSeriesFilter(in, &m->filter);
}

void Write(ByteWriter& out, const EstimatePointsRequest& m) {
  PutSeriesFilter(out, m.filter);
  Put(out, m.start);
  Put(out, m.end);
}
Status Read(ByteReader& in, EstimatePointsRequest* m) {
  LAKE_RETURN_IF_ERROR(TakeSeriesFilter(in, &m->filter));
  LAKE_RETURN_IF_ERROR(Take(in, &m->start));
  return Take(in, &m->end);
}

void Write(ByteWriter& out, const DescribeSeriesRequest& m) {
  PutPacked(out, m.ids);
}
Status Read(ByteReader& in, DescribeSeriesRequest* m) {
  return TakePacked(in, &m->ids);
}

void Write(ByteWriter& out, const WritePointsRequest& m) {
  PutList(out, m.batch, [](ByteWriter& o, const PointColumns& c) {
    Put(o, c.series);
    PutPacked(o, c.timestamps);
    PutPacked(o, c.values);
  });
}
Status Read(ByteReader& in, WritePointsRequest* m) {
  return TakeList(in, &m->batch, [](ByteReader& i, PointColumns* c) {
    LAKE_RETURN_IF_ERROR(Take(i, &c->series));
    LAKE_RETURN_IF_ERROR(TakePacked(i, &c->timestamps));
    LAKE_RETURN_IF_ERROR(TakePacked(i, &c->values));
    if (c->timestamps.size() != c->values.size())
      return Status::Corruption("a series has more timestamps than values or fewer");
    return Status::Ok();
  });
}

void Write(ByteWriter& out, const WriteTextsRequest& m) {
  PutList(out, m.batch, [](ByteWriter& o, const TextColumns& c) {
    Put(o, c.series);
    PutPacked(o, c.timestamps);
    PutTexts(o, c.texts);
  });
}
Status Read(ByteReader& in, WriteTextsRequest* m) {
  return TakeList(in, &m->batch, [](ByteReader& i, TextColumns* c) {
    LAKE_RETURN_IF_ERROR(Take(i, &c->series));
    LAKE_RETURN_IF_ERROR(TakePacked(i, &c->timestamps));
    LAKE_RETURN_IF_ERROR(TakeTexts(i, &c->texts));
    if (c->timestamps.size() != c->texts.size())
      return Status::Corruption("a series has more timestamps than texts or fewer");
    return Status::Ok();
  });
}

void Write(ByteWriter& out, const ScanRequest& m) {
  PutPacked(out, m.series);
  Put(out, m.start);
  Put(out, m.end);
}
Status Read(ByteReader& in, ScanRequest* m) {
  LAKE_RETURN_IF_ERROR(TakePacked(in, &m->series));
  LAKE_RETURN_IF_ERROR(Take(in, &m->start));
  return Take(in, &m->end);
}

void Write(ByteWriter& out, const TimeBucketRequest& m) {
  const timeseries::BucketQuery& q = m.query;
  PutPacked(out, q.series);
  for (std::int64_t v : {q.start, q.end, q.width, q.origin})
    Put(out, v);
  PutEnum(out, q.group_by);
  Put(out, q.group_tag);
  PutBool(out, q.use_rollups);
}
Status Read(ByteReader& in, TimeBucketRequest* m) {
  timeseries::BucketQuery& q = m->query;
  LAKE_RETURN_IF_ERROR(TakePacked(in, &q.series));
  for (std::int64_t* v : {&q.start, &q.end, &q.width, &q.origin})
    LAKE_RETURN_IF_ERROR(Take(in, v));
  LAKE_RETURN_IF_ERROR(TakeEnum(in, timeseries::GroupBy::kAll, &q.group_by));
  LAKE_RETURN_IF_ERROR(Take(in, &q.group_tag));
  return TakeBool(in, &q.use_rollups);
}

void Write(ByteWriter& out, const LastPointRequest& m) {
  PutPacked(out, m.series);
}
Status Read(ByteReader& in, LastPointRequest* m) {
  return TakePacked(in, &m->series);
}

void Write(ByteWriter& out, const DeleteRangeRequest& m) {
  PutPacked(out, m.series);
  Put(out, m.start);
  Put(out, m.end);
}
Status Read(ByteReader& in, DeleteRangeRequest* m) {
  LAKE_RETURN_IF_ERROR(TakePacked(in, &m->series));
  LAKE_RETURN_IF_ERROR(Take(in, &m->start));
  return Take(in, &m->end);
}

void Write(ByteWriter&, const GetRetentionRequest&) {}
Status Read(ByteReader&, GetRetentionRequest*) {
  return Status::Ok();
}

void Write(ByteWriter& out, const SetRetentionRequest& m) {
  PutRetention(out, m.settings);
}
Status Read(ByteReader& in, SetRetentionRequest* m) {
  return TakeRetention(in, &m->settings);
}

void Write(ByteWriter&, const ApplyRetentionRequest&) {}
Status Read(ByteReader&, ApplyRetentionRequest*) {
  return Status::Ok();
}

}  // namespace lake::protocol
