// time_bucket aggregates of a time-series table computed by lake-server:
//
//   SELECT time_bucket('1 hour', ts), [tags->>'k',] count(*), avg(value), ...
//     FROM timeseries.metrics WHERE <conditions the engine applies>
//    GROUP BY 1 [, 2]
//
// becomes one engine time_bucket request (rollups where the width allows)
// returning a row per bucket (and tag value). The grouping expressions and
// the aggregates are the ForeignScan's own columns (fdw_scan_tlist), so
// PostgreSQL neither reads the points nor aggregates them; expressions over
// the aggregates (round(avg(value), 2)) are computed above.
#include "series_agg.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "pg_boundary.h"
#include "planner_util.h"
#include "scan_values.h"
#include "series_plan.h"
#include "table_kind.h"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/datetime.h"
}

namespace lake::fdw {

namespace {

// What each column of the aggregate scan holds.
enum Role {
  kRoleBucket,
  kRoleTag,
  kRoleCountStar,
  kRoleCount,
  kRoleSum,
  kRoleMin,
  kRoleMax,
  kRoleAvg,
  kRoleStddev,
  kRoleFirst,
  kRoleLast,
  kRoleMetric
};
const char* const kAggregateNames[] = {"",    "",    "count",  "count", "sum", "min",
                                       "max", "avg", "stddev", "first", "last"};

// time_bucket's default origin (Monday 2000-01-03), Unix microseconds.
constexpr std::int64_t kDefaultOrigin = kPostgresEpochMicros + 2 * 86400LL * 1000000;

enum PlanItem {
  kPlanFilters,
  kPlanRoles,
  kPlanWidth,
  kPlanOrigin,
  kPlanTag,
  kPlanKind,
  kPlanByMetric
};

bool IsLakeFunction(Oid function, const char* name) {
  return get_func_namespace(function) == get_namespace_oid("lake", false) &&
         std::strcmp(get_func_name(function), name) == 0;
}

// time_bucket(constant fixed width, ts [, constant origin]): width and origin
// (Unix µs). Month widths are not the engine's.
bool ReadBucket(Node* node, const RelOptInfo* baserel, const SeriesRel* rel, std::int64_t* width,
                std::int64_t* origin) {
  if (!IsA(node, FuncExpr)) return false;
  FuncExpr* call = castNode(FuncExpr, node);
  if (!IsLakeFunction(call->funcid, "time_bucket") || exprType(node) != TIMESTAMPTZOID)
    return false;
  Node* interval = static_cast<Node*>(linitial(call->args));
  if (!IsA(interval, Const) || castNode(Const, interval)->constisnull) return false;
  if (!IsColumn(static_cast<Node*>(lsecond(call->args)), baserel, rel->attno[kTs])) return false;
  const Interval* span = DatumGetIntervalP(castNode(Const, interval)->constvalue);
  if (span->month != 0) return false;
  *width = span->day * USECS_PER_DAY + span->time;
  if (*width <= 0) return false;
  *origin = kDefaultOrigin;
  if (list_length(call->args) == 3) {
    Node* start = static_cast<Node*>(lthird(call->args));
    if (!IsA(start, Const) || castNode(Const, start)->constisnull) return false;
    // An origin beyond the engine's range stays with PostgreSQL.
    if (!ToUnixMicros(DatumGetTimestampTz(castNode(Const, start)->constvalue), origin))
      return false;
  }
  return true;
}

// tags->>'name': the tag's name.
const char* ReadTag(Node* node, const RelOptInfo* baserel, const SeriesRel* rel) {
  if (!IsA(node, OpExpr)) return nullptr;
  OpExpr* op = castNode(OpExpr, node);
  if (list_length(op->args) != 2 || std::strcmp(OperatorName(op->opno), "->>") != 0) return nullptr;
  Node* name = static_cast<Node*>(lsecond(op->args));
  if (!IsColumn(static_cast<Node*>(linitial(op->args)), baserel, rel->attno[kTags]) ||
      !IsA(name, Const) || castNode(Const, name)->constisnull ||
      castNode(Const, name)->consttype != TEXTOID)
    return nullptr;
  return TextDatumGetCString(castNode(Const, name)->constvalue);
}

// The role of an aggregate the engine computes, or -1.
int AggregateRole(Aggref* aggregate, const RelOptInfo* baserel, const SeriesRel* rel) {
  if (aggregate->aggdistinct != NIL || aggregate->aggorder != NIL ||
      aggregate->aggfilter != nullptr || aggregate->aggkind != AGGKIND_NORMAL)
    return -1;
  const char* name = get_func_name(aggregate->aggfnoid);
  if (aggregate->aggstar) return std::strcmp(name, "count") == 0 ? kRoleCountStar : -1;
  // lake.first(value, ts) and lake.last(value, ts).
  if (list_length(aggregate->args) == 2 && IsLakeFunction(aggregate->aggfnoid, name) &&
      (std::strcmp(name, "first") == 0 || std::strcmp(name, "last") == 0)) {
    Node* value = reinterpret_cast<Node*>(linitial_node(TargetEntry, aggregate->args)->expr);
    Node* ts = reinterpret_cast<Node*>(lsecond_node(TargetEntry, aggregate->args)->expr);
    if (!IsColumn(value, baserel, rel->attno[kValue]) || !IsColumn(ts, baserel, rel->attno[kTs]))
      return -1;
    return std::strcmp(name, "first") == 0 ? kRoleFirst : kRoleLast;
  }
  if (list_length(aggregate->args) != 1) return -1;
  Node* arg = reinterpret_cast<Node*>(linitial_node(TargetEntry, aggregate->args)->expr);
  if (!IsColumn(arg, baserel, rel->attno[kValue])) return -1;
  if (std::strcmp(name, "count") == 0) return kRoleCount;
  if (std::strcmp(name, "sum") == 0) return kRoleSum;
  if (std::strcmp(name, "min") == 0) return kRoleMin;
  if (std::strcmp(name, "max") == 0) return kRoleMax;
  if (std::strcmp(name, "avg") == 0) return kRoleAvg;
  if (std::strcmp(name, "stddev") == 0 || std::strcmp(name, "stddev_samp") == 0) return kRoleStddev;
  return -1;
}

// Adds `expr` to the scan's columns unless it is there; false if the engine
// cannot compute it.
bool AddColumn(Expr* expr, const RelOptInfo* baserel, const SeriesRel* rel, List** tlist,
               List** roles) {
  if (tlist_member(expr, *tlist) != nullptr) return true;
  if (!IsA(expr, Aggref)) return false;
  const int role = AggregateRole(castNode(Aggref, expr), baserel, rel);
  if (role < 0) return false;
  *tlist = add_to_flat_tlist(*tlist, list_make1(expr));
  *roles = lappend_int(*roles, role);
  return true;
}

}  // namespace

void SeriesGetUpperPaths(PlannerInfo* root, UpperRelationKind stage, RelOptInfo* input_rel,
                         RelOptInfo* output_rel, void*) {
  if (stage != UPPERREL_GROUP_AGG || output_rel->fdw_private != nullptr) return;
  if (input_rel->reloptkind != RELOPT_BASEREL || input_rel->fdw_private == nullptr) return;
  if (KindOf(planner_rt_fetch(input_rel->relid, root)->relid) != TableKind::kSeries) return;
  const SeriesRel* rel = static_cast<const SeriesRel*>(input_rel->fdw_private);
  Query* parse = root->parse;
  if (rel->kind != int(timeseries::SeriesKind::kMetric) || rel->rollup_width != 0 ||
      rel->local_clauses != NIL || parse->groupingSets != NIL || parse->havingQual != nullptr ||
      parse->groupClause == NIL)
    return;

  // Grouping: one time_bucket, and at most one tag and the metric.
  std::int64_t width = 0, origin = 0;
  const char* tag = nullptr;
  bool bucketed = false, by_metric = false;
  List* tlist = NIL;
  List* roles = NIL;
  ListCell* cell;
  foreach (cell, get_sortgrouplist_exprs(parse->groupClause, parse->targetList)) {
    Node* expr = static_cast<Node*>(lfirst(cell));
    if (!bucketed && ReadBucket(expr, input_rel, rel, &width, &origin)) {
      bucketed = true;
      roles = lappend_int(roles, kRoleBucket);
    } else if (tag == nullptr && (tag = ReadTag(expr, input_rel, rel)) != nullptr) {
      roles = lappend_int(roles, kRoleTag);
    } else if (!by_metric && IsColumn(expr, input_rel, rel->attno[kMetric])) {
      by_metric = true;
      roles = lappend_int(roles, kRoleMetric);
    } else {
      return;
    }
    tlist = add_to_flat_tlist(tlist, list_make1(expr));
  }
  if (!bucketed) return;
  // Every output expression: a grouping expression, or made of aggregates
  // the engine computes (and constants).
  foreach (cell, output_rel->reltarget->exprs) {
    Expr* expr = static_cast<Expr*>(lfirst(cell));
    if (tlist_member(expr, tlist) != nullptr) continue;
    ListCell* part;
    foreach (part, pull_var_clause(reinterpret_cast<Node*>(expr), PVC_INCLUDE_AGGREGATES)) {
      if (!AddColumn(static_cast<Expr*>(lfirst(part)), input_rel, rel, &tlist, &roles)) return;
    }
  }
  // (64-bit integers travel as strings in a plan.)
  List* items = NIL;
  items = lappend(items, rel->pushed_filters);
  items = lappend(items, roles);
  items = lappend(items, makeString(psprintf("%lld", static_cast<long long>(width))));
  items = lappend(items, makeString(psprintf("%lld", static_cast<long long>(origin))));
  items = lappend(items, makeString(pstrdup(tag != nullptr ? tag : "")));
  items = lappend(items, makeInteger(rel->kind));
  items = lappend(items, makeBoolean(by_metric));
  // A row per bucket (and group), read from rollups and chunk headers:
  // always cheaper than fetching the points (the scan) and aggregating them
  // here.
  const double groups = tag != nullptr || by_metric ? rel->series : 1;
  const double rows =
      rel->rows > 0 ? std::min(rel->rows, groups * BucketsBetween(rel->first, rel->last, width))
                    : 1;
  const Cost scan = input_rel->cheapest_total_path->total_cost;
  ForeignPath* path = create_foreign_upper_path(root, output_rel, output_rel->reltarget, rows,
                                                std::min(10.0, scan * 0.5), scan * 0.5, NIL,
                                                nullptr, list_make2(tlist, items));
  output_rel->fdw_private = const_cast<SeriesRel*>(rel);
  add_path(output_rel, reinterpret_cast<Path*>(path));
}

ForeignScan* SeriesGetAggregatePlan(RelOptInfo* output_rel, ForeignPath* path, List* tlist,
                                    Plan* outer_plan) {
  const SeriesRel* rel = static_cast<const SeriesRel*>(output_rel->fdw_private);
  List* scan_tlist = static_cast<List*>(linitial(path->fdw_private));
  List* items = static_cast<List*>(lsecond(path->fdw_private));
  return make_foreignscan(tlist, NIL, 0, list_copy(rel->pushed_values), items, scan_tlist, NIL,
                          outer_plan);
}

namespace {

struct AggregateState : ScanStateBase {
  AggregateState() : ScanStateBase(TableKind::kSeriesAggregate) {}
  ConnectTarget target;
  protocol::Session* session = nullptr;
  int kind = 0;  // timeseries::SeriesKind
  timeseries::SeriesFilter filter;
  timeseries::BucketQuery query;
  std::vector<int> roles;
  bool by_metric = false;  // grouped by metric (and tag) here, from rows per series
  std::vector<timeseries::BucketRow> rows;
  std::vector<std::string> metrics;  // by_metric: each row's metric
  std::size_t next = 0;
  bool fetched = false;

  Status Fetch() {
    fetched = true;
    LAKE_ASSIGN_OR_RETURN(auto found, session->Call(protocol::FindSeriesRequest{filter}));
    if (found.series.empty()) return Status::Ok();
    LAKE_RETURN_IF_ERROR(NarrowToData(*session, filter, &query.start, &query.end));
    if (query.start >= query.end) return Status::Ok();
    for (const auto& info : found.series)
      query.series.push_back(info.id);
    const std::string tag = query.group_tag;
    if (by_metric) query.group_by = timeseries::GroupBy::kSeries;
    LAKE_ASSIGN_OR_RETURN(auto reply, session->Call(protocol::TimeBucketRequest{query}));
    if (!by_metric) {
      rows = std::move(reply.rows);
      return Status::Ok();
    }
    // Rows per series and bucket, folded into (metric, tag value, bucket).
    std::map<std::uint64_t, const timeseries::SeriesKey*> key_of;
    for (const auto& info : found.series)
      key_of[info.id] = &info.key;
    std::map<std::tuple<std::string, std::string, std::int64_t>, std::size_t> index;
    for (timeseries::BucketRow& row : reply.rows) {
      const timeseries::SeriesKey& key = *key_of.at(std::stoull(row.group));
      const auto tagged = std::find_if(key.tags.begin(), key.tags.end(),
                                       [&](const auto& pair) { return pair.first == tag; });
      row.group = !tag.empty() && tagged != key.tags.end() ? tagged->second : "";
      auto [found_row, added] =
          index.emplace(std::tuple(key.metric, row.group, row.bucket), rows.size());
      if (added) {
        rows.push_back(std::move(row));
        metrics.push_back(key.metric);
      } else {
        Fold(rows[found_row->second].aggregate, row.aggregate);
      }
    }
    return Status::Ok();
  }

  // Adds `b` (another series' points of the same bucket) to `a`: the
  // parallel variance update (Chan et al.), first and last by time.
  static void Fold(timeseries::Aggregate& a, const timeseries::Aggregate& b) {
    const double na = double(a.count), nb = double(b.count);
    const double delta = b.Mean() - a.Mean();
    a.m2 += b.m2 + delta * delta * na * nb / (na + nb);
    a.count += b.count;
    a.sum += b.sum;
    // NaN sorts above every number, as in PostgreSQL (and the engine's Merge).
    if (std::isnan(a.min) || b.min < a.min) a.min = b.min;
    if (!std::isnan(a.max) && (std::isnan(b.max) || b.max > a.max)) a.max = b.max;
    if (b.first_ts < a.first_ts) {
      a.first_ts = b.first_ts;
      a.first = b.first;
    }
    if (b.last_ts >= a.last_ts) {  // ties: the later series, as a scan in series order
      a.last_ts = b.last_ts;
      a.last = b.last;
    }
  }
};

}  // namespace

void SeriesAggregateBegin(ForeignScanState* node, int eflags) {
  if (eflags & EXEC_FLAG_EXPLAIN_ONLY) return;
  ForeignScan* plan = castNode(ForeignScan, node->ss.ps.plan);
  EState* estate = node->ss.ps.state;
  // The table: the one base relation under the aggregate.
  ConnectTarget target;
  ReadScanTarget(node, bms_next_member(plan->fs_relids, -1), &target);
  List* items = plan->fdw_private;
  const std::int64_t width = std::strtoll(strVal(list_nth(items, kPlanWidth)), nullptr, 10);
  const std::int64_t origin = std::strtoll(strVal(list_nth(items, kPlanOrigin)), nullptr, 10);
  const char* tag = strVal(list_nth(items, kPlanTag));
  List* roles = static_cast<List*>(list_nth(items, kPlanRoles));

  CppError error;
  AggregateState* state = nullptr;
  if (!RunCpp(error, [&]() -> Status {
        state = new AggregateState();
        state->kind = intVal(list_nth(items, kPlanKind));
        state->query.width = width;
        state->query.origin = origin;
        state->query.group_by =
            tag[0] != '\0' ? timeseries::GroupBy::kTag : timeseries::GroupBy::kAll;
        state->query.group_tag = tag;
        ListCell* cell;
        foreach (cell, roles)
          state->roles.push_back(lfirst_int(cell));
        state->by_metric = boolVal(list_nth(items, kPlanByMetric));
        state->target = target;
        return Status::Ok();
      })) {
    delete state;
    Raise(error);
  }
  AdoptScanState(node, state, estate->es_query_cxt);
  InitPushedValues(node, state);
}

namespace {

// Asks anew with the pushed conditions when they are due: at the first
// row, and after a ReScan that changed a parameter they read.
void ApplyPushedValues(ForeignScanState* node, AggregateState* state) {
  SeriesFilterValues values;
  List* filters = static_cast<List*>(
      list_nth(castNode(ForeignScan, node->ss.ps.plan)->fdw_private, kPlanFilters));
  if (!EvaluateSeriesFiltersIfDue(node, filters, &values)) return;
  CppError error;
  if (!RunCpp(error, [&]() -> Status {
        state->filter = ToSeriesFilter(values, state->kind);
        // Buckets of data only: the range is the data's, bounded for sure.
        constexpr std::int64_t kFar = std::int64_t{1} << 61;
        state->query.start = std::max(values.start, -kFar);
        state->query.end = std::min(values.end, kFar);
        state->query.series.clear();
        state->rows.clear();
        state->metrics.clear();
        state->next = 0;
        state->fetched = values.contradiction;
        if (!state->fetched && state->session == nullptr) {
          LAKE_ASSIGN_OR_RETURN(state->session, SessionFor(state->target));
        }
        return Status::Ok();
      }))
    Raise(error);
}

}  // namespace

TupleTableSlot* SeriesAggregateIterate(ForeignScanState* node) {
  auto* state = static_cast<AggregateState*>(static_cast<ScanStateBase*>(node->fdw_state));
  TupleTableSlot* slot = node->ss.ss_ScanTupleSlot;
  ExecClearTuple(slot);
  ApplyPushedValues(node, state);
  if (!state->fetched) {
    CppError error;
    if (!RunCpp(error, [&] { return state->Fetch(); })) Raise(error);
  }
  if (state->next >= state->rows.size()) return slot;
  const timeseries::BucketRow& row = state->rows[state->next++];
  const timeseries::Aggregate& a = row.aggregate;
  for (std::size_t i = 0; i < state->roles.size(); ++i) {
    Datum value = 0;
    bool is_null = false;
    switch (state->roles[i]) {
      case kRoleBucket:
        value = TimestampTzGetDatum(row.bucket - kPostgresEpochMicros);
        break;
      case kRoleTag:
        // Series without the tag form the group "": SQL's NULL.
        is_null = row.group.empty();
        if (!is_null) value = CStringGetTextDatum(row.group.c_str());
        break;
      case kRoleCountStar:
      case kRoleCount:
        value = Int64GetDatum(static_cast<int64>(a.count));
        break;
      case kRoleSum:
        value = Float8GetDatum(a.sum);
        break;
      case kRoleMin:
        value = Float8GetDatum(a.min);
        break;
      case kRoleMax:
        value = Float8GetDatum(a.max);
        break;
      case kRoleAvg:
        value = Float8GetDatum(a.Mean());
        break;
      case kRoleStddev:
        is_null = a.count < 2;
        if (!is_null) value = Float8GetDatum(a.Stddev());
        break;
      case kRoleMetric:
        value = CStringGetTextDatum(state->metrics[state->next - 1].c_str());
        break;
      case kRoleFirst:
        value = Float8GetDatum(a.first);
        break;
      case kRoleLast:
        value = Float8GetDatum(a.last);
        break;
    }
    slot->tts_values[i] = value;
    slot->tts_isnull[i] = is_null;
  }
  return ExecStoreVirtualTuple(slot);
}

void SeriesAggregateReScan(ForeignScanState* node) {
  auto* state = static_cast<AggregateState*>(static_cast<ScanStateBase*>(node->fdw_state));
  RescanPushedValues(node);
  state->next = 0;
}

void SeriesAggregateExplain(ForeignScanState* node, ExplainState* es) {
  ForeignScan* plan = castNode(ForeignScan, node->ss.ps.plan);
  List* items = plan->fdw_private;
  StringInfoData text;
  initStringInfo(&text);
  const long long width = std::strtoll(strVal(list_nth(items, kPlanWidth)), nullptr, 10);
  appendStringInfo(&text, "time_bucket %lld s", width / 1000000);
  const char* tag = strVal(list_nth(items, kPlanTag));
  if (tag[0] != '\0') appendStringInfo(&text, " by tag %s", tag);
  if (boolVal(list_nth(items, kPlanByMetric))) appendStringInfoString(&text, " by metric");
  ListCell* cell;
  foreach (cell, static_cast<List*>(list_nth(items, kPlanRoles))) {
    const int role = lfirst_int(cell);
    if (role >= kRoleCountStar && role <= kRoleLast)
      appendStringInfo(&text, " %s", kAggregateNames[role]);
  }
  bool first = true;
  foreach (cell, static_cast<List*>(list_nth(items, kPlanFilters))) {
    appendStringInfo(&text, "%s%s ?", first ? " where " : " and ", kFilterNames[lfirst_int(cell)]);
    first = false;
  }
  ExplainPropertyText("Lake Request", text.data, es);
}

}  // namespace lake::fdw
