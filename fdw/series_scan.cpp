// Before PostgreSQL's headers, which make snprintf a macro of their own.
#include <nlohmann/json.hpp>

#include "series_plan.h"
#include "series_scan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "connection.h"
#include "pg_boundary.h"
#include "planner_util.h"
#include "scan_values.h"
#include "table_kind.h"
#include "writes.h"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
}

namespace lake::fdw {

namespace {

enum PlanItem {
  kPlanKind,
  kPlanFilters,
  kPlanAttnos,
  kPlanAllPushed,
  kPlanRollup,
  kPlanNewestFirst,  // ORDER BY ts DESC LIMIT n: n (0: a scan in series order)
};

int KindOfTable(Oid table) {
  const char* kind = TableOption(table, "series");
  if (std::strcmp(kind, "metrics") == 0) return int(timeseries::SeriesKind::kMetric);
  if (std::strcmp(kind, "events") == 0) return int(timeseries::SeriesKind::kEvent);
  if (std::strcmp(kind, "states") == 0) return int(timeseries::SeriesKind::kState);
  ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
                  errmsg("lake: series must be metrics, events or states, not \"%s\"", kind)));
  pg_unreachable();
}

// The rollup option's bucket width in µs (0: a table of points).
std::int64_t RollupWidth(Oid table, int kind) {
  const char* rollup = TableOption(table, "rollup");
  if (rollup == nullptr) return 0;
  if (kind != int(timeseries::SeriesKind::kMetric))
    ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
                    errmsg("lake: rollups are of metrics only")));
  if (std::strcmp(rollup, "1 minute") == 0) return timeseries::kMicrosPerMinute;
  if (std::strcmp(rollup, "1 hour") == 0) return timeseries::kMicrosPerHour;
  if (std::strcmp(rollup, "1 day") == 0) return timeseries::kMicrosPerDay;
  ereport(ERROR,
          (errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
           errmsg("lake: rollup must be '1 minute', '1 hour' or '1 day', not \"%s\"", rollup)));
  pg_unreachable();
}

// ts <op> value as a filter, with the operator turned around when the
// column is on the right.
int TimeFilter(const char* op, bool column_on_left) {
  const char* name = op;
  if (!column_on_left) {
    if (std::strcmp(op, "<") == 0)
      name = ">";
    else if (std::strcmp(op, "<=") == 0)
      name = ">=";
    else if (std::strcmp(op, ">") == 0)
      name = "<";
    else if (std::strcmp(op, ">=") == 0)
      name = "<=";
  }
  if (std::strcmp(name, ">=") == 0) return kTsGe;
  if (std::strcmp(name, ">") == 0) return kTsGt;
  if (std::strcmp(name, "<") == 0) return kTsLt;
  if (std::strcmp(name, "<=") == 0) return kTsLe;
  if (std::strcmp(name, "=") == 0) return kTsEq;
  return -1;
}

bool PushFilter(SeriesRel* rel, RelOptInfo* baserel, Expr* clause) {
  if (!IsA(clause, OpExpr)) return false;
  OpExpr* op = castNode(OpExpr, clause);
  if (list_length(op->args) != 2) return false;
  Node* left = static_cast<Node*>(linitial(op->args));
  Node* right = static_cast<Node*>(lsecond(op->args));
  bool column_on_left = true;
  if (IsScanValue(left) && !IsScanValue(right)) {
    std::swap(left, right);
    column_on_left = false;
  }
  if (!IsScanValue(right)) return false;
  const char* name = OperatorName(op->opno);
  int filter = -1;
  if (std::strcmp(name, "=") == 0 && IsColumn(left, baserel, rel->attno[kUserId])) {
    filter = kUserEquals;
  } else if (std::strcmp(name, "=") == 0 && IsColumn(left, baserel, rel->attno[kMetric]) &&
             exprType(right) == TEXTOID) {
    filter = kMetricEquals;
  } else if (std::strcmp(name, "@>") == 0 && column_on_left &&
             IsColumn(left, baserel, rel->attno[kTags]) && exprType(right) == JSONBOID) {
    filter = kTagsContain;
  } else if (IsColumn(left, baserel, rel->attno[rel->rollup_width != 0 ? kBucket : kTs]) &&
             exprType(right) == TIMESTAMPTZOID) {
    filter = TimeFilter(name, column_on_left);
  }
  if (filter < 0) return false;
  rel->pushed_filters = lappend_int(rel->pushed_filters, filter);
  rel->pushed_values = lappend(rel->pushed_values, right);
  return true;
}

// Rows from the engine's statistics (chunk headers and heads in memory):
// the points, or rollup buckets, of the series and time the pushed
// conditions choose, as far as their values are known now (constants);
// each other pushed condition is guessed to keep a tenth.
void Estimate(SeriesRel* rel) {
  SeriesFilterValues known;
  int unknown = 0;
  ListCell* filter;
  ListCell* value;
  forboth(filter, rel->pushed_filters, value, rel->pushed_values) {
    if (IsA(lfirst(value), Const)) {
      const Const* constant = castNode(Const, lfirst(value));
      ApplySeriesFilter(lfirst_int(filter), constant->constvalue, constant->constisnull, &known);
    } else {
      ++unknown;
    }
  }
  if (known.contradiction || known.start >= known.end) {
    rel->rows = 0;
    return;
  }
  CppError error;
  timeseries::PointEstimate estimate;
  if (!RunCpp(error, [&]() -> Status {
        LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(rel->target));
        LAKE_ASSIGN_OR_RETURN(auto reply,
                              session->Call(protocol::EstimatePointsRequest{
                                  ToSeriesFilter(known, rel->kind), known.start, known.end}));
        estimate = reply.estimate;
        return Status::Ok();
      }))
    Raise(error);
  rel->series = static_cast<double>(estimate.series);
  rel->first = estimate.first;
  rel->last = estimate.last;
  rel->rows = estimate.points;
  if (rel->rollup_width != 0 && estimate.points > 0)
    rel->rows = std::min(
        rel->rows, rel->series * BucketsBetween(estimate.first, estimate.last, rel->rollup_width));
  rel->rows *= std::pow(0.1, unknown);
}

}  // namespace

double BucketsBetween(std::int64_t first, std::int64_t last, std::int64_t width) {
  return std::floor(double(last) / double(width)) - std::floor(double(first) / double(width)) + 1;
}

void SeriesReadColumns(Oid table, AttrNumber* attno) {
  const int kind = KindOfTable(table);
  const bool rollup = RollupWidth(table, kind) != 0;
  const Oid value_type = kind == int(timeseries::SeriesKind::kMetric) ? FLOAT8OID : TEXTOID;
  const auto only = [](bool here, const char* name) { return here ? name : nullptr; };
  const ColumnSpec columns[kColumnCount] = {{"user_id", INT8OID},
                                            {"metric", TEXTOID},
                                            {"tags", InvalidOid},
                                            {only(!rollup, "ts"), TIMESTAMPTZOID},
                                            {only(!rollup, "value"), value_type},
                                            {only(rollup, "bucket"), TIMESTAMPTZOID},
                                            {only(rollup, "count"), INT8OID},
                                            {only(rollup, "sum"), FLOAT8OID},
                                            {only(rollup, "min"), FLOAT8OID},
                                            {only(rollup, "max"), FLOAT8OID},
                                            {only(rollup, "avg"), FLOAT8OID},
                                            {only(rollup, "first"), FLOAT8OID},
                                            {only(rollup, "last"), FLOAT8OID}};
  ReadColumns(table, columns, kColumnCount, rollup ? "a rollup table" : "a time-series table",
              rollup ? "rollup tables have user_id, metric, tags, bucket, count, sum, min, max, "
                       "avg, first and last"
                     : "time-series tables have user_id, metric, tags, ts and value",
              attno);
}

void SeriesGetRelSize(PlannerInfo* root, RelOptInfo* baserel, Oid foreign_table) {
  SeriesRel* rel = static_cast<SeriesRel*>(palloc0(sizeof(SeriesRel)));
  baserel->fdw_private = rel;
  rel->kind = KindOfTable(foreign_table);
  rel->rollup_width = RollupWidth(foreign_table, rel->kind);
  SeriesReadColumns(foreign_table, rel->attno);
  ReadConnectTarget(GetForeignTable(foreign_table)->serverid, PlanningUser(baserel), &rel->target);
  ListCell* cell;
  foreach (cell, baserel->baserestrictinfo) {
    RestrictInfo* info = lfirst_node(RestrictInfo, cell);
    if (!PushFilter(rel, baserel, info->clause))
      rel->local_clauses = lappend(rel->local_clauses, info);
  }
  Estimate(rel);
  baserel->rows = clamp_row_est(
      rel->rows * clauselist_selectivity(root, rel->local_clauses, 0, JOIN_INNER, nullptr));
  baserel->reltarget->width = 64;
}

namespace {

// `ORDER BY ts DESC LIMIT n` of a single-table query over points (the
// latest n points, or a LATERAL subquery's per outer row): n, else 0.
double NewestFirstLimit(PlannerInfo* root, RelOptInfo* baserel, const SeriesRel* rel) {
  if (rel->rollup_width != 0 || rel->attno[kTs] == 0 || root->limit_tuples <= 0 ||
      list_length(root->query_pathkeys) != 1 || bms_membership(root->all_baserels) != BMS_SINGLETON)
    return 0;
  PathKey* key = linitial_node(PathKey, root->query_pathkeys);
  if (key->pk_strategy != BTGreaterStrategyNumber) return 0;
  ListCell* cell;
  foreach (cell, key->pk_eclass->ec_members) {
    Node* member = reinterpret_cast<Node*>(static_cast<EquivalenceMember*>(lfirst(cell))->em_expr);
    if (IsColumn(member, baserel, rel->attno[kTs])) return root->limit_tuples;
  }
  return 0;
}

}  // namespace

void SeriesGetPaths(PlannerInfo* root, RelOptInfo* baserel, Oid) {
  SeriesRel* rel = static_cast<SeriesRel*>(baserel->fdw_private);
  // Points come back in compressed-chunk-sized runs: cheap per row.
  const Cost total = 10 + baserel->rows * cpu_tuple_cost;
  add_path(baserel,
           reinterpret_cast<Path*>(create_foreignscan_path(root, baserel, nullptr, baserel->rows,
                                                           10, total, NIL, nullptr, nullptr, NIL)));
  // The latest points first: windows of time back from the newest point,
  // each four times the last, until the LIMIT has its rows; costs the
  // points near the end, whatever the history.
  const double limit = NewestFirstLimit(root, baserel, rel);
  if (limit <= 0 || limit > 1e6) return;
  const double rows = std::min(baserel->rows, limit);
  add_path(baserel, reinterpret_cast<Path*>(create_foreignscan_path(
                        root, baserel, nullptr, rows, 10, 10 + 4 * rows * cpu_tuple_cost,
                        root->query_pathkeys, nullptr, nullptr,
                        list_make1(makeInteger(static_cast<int>(limit))))));
}

ForeignScan* SeriesGetPlan(PlannerInfo*, RelOptInfo* baserel, Oid, ForeignPath* best_path,
                           List* tlist, List* scan_clauses, Plan* outer_plan) {
  SeriesRel* rel = static_cast<SeriesRel*>(baserel->fdw_private);
  List* attnos = NIL;
  for (int c = 0; c < kColumnCount; ++c)
    attnos = lappend_int(attnos, rel->attno[c]);
  // A rollup's rows are not deleted through it.
  List* items = list_make4(makeInteger(rel->kind), list_copy(rel->pushed_filters), attnos,
                           makeBoolean(rel->local_clauses == NIL && rel->rollup_width == 0));
  items = lappend(items, makeString(psprintf("%lld", static_cast<long long>(rel->rollup_width))));
  items = lappend(
      items, best_path->fdw_private != NIL ? linitial(best_path->fdw_private) : makeInteger(0));
  // Every condition is checked again locally: pushed ones cost nothing there.
  return make_foreignscan(tlist, extract_actual_clauses(scan_clauses, false), baserel->relid,
                          list_copy(rel->pushed_values), items, NIL, NIL, outer_plan);
}

namespace {

struct SeriesScanState : ScanStateBase {
  SeriesScanState() : ScanStateBase(TableKind::kSeries) {}
  ConnectTarget target;
  protocol::Session* session = nullptr;
  timeseries::SeriesFilter filter;
  std::int64_t start = std::numeric_limits<std::int64_t>::min();
  std::int64_t end = std::numeric_limits<std::int64_t>::max();
  bool found = false;  // the series are known
  std::vector<timeseries::SeriesInfo> series;
  std::size_t next_series = 0;  // the first not yet requested
  // The current batch: points per series and each series' tags as JSON.
  std::int64_t rollup_width = 0;                           // µs; 0: points
  std::vector<timeseries::SeriesScan> batch;               // points
  std::vector<timeseries::BucketRow> buckets;              // rollup rows
  std::unordered_map<std::uint64_t, std::size_t> info_of;  // id -> index in `series`
  // Of the batch's series: their tags as JSON, and as the tags column's
  // value once a row needed it (parsed once per series, in `context`).
  struct Tags {
    std::string json;
    Datum value = 0;
  };
  std::unordered_map<std::uint64_t, Tags> tags;
  std::size_t batch_series = 0;
  std::size_t point = 0;  // in the current series' points, or in `buckets`
  // Newest first (ORDER BY ts DESC LIMIT limit): the batch is a window of
  // time over every series, `order` its points by time, newest first.
  std::size_t limit = 0;
  std::int64_t window = 0;                                 // µs: the next window's width
  std::vector<std::pair<std::size_t, std::size_t>> order;  // (series in batch, point)
  bool none_pass = false;  // a pushed condition no row passes (metric = NULL)
  bool exhausted = false;
  int kind = 0;  // timeseries::SeriesKind
  AttrNumber attno[kColumnCount] = {};
  FmgrInfo tags_input;
  Oid tags_ioparam = InvalidOid;
  // Holds the batch's tags values: reset with every batch and rescan, so a
  // scan rescanned per outer row does not grow.
  MemoryContext context = nullptr;

  // The next batch of points (empty when there is none).
  Status Fetch();
  // Newest first: the next window back in time.
  Status FetchWindow();
  // Back to the first series (found ones stay found).
  void Rewind() {
    batch.clear();
    buckets.clear();
    tags.clear();
    order.clear();
    batch_series = point = next_series = 0;
    window = 0;
  }
  // Each series' tags as JSON, for the series from `next_series` on (at
  // most kSeriesPerRequest): their ids.
  std::vector<std::uint64_t> NextSeries();
};

// The end of the bucket of width w that holds end - 1; the largest time
// where that would pass it.
std::int64_t CeilToBucket(std::int64_t end, std::int64_t w) {
  const std::int64_t floor = timeseries::FloorTo(end - 1, w);
  std::int64_t ceil = 0;
  return __builtin_add_overflow(floor, w, &ceil) ? std::numeric_limits<std::int64_t>::max() : ceil;
}

std::vector<std::uint64_t> SeriesScanState::NextSeries() {
  std::vector<std::uint64_t> ids;
  for (; next_series < series.size() && ids.size() < kSeriesPerRequest; ++next_series) {
    ids.push_back(series[next_series].id);
    nlohmann::json json = nlohmann::json::object();
    for (const auto& [name, value] : series[next_series].key.tags)
      json[name] = value;
    tags[ids.back()].json = json.dump();
  }
  return ids;
}

Status SeriesScanState::FetchWindow() {
  batch.clear();
  tags.clear();
  order.clear();
  batch_series = point = next_series = 0;
  if (!found) {
    LAKE_ASSIGN_OR_RETURN(auto reply, session->Call(protocol::FindSeriesRequest{filter}));
    series = std::move(reply.series);
    for (std::size_t i = 0; i < series.size(); ++i)
      info_of[series[i].id] = i;
    found = true;
    if (series.empty() || start >= end) {
      exhausted = true;
      return Status::Ok();
    }
    // The span the points lie in and how many there are: the first window
    // holds about four times the rows wanted, were they spread evenly.
    LAKE_ASSIGN_OR_RETURN(auto estimate,
                          session->Call(protocol::EstimatePointsRequest{filter, start, end}));
    if (!estimate.estimate.any) {
      exhausted = true;
      return Status::Ok();
    }
    start = std::max(start, estimate.estimate.data_first);
    end = std::min(end, estimate.estimate.data_last + 1);
    const double share =
        std::min(1.0, 4.0 * double(limit) / std::max(estimate.estimate.points, 1.0));
    window = std::max<std::int64_t>(1, std::int64_t(double(end - start) * share));
  }
  if (start >= end) {
    exhausted = true;
    return Status::Ok();
  }
  const std::int64_t from =
      end - start <= window ? start : end - window;  // no overflow: end - start > window > 0
  while (next_series < series.size()) {
    const std::vector<std::uint64_t> ids = NextSeries();
    LAKE_ASSIGN_OR_RETURN(auto reply, session->Call(protocol::ScanRequest{ids, from, end}));
    for (timeseries::SeriesScan& scan : reply.series) {
      for (std::size_t i = 0; i < scan.timestamps.size(); ++i)
        order.emplace_back(batch.size(), i);
      batch.push_back(std::move(scan));
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    return batch[a.first].timestamps[a.second] > batch[b.first].timestamps[b.second];
  });
  end = from;
  window = window > std::numeric_limits<std::int64_t>::max() / 4 ? window : window * 4;
  if (end <= start) exhausted = true;
  return Status::Ok();
}

Status SeriesScanState::Fetch() {
  if (limit != 0) return FetchWindow();
  batch.clear();
  buckets.clear();
  tags.clear();
  batch_series = point = 0;
  if (!found) {
    LAKE_ASSIGN_OR_RETURN(auto reply, session->Call(protocol::FindSeriesRequest{filter}));
    series = std::move(reply.series);
    for (std::size_t i = 0; i < series.size(); ++i)
      info_of[series[i].id] = i;
    found = true;
    if (rollup_width != 0 && start < end) {
      // Whole buckets still, so the engine answers from its rollups.
      LAKE_RETURN_IF_ERROR(NarrowToData(*session, filter, &start, &end));
      if (start < end) {
        start = timeseries::FloorTo(start, rollup_width);
        end = CeilToBucket(end, rollup_width);
      }
    }
  }
  if (next_series >= series.size() || start >= end) {
    exhausted = true;
    return Status::Ok();
  }
  const std::vector<std::uint64_t> ids = NextSeries();
  if (rollup_width != 0) {
    // The rollup's buckets of these series (bounded: buckets hold data).
    constexpr std::int64_t kFar = std::int64_t{1} << 61;
    protocol::TimeBucketRequest request;
    request.query = {.series = ids,
                     .start = std::max(start, -kFar),
                     .end = std::min(end, kFar),
                     .width = rollup_width,
                     .group_by = timeseries::GroupBy::kSeries};
    LAKE_ASSIGN_OR_RETURN(auto reply, session->Call(request));
    buckets = std::move(reply.rows);
    return Status::Ok();
  }
  LAKE_ASSIGN_OR_RETURN(auto reply, session->Call(protocol::ScanRequest{ids, start, end}));
  batch = std::move(reply.series);
  return Status::Ok();
}

// A timestamptz Datum as Unix microseconds; infinities, and times beyond
// int64 in Unix microseconds, to the extremes.
std::int64_t UnixMicros(Datum value) {
  const TimestampTz ts = DatumGetTimestampTz(value);
  std::int64_t unix_micros = 0;
  if (ToUnixMicros(ts, &unix_micros)) return unix_micros;
  return TIMESTAMP_IS_NOBEGIN(ts) || ts < 0 ? std::numeric_limits<std::int64_t>::min()
                                            : std::numeric_limits<std::int64_t>::max();
}

}  // namespace

void ApplySeriesFilter(int filter, Datum value, bool is_null, SeriesFilterValues* out) {
  if (is_null) {
    out->contradiction = true;
    return;
  }
  switch (filter) {
    // Conditions are ANDed: two values of one column match nothing; tag
    // pairs add up. (A pushed aggregate has no local check to fall back on.)
    case kUserEquals:
      if (out->has_tenant && out->tenant != DatumGetInt64(value)) out->contradiction = true;
      out->has_tenant = true;
      out->tenant = DatumGetInt64(value);
      break;
    case kMetricEquals: {
      char* metric = TextDatumGetCString(value);
      if (out->metric != nullptr && std::strcmp(out->metric, metric) != 0)
        out->contradiction = true;
      out->metric = metric;
      break;
    }
    case kTagsContain:
      out->tags = lappend(out->tags, DatumGetCString(DirectFunctionCall1(jsonb_out, value)));
      break;
    default: {
      const std::int64_t t = UnixMicros(value);
      const std::int64_t after = t == std::numeric_limits<std::int64_t>::max() ? t : t + 1;
      if (filter == kTsGe || filter == kTsEq) out->start = std::max(out->start, t);
      if (filter == kTsGt) out->start = std::max(out->start, after);
      if (filter == kTsLt) out->end = std::min(out->end, t);
      if (filter == kTsLe || filter == kTsEq) out->end = std::min(out->end, after);
    }
  }
}

bool EvaluateSeriesFiltersIfDue(ForeignScanState* node, List* filters, SeriesFilterValues* out) {
  Datum* values;
  bool* nulls;
  if (!EvaluatePushedValuesIfDue(node, &values, &nulls)) return false;
  ListCell* cell;
  foreach (cell, filters) {
    const int i = foreach_current_index(cell);
    ApplySeriesFilter(lfirst_int(cell), values[i], nulls[i], out);
  }
  return true;
}

Status NarrowToData(protocol::Session& session, const timeseries::SeriesFilter& filter,
                    std::int64_t* start, std::int64_t* end) {
  if (*start >= *end) return Status::Ok();
  LAKE_ASSIGN_OR_RETURN(auto reply,
                        session.Call(protocol::EstimatePointsRequest{filter, *start, *end}));
  if (!reply.estimate.any) {
    *end = *start;
    return Status::Ok();
  }
  *start = std::max(*start, reply.estimate.data_first);
  *end = std::min(*end, reply.estimate.data_last + 1);
  return Status::Ok();
}

timeseries::SeriesFilter ToSeriesFilter(SeriesFilterValues& values, int kind) {
  timeseries::SeriesFilter filter;
  if (values.has_tenant) filter.tenant = values.tenant;
  if (values.metric != nullptr) filter.metric = std::string(values.metric);
  filter.kind = static_cast<timeseries::SeriesKind>(kind);
  ListCell* cell;
  foreach (cell, values.tags) {
    // Tags are strings: a value that is not one, or a containment of
    // anything but an object, matches no series.
    const auto json = nlohmann::json::parse(static_cast<char*>(lfirst(cell)), nullptr, false);
    if (!json.is_object()) {
      values.contradiction = true;
      continue;
    }
    for (const auto& [name, value] : json.items()) {
      if (value.is_string())
        filter.tags.emplace_back(name, value.get<std::string>());
      else
        values.contradiction = true;
    }
  }
  return filter;
}

void SeriesBeginScan(ForeignScanState* node, int eflags) {
  if (eflags & EXEC_FLAG_EXPLAIN_ONLY) return;
  ForeignScan* plan = castNode(ForeignScan, node->ss.ps.plan);
  EState* estate = node->ss.ps.state;
  ConnectTarget target;
  ReadScanTarget(node, plan->scan.scanrelid, &target);
  List* items = plan->fdw_private;
  List* attnos = static_cast<List*>(list_nth(items, kPlanAttnos));
  const AttrNumber tags_attno = static_cast<AttrNumber>(list_nth_int(attnos, kTags));
  Oid tags_input = InvalidOid;
  Oid tags_ioparam = InvalidOid;
  if (tags_attno != 0) {
    getTypeInputInfo(TupleDescAttr(node->ss.ss_currentRelation->rd_att, tags_attno - 1)->atttypid,
                     &tags_input, &tags_ioparam);
  }

  CppError error;
  SeriesScanState* state = nullptr;
  if (!RunCpp(error, [&]() -> Status {
        state = new SeriesScanState();
        state->kind = intVal(list_nth(items, kPlanKind));
        state->rollup_width = std::strtoll(strVal(list_nth(items, kPlanRollup)), nullptr, 10);
        state->limit = static_cast<std::size_t>(intVal(list_nth(items, kPlanNewestFirst)));
        for (int c = 0; c < kColumnCount; ++c)
          state->attno[c] = static_cast<AttrNumber>(list_nth_int(attnos, c));
        state->target = target;
        return Status::Ok();
      })) {
    delete state;
    Raise(error);
  }
  AdoptScanState(node, state, estate->es_query_cxt);
  InitPushedValues(node, state);
  state->context =
      AllocSetContextCreate(estate->es_query_cxt, "lake series batch", ALLOCSET_SMALL_SIZES);
  if (OidIsValid(tags_input)) {
    fmgr_info(tags_input, &state->tags_input);
    state->tags_ioparam = tags_ioparam;
  }
}

namespace {

// Starts the scan over with the pushed conditions when they are due: at
// its first row, and after a ReScan that changed a parameter they read.
void ApplyPushedValues(ForeignScanState* node, SeriesScanState* state) {
  SeriesFilterValues values;
  List* filters = static_cast<List*>(
      list_nth(castNode(ForeignScan, node->ss.ps.plan)->fdw_private, kPlanFilters));
  if (!EvaluateSeriesFiltersIfDue(node, filters, &values)) return;
  MemoryContextReset(state->context);
  CppError error;
  if (!RunCpp(error, [&]() -> Status {
        state->filter = ToSeriesFilter(values, state->kind);
        state->start = values.start;
        state->end = values.end;
        if (state->rollup_width != 0) {
          // Conditions are on bucket starts: the points of every bucket
          // that may pass (the local check trims the rest).
          constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
          constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
          const std::int64_t w = state->rollup_width;
          if (state->start != kMin) state->start = timeseries::FloorTo(state->start, w);
          if (state->end != kMax) state->end = CeilToBucket(state->end, w);
        }
        state->found = false;
        state->series.clear();
        state->info_of.clear();
        state->Rewind();
        state->none_pass = values.contradiction;
        state->exhausted = state->none_pass;
        if (!state->exhausted && state->session == nullptr) {
          LAKE_ASSIGN_OR_RETURN(state->session, SessionFor(state->target));
        }
        return Status::Ok();
      }))
    Raise(error);
}

}  // namespace

namespace {

// Starts a row of `series` in `slot`: every column null, then the series'
// user_id, metric and tags; returns the setter for the other columns.
auto StartRow(SeriesScanState* state, TupleTableSlot* slot, std::uint64_t series) {
  std::memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
  const auto set = [state, slot](Column column, Datum value) {
    if (state->attno[column] == 0) return;
    slot->tts_values[state->attno[column] - 1] = value;
    slot->tts_isnull[state->attno[column] - 1] = false;
  };
  const timeseries::SeriesKey& key = state->series[state->info_of.find(series)->second].key;
  set(kUserId, Int64GetDatum(key.tenant));
  if (state->attno[kMetric] != 0) set(kMetric, CStringGetTextDatum(key.metric.c_str()));
  if (state->attno[kTags] != 0) {
    SeriesScanState::Tags& tags = state->tags.find(series)->second;
    if (tags.value == 0) {  // the series' first row in this batch
      const MemoryContext row_context = MemoryContextSwitchTo(state->context);
      tags.value = InputFunctionCall(&state->tags_input, const_cast<char*>(tags.json.c_str()),
                                     state->tags_ioparam, -1);
      MemoryContextSwitchTo(row_context);
    }
    set(kTags, tags.value);
  }
  return set;
}

// A rollup table's next row: a bucket of one series.
TupleTableSlot* NextBucket(SeriesScanState* state, TupleTableSlot* slot) {
  while (state->point >= state->buckets.size()) {
    if (state->exhausted) return slot;
    CppError error;
    MemoryContextReset(state->context);  // the last batch's tags go
    if (!RunCpp(error, [&] { return state->Fetch(); })) Raise(error);
  }
  const timeseries::BucketRow& row = state->buckets[state->point++];
  const std::uint64_t id = std::strtoull(row.group.c_str(), nullptr, 10);
  const timeseries::Aggregate& a = row.aggregate;
  const auto set = StartRow(state, slot, id);
  set(kBucket, TimestampTzGetDatum(row.bucket - kPostgresEpochMicros));
  set(kCount, Int64GetDatum(static_cast<int64>(a.count)));
  set(kSum, Float8GetDatum(a.sum));
  set(kMin, Float8GetDatum(a.min));
  set(kMax, Float8GetDatum(a.max));
  set(kAvg, Float8GetDatum(a.Mean()));
  set(kFirst, Float8GetDatum(a.first));
  set(kLast, Float8GetDatum(a.last));
  return ExecStoreVirtualTuple(slot);
}

// A point's row: its series' columns, ts and value.
TupleTableSlot* PointRow(SeriesScanState* state, TupleTableSlot* slot,
                         const timeseries::SeriesScan& scan, std::size_t i) {
  const auto set = StartRow(state, slot, scan.series);
  set(kTs, TimestampTzGetDatum(scan.timestamps[i] - kPostgresEpochMicros));
  if (state->attno[kValue] != 0) {
    set(kValue, scan.texts.empty() ? Float8GetDatum(scan.values[i])
                                   : CStringGetTextDatum(scan.texts[i].c_str()));
  }
  return ExecStoreVirtualTuple(slot);
}

// Newest first: the next point of the window, or of the window before it.
TupleTableSlot* NextNewest(SeriesScanState* state, TupleTableSlot* slot) {
  while (state->point >= state->order.size()) {
    if (state->exhausted) return slot;
    CppError error;
    MemoryContextReset(state->context);  // the last window's tags go
    if (!RunCpp(error, [&] { return state->Fetch(); })) Raise(error);
  }
  const auto [series, i] = state->order[state->point++];
  return PointRow(state, slot, state->batch[series], i);
}

}  // namespace

TupleTableSlot* SeriesIterateScan(ForeignScanState* node) {
  auto* state = static_cast<SeriesScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  TupleTableSlot* slot = node->ss.ss_ScanTupleSlot;
  ExecClearTuple(slot);
  ApplyPushedValues(node, state);
  if (state->rollup_width != 0) return NextBucket(state, slot);
  if (state->limit != 0) return NextNewest(state, slot);
  // Past the points of the current series: the next series, or batch.
  while (state->batch_series >= state->batch.size() ||
         state->point >= state->batch[state->batch_series].timestamps.size()) {
    if (state->batch_series < state->batch.size()) {
      ++state->batch_series;
      state->point = 0;
      continue;
    }
    if (state->exhausted) return slot;
    CppError error;
    MemoryContextReset(state->context);  // the last batch's tags go
    if (!RunCpp(error, [&] { return state->Fetch(); })) Raise(error);
  }
  return PointRow(state, slot, state->batch[state->batch_series], state->point++);
}

void SeriesReScan(ForeignScanState* node) {
  auto* state = static_cast<SeriesScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  RescanPushedValues(node);
  MemoryContextReset(state->context);
  state->Rewind();
  state->exhausted = state->none_pass;
}

void SeriesEndScan(ForeignScanState* node) {
  auto* state = static_cast<SeriesScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  if (state != nullptr) std::vector<timeseries::SeriesScan>().swap(state->batch);
}

bool SeriesAllPushed(ForeignScan* plan) {
  return boolVal(list_nth(plan->fdw_private, kPlanAllPushed));
}

double SeriesQueueDelete(ForeignScanState* node) {
  auto* state = static_cast<SeriesScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  ApplyPushedValues(node, state);
  if (state->exhausted || state->start >= state->end) return 0;  // an empty range: nothing
  double count = 0;
  CppError error;
  // How many points the matching series hold in the range now (from chunk
  // headers and rollups: no point is read); deleted at commit.
  if (!RunCpp(error, [&]() -> Status {
        QueueRangeDelete(state->target, state->filter, state->start, state->end);
        LAKE_ASSIGN_OR_RETURN(auto found,
                              state->session->Call(protocol::FindSeriesRequest{state->filter}));
        if (found.series.empty()) return Status::Ok();
        constexpr std::int64_t kFar = std::int64_t{1} << 61;
        const std::int64_t start = std::max(state->start, -kFar);
        const std::int64_t end = std::min(state->end, kFar);
        if (start >= end) return Status::Ok();
        protocol::TimeBucketRequest counting;
        for (const auto& info : found.series)
          counting.query.series.push_back(info.id);
        counting.query.start = start;
        counting.query.end = end;
        counting.query.width = end - start;
        counting.query.origin = start;
        counting.query.group_by = timeseries::GroupBy::kAll;
        LAKE_ASSIGN_OR_RETURN(auto rows, state->session->Call(counting));
        for (const auto& row : rows.rows)
          count += static_cast<double>(row.aggregate.count);
        return Status::Ok();
      }))
    Raise(error);
  return count;
}

void SeriesExplainScan(ForeignScanState* node, ExplainState* es) {
  ForeignScan* plan = castNode(ForeignScan, node->ss.ps.plan);
  List* items = plan->fdw_private;
  static const char* const kKinds[] = {"metrics", "events", "states"};
  StringInfoData text;
  initStringInfo(&text);
  const long long rollup = std::strtoll(strVal(list_nth(items, kPlanRollup)), nullptr, 10);
  if (rollup != 0)
    appendStringInfo(&text, "rollup %lld s of %s", rollup / 1000000,
                     kKinds[intVal(list_nth(items, kPlanKind))]);
  else
    appendStringInfo(&text, "scan %s", kKinds[intVal(list_nth(items, kPlanKind))]);
  if (intVal(list_nth(items, kPlanNewestFirst)) != 0)
    appendStringInfo(&text, " newest first (windows back from the last point, %d rows wanted)",
                     intVal(list_nth(items, kPlanNewestFirst)));
  bool first = true;
  ListCell* cell;
  foreach (cell, static_cast<List*>(list_nth(items, kPlanFilters))) {
    const char* name = kFilterNames[lfirst_int(cell)];
    if (rollup != 0 && std::strncmp(name, "ts ", 3) == 0) name += 3;  // on bucket
    appendStringInfo(&text, "%s%s%s ?", first ? " where " : " and ",
                     rollup != 0 && lfirst_int(cell) >= kTsGe ? "bucket " : "", name);
    first = false;
  }
  ExplainPropertyText("Lake Request", text.data, es);
}

}  // namespace lake::fdw
