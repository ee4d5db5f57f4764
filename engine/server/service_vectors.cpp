// Vector requests: collections, records, searches.
#include "common/log.h"
#include "server/service.h"

namespace lake::server {

using namespace protocol;

namespace {

std::optional<std::int64_t> ScopeOf(const Caller& c) {
  return c.admin ? std::nullopt : std::optional<std::int64_t>(c.tenant);
}

}  // namespace

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

Result<EmptyReply> Service::Do(Caller& c, UpsertRequest& r) {
  LAKE_RETURN_IF_ERROR(engines_.vectors->Upsert(r.collection, r.records, {}, ScopeOf(c)));
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
  LAKE_ASSIGN_OR_RETURN(
      const std::size_t removed,
      engines_.vectors->Delete(r.collection, r.ids, r.model_version, {}, ScopeOf(c)));
  return CountReply{removed};
}

Result<SearchReply> Service::Do(Caller& c, SearchRequest& r) {
  if (!c.admin) r.options.tenant_id = c.tenant;
  LAKE_ASSIGN_OR_RETURN(auto results,
                        engines_.vectors->SearchBatch(r.collection, r.queries, r.options));
  return SearchReply{std::move(results)};
}

Result<RecordsReply> Service::Do(Caller& c, ScanRecordsRequest& r) {
  if (!c.admin) r.scan.tenant_id = c.tenant;
  LAKE_ASSIGN_OR_RETURN(auto records, engines_.vectors->ScanRecords(r.collection, r.scan));
  return RecordsReply{std::move(records)};
}

}  // namespace lake::server
