// Vector requests: collections, records, searches.
#include "common/log.h"
#include "server/service.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "vectors/vector_record.h"

namespace lake::server {

using namespace protocol;

Result<EmptyReply> Service::Do(Caller& c, CreateCollectionRequest& r) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "creating collections"));
  LAKE_RETURN_IF_ERROR(engines_.vectors->CreateCollection(r.spec));
  Log(LogLevel::kInfo, "created collection '" + r.spec.name + "'");
  return EmptyReply{};
}

Result<EmptyReply> Service::Do(Caller& c, DropCollectionRequest& r) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "dropping collections"));
  LAKE_RETURN_IF_ERROR(engines_.vectors->DropCollection(r.name));
  Log(LogLevel::kInfo, "dropped collection '" + r.name + "'");
  return EmptyReply{};
}

Result<CollectionsReply> Service::Do(Caller& c, ListCollectionsRequest& r) {
  CollectionsReply reply;
  if (r.name.empty()) {
    reply.collections = engines_.vectors->ListCollections();
  } else {
    LAKE_ASSIGN_OR_RETURN(auto info, engines_.vectors->DescribeCollection(r.name));
    reply.collections.push_back(std::move(info));
  }
  if (!c.admin) {
    // A tenant learns the shape of a collection and its own row count only.
    for (vectors::CollectionInfo& info : reply.collections) {
      LAKE_ASSIGN_OR_RETURN(info.record_count,
                            engines_.vectors->CountTenantRows(info.spec.name, c.tenant));
      info.model_versions.clear();
      info.table_bytes = info.index_bytes = 0;
    }
  }
  return reply;
}

Result<EmptyReply> Service::Do(Caller& c, RebuildIndexRequest& r) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "rebuilding indexes"));
  Log(LogLevel::kInfo, "rebuilding the index of '" + r.name + "'");
  LAKE_RETURN_IF_ERROR(engines_.vectors->RebuildIndex(r.name, r.settings, 2));
  LAKE_RETURN_IF_ERROR(engines_.vectors->SnapshotIndexes());
  return EmptyReply{};
}

Result<EmptyReply> Service::Do(Caller& c, SetActiveVersionRequest& r) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "switching model versions"));
  LAKE_RETURN_IF_ERROR(engines_.vectors->SetActiveModelVersion(r.name, r.version));
  return EmptyReply{};
}

Status Service::KeepOnlyNew(UpsertRequest& r) const {
  if (!r.keep_existing) return Status::Ok();
  // Existence whoever holds the id: a tenant learns nothing it could not
  // learn from an error, and another tenant's record is kept, as a unique
  // key under row-level security keeps it.
  std::vector<vectors::VectorRecord> fresh;
  std::set<std::pair<std::int64_t, std::int32_t>> seen;
  for (vectors::VectorRecord& record : r.records) {
    if (!seen.emplace(record.id, record.model_version).second) continue;
    LAKE_ASSIGN_OR_RETURN(auto existing,
                          engines_.vectors->Get(r.collection, record.id, record.model_version));
    if (!existing) fresh.push_back(std::move(record));
  }
  r.records = std::move(fresh);
  return Status::Ok();
}

Result<EmptyReply> Service::Do(Caller& c, UpsertRequest& r) {
  LAKE_RETURN_IF_ERROR(KeepOnlyNew(r));
  LAKE_RETURN_IF_ERROR(
      engines_.vectors->Upsert(r.collection, r.records, {.also = c.commit_record}, ScopeOf(c)));
  return EmptyReply{};
}

Result<RecordsReply> Service::Do(Caller& c, GetRequest& r) {
  RecordsReply reply;
  for (std::int64_t id : r.ids) {
    LAKE_ASSIGN_OR_RETURN(auto record,
                          engines_.vectors->Get(r.collection, id, r.model_version, ScopeOf(c)));
    if (record) reply.records.push_back(std::move(*record));
  }
  return reply;
}

Result<CountReply> Service::Do(Caller& c, DeleteRequest& r) {
  LAKE_ASSIGN_OR_RETURN(const std::size_t removed,
                        engines_.vectors->Delete(r.collection, r.ids, r.model_version,
                                                 {.also = c.commit_record}, ScopeOf(c)));
  return CountReply{removed};
}

Result<SearchReply> Service::Do(Caller& c, SearchRequest& r) {
  // A filter naming another tenant still gets the query checked.
  const bool matches = ScopeFilter(c, &r.options.tenant_id);
  LAKE_ASSIGN_OR_RETURN(auto results,
                        engines_.vectors->SearchBatch(r.collection, r.queries, r.options));
  if (!matches)
    for (auto& neighbors : results)
      neighbors.clear();
  return SearchReply{std::move(results)};
}

Result<RecordsReply> Service::Do(Caller& c, ScanRecordsRequest& r) {
  if (!ScopeFilter(c, &r.scan.tenant_id)) r.scan.limit = 0;
  LAKE_ASSIGN_OR_RETURN(auto records, engines_.vectors->ScanRecords(r.collection, r.scan));
  return RecordsReply{std::move(records)};
}

// The answer to a change whose filter names another tenant: nothing
// changed, once the collection is known to exist.
Result<CountReply> Service::NothingMatches(const std::string& collection) const {
  LAKE_RETURN_IF_ERROR(engines_.vectors->ScanRecords(collection, {.limit = 0}).status());
  return CountReply{0};
}

Result<CountReply> Service::Do(Caller& c, DeleteMatchingRequest& r) {
  vectors::RecordScan scan = r.matching;
  if (!ScopeFilter(c, &scan.tenant_id)) return NothingMatches(r.collection);
  scan.with_embeddings = false;
  scan.limit = 10000;
  scan.after.reset();
  // The keys first, then one delete per model version.
  std::map<std::int32_t, std::vector<std::int64_t>> ids_by_version;
  for (;;) {
    LAKE_ASSIGN_OR_RETURN(auto page, engines_.vectors->ScanRecords(r.collection, scan));
    for (const auto& record : page)
      ids_by_version[record.model_version].push_back(record.id);
    if (page.size() < scan.limit) break;
    scan.after = std::pair(page.back().id, page.back().model_version);
  }
  std::uint64_t deleted = 0;
  for (const auto& [version, ids] : ids_by_version) {
    LAKE_ASSIGN_OR_RETURN(const std::size_t removed,
                          engines_.vectors->Delete(r.collection, ids, version, {}, ScopeOf(c)));
    deleted += removed;
  }
  return CountReply{deleted};
}

Result<CountReply> Service::Do(Caller& c, UpdateMetadataRequest& r) {
  LAKE_RETURN_IF_ERROR(vectors::CheckMetadata(r.metadata_json));
  vectors::RecordScan scan = r.matching;
  if (!ScopeFilter(c, &scan.tenant_id)) return NothingMatches(r.collection);
  scan.with_embeddings = true;
  scan.limit = 1000;
  scan.after.reset();
  // A page at a time: each record read whole and written back.
  std::uint64_t changed = 0;
  for (;;) {
    LAKE_ASSIGN_OR_RETURN(auto page, engines_.vectors->ScanRecords(r.collection, scan));
    if (page.empty()) break;
    const std::size_t found = page.size();
    scan.after = std::pair(page.back().id, page.back().model_version);
    for (auto& record : page)
      record.metadata_json = r.metadata_json;
    LAKE_RETURN_IF_ERROR(engines_.vectors->Upsert(r.collection, page, {}, ScopeOf(c)));
    changed += found;
    if (found < scan.limit) break;
  }
  return CountReply{changed};
}

}  // namespace lake::server
