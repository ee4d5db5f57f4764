// Time-series requests: series, writes, scans, buckets, retention.
#include "server/service.h"

namespace lake::server {

using namespace protocol;

Status Service::CheckSeries(const Caller& caller, std::span<const std::uint64_t> series) const {
  if (caller.admin) return Status::Ok();  // the engine refuses unknown ids itself
  for (std::uint64_t id : series) {
    // Another tenant's series reads exactly like one that does not exist.
    if (engines_.series->TenantOf(id) != caller.tenant)
      return Status::NotFound("unknown series " + std::to_string(id));
  }
  return Status::Ok();
}

Status Service::CheckSeries(const Caller& caller,
                            std::span<const timeseries::SeriesPoints> batch) const {
  std::vector<std::uint64_t> ids;
  ids.reserve(batch.size());
  for (const timeseries::SeriesPoints& part : batch)
    ids.push_back(part.series);
  return CheckSeries(caller, ids);
}

std::vector<timeseries::SeriesPoints> Service::PointsOf(const WritePointsRequest& r) {
  std::vector<timeseries::SeriesPoints> batch;
  batch.reserve(r.batch.size());
  for (const PointColumns& columns : r.batch)
    batch.push_back({columns.series, columns.timestamps, columns.values});
  return batch;
}

Result<SeriesIdsReply> Service::Do(Caller& c, EnsureSeriesRequest& r) {
  SeriesIdsReply reply;
  for (timeseries::SeriesKey& key : r.keys) {
    if (!c.admin && key.tenant != 0 && key.tenant != c.tenant) {
      return Status::PermissionDenied("a series for tenant " + std::to_string(key.tenant) +
                                      ": a tenant writes only its own series");
    }
    if (!c.admin) key.tenant = c.tenant;
    LAKE_ASSIGN_OR_RETURN(const std::uint64_t id, engines_.series->EnsureSeries(std::move(key)));
    reply.ids.push_back(id);
  }
  return reply;
}

Result<SeriesInfosReply> Service::Do(Caller& c, FindSeriesRequest& r) {
  SeriesInfosReply reply;
  if (!ScopeFilter(c, &r.filter.tenant)) return reply;
  for (std::uint64_t id : engines_.series->FindSeries(r.filter)) {
    LAKE_ASSIGN_OR_RETURN(auto info, engines_.series->DescribeSeries(id));
    reply.series.push_back(std::move(info));
  }
  return reply;
}

Result<SeriesInfosReply> Service::Do(Caller& c, DescribeSeriesRequest& r) {
  LAKE_RETURN_IF_ERROR(CheckSeries(c, r.ids));
  SeriesInfosReply reply;
  for (std::uint64_t id : r.ids) {
    LAKE_ASSIGN_OR_RETURN(auto info, engines_.series->DescribeSeries(id));
    reply.series.push_back(std::move(info));
  }
  return reply;
}

Result<EmptyReply> Service::Do(Caller& c, WritePointsRequest& r) {
  const std::vector<timeseries::SeriesPoints> batch = PointsOf(r);
  LAKE_RETURN_IF_ERROR(CheckSeries(c, batch));
  LAKE_RETURN_IF_ERROR(engines_.series->Write(batch, {.also = c.commit_record}));
  return EmptyReply{};
}

Result<EmptyReply> Service::Do(Caller& c, WriteTextsRequest& r) {
  std::vector<std::uint64_t> ids;
  std::vector<std::vector<std::string_view>> texts;
  texts.reserve(r.batch.size());
  std::vector<timeseries::TextPoints> batch;
  for (const TextColumns& columns : r.batch) {
    ids.push_back(columns.series);
    texts.emplace_back(columns.texts.begin(), columns.texts.end());
    batch.push_back({columns.series, columns.timestamps, texts.back()});
  }
  LAKE_RETURN_IF_ERROR(CheckSeries(c, ids));
  LAKE_RETURN_IF_ERROR(engines_.series->WriteText(batch, {.also = c.commit_record}));
  return EmptyReply{};
}

Result<ScanReply> Service::Do(Caller& c, ScanRequest& r) {
  LAKE_RETURN_IF_ERROR(CheckSeries(c, r.series));
  LAKE_ASSIGN_OR_RETURN(auto series, engines_.series->Scan(r.series, r.start, r.end));
  return ScanReply{std::move(series)};
}

Result<BucketsReply> Service::Do(Caller& c, TimeBucketRequest& r) {
  LAKE_RETURN_IF_ERROR(CheckSeries(c, r.query.series));
  LAKE_ASSIGN_OR_RETURN(auto rows, engines_.series->TimeBucket(r.query));
  return BucketsReply{std::move(rows)};
}

Result<LastPointsReply> Service::Do(Caller& c, LastPointRequest& r) {
  LAKE_RETURN_IF_ERROR(CheckSeries(c, r.series));
  LastPointsReply reply;
  for (std::uint64_t id : r.series) {
    LAKE_ASSIGN_OR_RETURN(auto point, engines_.series->LastPoint(id));
    reply.points.push_back(point);
  }
  return reply;
}

Result<PointEstimateReply> Service::Do(Caller& c, EstimatePointsRequest& r) {
  if (!ScopeFilter(c, &r.filter.tenant)) return PointEstimateReply{};
  const std::vector<std::uint64_t> series = engines_.series->FindSeries(r.filter);
  LAKE_ASSIGN_OR_RETURN(auto estimate, engines_.series->EstimatePoints(series, r.start, r.end));
  return PointEstimateReply{estimate};
}

Result<EmptyReply> Service::Do(Caller& c, DeleteRangeRequest& r) {
  LAKE_RETURN_IF_ERROR(CheckSeries(c, r.series));
  for (std::uint64_t id : r.series)
    LAKE_RETURN_IF_ERROR(engines_.series->DeleteRange(id, r.start, r.end));
  return EmptyReply{};
}

Result<RetentionReply> Service::Do(Caller&, GetRetentionRequest&) {
  return RetentionReply{engines_.series->retention()};
}

Result<EmptyReply> Service::Do(Caller& c, SetRetentionRequest& r) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "retention settings"));
  LAKE_RETURN_IF_ERROR(engines_.series->SetRetention(r.settings));
  return EmptyReply{};
}

Result<EmptyReply> Service::Do(Caller& c, ApplyRetentionRequest&) {
  LAKE_RETURN_IF_ERROR(RequireAdmin(c, "applying retention"));
  LAKE_RETURN_IF_ERROR(engines_.series->ApplyRetention());
  return EmptyReply{};
}

}  // namespace lake::server
