#include "vectors_scan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connection.h"
#include "pg_boundary.h"
#include "planner_util.h"
#include "scan_values.h"
#include "table_kind.h"
#include "vector_filters.h"
#include "vector_type.h"
#include "writes.h"

extern "C" {
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace lake::fdw {

int ef_search_setting = 0;
int probes_setting = 0;

namespace {

constexpr std::size_t kScanPage = 1000;
constexpr double kMaxKnn = 10000;

// What planning learns about the relation (baserel->fdw_private).
struct VectorRel {
  char collection[64];
  ConnectTarget target;
  AttrNumber attno[kColumnCount];
  int dimension;
  int metric;  // vectors::Metric
  double total_rows;
  PushedFilters pushed;
  List* estimated;      // RestrictInfo* of pushed filters whose rows PostgreSQL estimates
  bool all_exact;       // no pushed filter over-matches
  List* local_clauses;  // RestrictInfo* the engine cannot apply
  Bitmapset* attrs_used;
};

// Indexes into the plan's fdw_private.
enum PlanItem {
  kPlanCollection,
  kPlanFilters,
  kPlanMetric,
  kPlanLimit,
  kPlanEmbeddings,
  kPlanRows,
  kPlanAttnos,
  kPlanScanRoles,    // per fdw_scan_tlist entry: a Column or kDistanceRole
  kPlanAllPushed,    // the engine applies every condition (a DELETE may go direct)
  kPlanUpdateValue,  // UPDATE SET metadata: the value's index in fdw_exprs (-1: none)
  kPlanFilterKeys,   // per filter: a metadata key, or ""
  kPlanCollectionMetric,
};
// A kNN scan returns the engine's distance as a column of its own
// (fdw_scan_tlist), which replaces the ORDER BY expression above it.
constexpr int kDistanceRole = kColumnCount;

Oid LakeNamespace() {
  return get_namespace_oid("lake", false);
}

// Which metric a distance operator computes, or -1 when it is not one of ours.
int MetricOfOperator(Oid op) {
  const Oid function = get_opcode(op);
  if (!OidIsValid(function) || get_func_namespace(function) != LakeNamespace()) return -1;
  const char* name = get_func_name(function);
  if (std::strcmp(name, "l2_distance") == 0) return int(vectors::Metric::kL2);
  if (std::strcmp(name, "cosine_distance") == 0) return int(vectors::Metric::kCosine);
  if (std::strcmp(name, "vector_negative_inner_product") == 0)
    return int(vectors::Metric::kInnerProduct);
  return -1;
}

constexpr ColumnSpec kColumns[kColumnCount] = {{"id", INT8OID},
                                               {"user_id", INT8OID},
                                               {"model_version", INT4OID},
                                               {"embedding", kVectorType},
                                               {"metadata", InvalidOid},
                                               {"created_at", TIMESTAMPTZOID}};

}  // namespace

void VectorsReadColumns(Oid table, AttrNumber* attno) {
  ReadColumns(table, kColumns, kColumnCount, "a vector table",
              "vector tables have id, user_id, model_version, embedding, metadata and created_at",
              attno);
}

namespace {

// The engine's description of the collection: rows (this user's), dimension, metric.
void Describe(VectorRel* rel) {
  CppError error;
  if (!RunCpp(error, [&]() -> Status {
        LAKE_ASSIGN_OR_RETURN(protocol::Session * session, SessionFor(rel->target));
        LAKE_ASSIGN_OR_RETURN(auto reply,
                              session->Call(protocol::ListCollectionsRequest{rel->collection}));
        const vectors::CollectionInfo& info = reply.collections.front();
        rel->dimension = static_cast<int>(info.spec.dimension);
        rel->metric = static_cast<int>(info.spec.metric);
        rel->total_rows = static_cast<double>(info.record_count);
        return Status::Ok();
      }))
    Raise(error);
}

// `ORDER BY embedding <op> value` of a single-table query with a LIMIT:
// the operator's metric and value. Another metric than the collection's is
// an exact scan in lake-server; conditions the engine cannot apply are
// checked here on rows that come in distance order, page after page.
Expr* KnnOrdering(PlannerInfo* root, RelOptInfo* baserel, VectorRel* rel, int* metric,
                  Expr** ordering) {
  if (list_length(root->query_pathkeys) != 1 || root->limit_tuples <= 0 ||
      bms_membership(root->all_baserels) != BMS_SINGLETON)
    return nullptr;
  PathKey* key = linitial_node(PathKey, root->query_pathkeys);
  if (key->pk_strategy != BTLessStrategyNumber || key->pk_nulls_first) return nullptr;
  ListCell* cell;
  foreach (cell, key->pk_eclass->ec_members) {
    EquivalenceMember* member = static_cast<EquivalenceMember*>(lfirst(cell));
    if (!IsA(member->em_expr, OpExpr)) continue;
    OpExpr* op = castNode(OpExpr, member->em_expr);
    if (list_length(op->args) != 2) continue;
    Node* left = static_cast<Node*>(linitial(op->args));
    Node* right = static_cast<Node*>(lsecond(op->args));
    if (IsScanValue(left)) std::swap(left, right);
    if (!IsColumn(left, baserel, rel->attno[kEmbedding]) || !IsScanValue(right)) continue;
    *metric = MetricOfOperator(op->opno);
    *ordering = member->em_expr;
    if (*metric >= 0) return reinterpret_cast<Expr*>(right);
  }
  return nullptr;
}

}  // namespace

void VectorsGetRelSize(PlannerInfo* root, RelOptInfo* baserel, Oid foreign_table) {
  VectorRel* rel = static_cast<VectorRel*>(palloc0(sizeof(VectorRel)));
  baserel->fdw_private = rel;
  const char* collection = TableOption(foreign_table, "collection");
  if (std::strlen(collection) >= sizeof(rel->collection))
    ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
                    errmsg("lake: collection name \"%s\" is too long", collection)));
  std::strcpy(rel->collection, collection);
  ReadConnectTarget(GetForeignTable(foreign_table)->serverid, PlanningUser(baserel), &rel->target);
  VectorsReadColumns(foreign_table, rel->attno);
  Describe(rel);

  ListCell* cell;
  rel->all_exact = true;
  foreach (cell, baserel->baserestrictinfo) {
    RestrictInfo* info = lfirst_node(RestrictInfo, cell);
    if (!PushVectorFilter(baserel, rel->attno, info->clause, &rel->pushed)) {
      rel->local_clauses = lappend(rel->local_clauses, info);
      continue;
    }
    const Filter filter = static_cast<Filter>(llast_int(rel->pushed.kinds));
    if (!IsExactFilter(filter)) rel->all_exact = false;
    if (filter != kIdEquals && filter != kIdIn && filter != kUserEquals)
      rel->estimated = lappend(rel->estimated, info);
  }
  pull_varattnos(reinterpret_cast<Node*>(baserel->reltarget->exprs), baserel->relid,
                 &rel->attrs_used);
  // Every filter is checked again locally, pushed ones too: their columns
  // must come back.
  foreach (cell, baserel->baserestrictinfo) {
    pull_varattnos(reinterpret_cast<Node*>(lfirst_node(RestrictInfo, cell)->clause), baserel->relid,
                   &rel->attrs_used);
  }
  // Rows: the collection's (for a tenant, its own), narrowed by the filters:
  // the engine's (an id list: its length; a user: a tenth, lacking
  // per-tenant counts here) and PostgreSQL's estimate of the rest.
  double rows = rel->total_rows;
  ListCell* value;
  forboth(cell, rel->pushed.kinds, value, rel->pushed.values) {
    switch (static_cast<Filter>(lfirst_int(cell))) {
      case kIdEquals:
        rows = std::min(rows, 1.0);
        break;
      case kIdIn:
        rows = std::min(
            rows,
            IsA(lfirst(value), Const) && !castNode(Const, lfirst(value))->constisnull
                ? 1.0 *
                      ArrayGetNItems(
                          ARR_NDIM(DatumGetArrayTypeP(castNode(Const, lfirst(value))->constvalue)),
                          ARR_DIMS(DatumGetArrayTypeP(castNode(Const, lfirst(value))->constvalue)))
                : 10.0);
        break;
      case kUserEquals:
        rows *= 0.1;
        break;
      default:
        break;
    }
  }
  baserel->rows = clamp_row_est(
      rows * clauselist_selectivity(root, list_concat_copy(rel->estimated, rel->local_clauses), 0,
                                    JOIN_INNER, nullptr));
  baserel->reltarget->width = rel->dimension * 4 + 48;
}

void VectorsGetPaths(PlannerInfo* root, RelOptInfo* baserel, Oid) {
  VectorRel* rel = static_cast<VectorRel*>(baserel->fdw_private);
  // A scan pages all passing rows over the socket: per row, its bytes.
  const Cost per_row = cpu_tuple_cost + rel->dimension * 0.0005;
  const Cost scan_cost = 10 + baserel->rows * per_row;
  add_path(baserel,
           reinterpret_cast<Path*>(create_foreignscan_path(
               root, baserel, nullptr, baserel->rows, 10, scan_cost, NIL, nullptr, nullptr, NIL)));
  int metric = -1;
  Expr* ordering = nullptr;
  Expr* query = KnnOrdering(root, baserel, rel, &metric, &ordering);
  // A LIMIT beyond kMaxKnn rows sorts the scanned rows instead: a graph
  // walk that wide costs as much, and the request stays bounded.
  if (query == nullptr || root->limit_tuples > kMaxKnn) return;
  // One engine kNN: k rows instead of every passing row and a sort, so
  // always cheaper than the scan.
  // The request asks for k = LIMIT (+ OFFSET) rows; fewer may pass.
  const double k = root->limit_tuples;
  const double rows = std::min(k, std::max(baserel->rows, 1.0));
  const Cost knn_cost = 0.9 * std::min(scan_cost, 10 + rows * per_row);
  List* knn = list_make4(query, makeInteger(metric), makeInteger(static_cast<int>(k)), ordering);
  add_path(baserel, reinterpret_cast<Path*>(
                        create_foreignscan_path(root, baserel, nullptr, rows, 10, knn_cost,
                                                root->query_pathkeys, nullptr, nullptr, knn)));
}

namespace {

struct ColumnUse {
  Index relid;
  AttrNumber attno;
  Expr* distance;
};

// Whether `node` reads the column (or the whole row) other than inside
// the distance expression.
bool ReadsColumn(Node* node, ColumnUse* use) {
  if (node == nullptr || equal(node, use->distance)) return false;
  if (IsA(node, Var)) {
    const Var* var = castNode(Var, node);
    return static_cast<Index>(var->varno) == use->relid &&
           (var->varattno == use->attno || var->varattno == 0);
  }
  // PostgreSQL 15 declares walkers without a prototype; void (*)() is the
  // cast GCC accepts between function types.
  return expression_tree_walker(
      node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(ReadsColumn)), use);
}

// Whether the query uses column `attno` other than inside `distance`.
bool UsedBeyond(PlannerInfo* root, Index relid, AttrNumber attno, Expr* distance,
                List* local_quals) {
  ColumnUse use{relid, attno, distance};
  return ReadsColumn(reinterpret_cast<Node*>(root->processed_tlist), &use) ||
         ReadsColumn(reinterpret_cast<Node*>(local_quals), &use);
}

// The kNN scan's own output: the relation's columns the query uses (the
// embedding only when it is used beyond the distance), then the distance.
// Empty (scan the table's rows) when a whole-row reference needs them all.
List* KnnScanTlist(PlannerInfo* root, RelOptInfo* baserel, const VectorRel* rel, List* local_quals,
                   Expr* distance, List** roles) {
  const bool embedding =
      UsedBeyond(root, baserel->relid, rel->attno[kEmbedding], distance, local_quals);
  List* vars = NIL;
  ListCell* cell;
  foreach (cell, pull_var_clause(reinterpret_cast<Node*>(baserel->reltarget->exprs),
                                 PVC_RECURSE_PLACEHOLDERS)) {
    Var* var = static_cast<Var*>(lfirst(cell));
    if (var->varattno != rel->attno[kEmbedding] || embedding) vars = lappend(vars, var);
  }
  vars = list_concat(
      vars, pull_var_clause(reinterpret_cast<Node*>(local_quals), PVC_RECURSE_PLACEHOLDERS));
  List* scan_tlist = add_to_flat_tlist(NIL, vars);
  scan_tlist = add_to_flat_tlist(scan_tlist, list_make1(distance));
  *roles = NIL;
  foreach (cell, scan_tlist) {
    Expr* expr = lfirst_node(TargetEntry, cell)->expr;
    int role = -1;
    if (IsA(expr, Var)) {
      for (int c = 0; c < kColumnCount; ++c) {
        if (rel->attno[c] != 0 && castNode(Var, expr)->varattno == rel->attno[c]) role = c;
      }
    } else if (equal(expr, distance)) {
      role = kDistanceRole;
    }
    if (role < 0) {
      *roles = NIL;
      return NIL;
    }
    *roles = lappend_int(*roles, role);
  }
  return scan_tlist;
}

}  // namespace

ForeignScan* VectorsGetPlan(PlannerInfo* root, RelOptInfo* baserel, Oid, ForeignPath* best_path,
                            List* tlist, List* scan_clauses, Plan* outer_plan) {
  VectorRel* rel = static_cast<VectorRel*>(baserel->fdw_private);
  List* filters = list_copy(rel->pushed.kinds);
  List* values = list_copy(rel->pushed.values);
  // Every filter is checked again locally: pushed ones cost nothing there.
  List* local_quals = extract_actual_clauses(scan_clauses, false);
  int metric = -1;
  int limit = 0;
  List* scan_tlist = NIL;
  List* roles = NIL;
  List* keys = list_copy(rel->pushed.keys);
  if (best_path->fdw_private != NIL) {  // the kNN path
    filters = lappend_int(filters, kKnnQuery);
    keys = lappend(keys, makeString(pstrdup("")));
    values = lappend(values, linitial(best_path->fdw_private));
    metric = intVal(lsecond(best_path->fdw_private));
    limit = intVal(lthird(best_path->fdw_private));
    scan_tlist = KnnScanTlist(root, baserel, rel, local_quals,
                              static_cast<Expr*>(lfourth(best_path->fdw_private)), &roles);
    // The planner may ask for every column (a physical tlist under a
    // gating Result, as for `id = 1 AND id = 2`): then the scan returns the
    // table's rows and PostgreSQL computes the distance.
    ListCell* cell;
    foreach (cell, pull_var_clause(reinterpret_cast<Node*>(tlist), PVC_RECURSE_PLACEHOLDERS)) {
      if (tlist_member(static_cast<Expr*>(lfirst(cell)), scan_tlist) == nullptr) {
        scan_tlist = NIL;
        roles = NIL;
        break;
      }
    }
  }
  List* attnos = NIL;
  for (int c = 0; c < kColumnCount; ++c)
    attnos = lappend_int(attnos, rel->attno[c]);
  // Which columns must come back: the scan's own output, or else what the
  // relation's columns are used for.
  bool needed[kColumnCount] = {};
  if (scan_tlist != NIL) {
    ListCell* cell;
    foreach (cell, roles) {
      if (lfirst_int(cell) < kColumnCount) needed[lfirst_int(cell)] = true;
    }
  } else {
    const bool whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, rel->attrs_used);
    for (int c = 0; c < kColumnCount; ++c) {
      needed[c] = rel->attno[c] != 0 &&
                  (whole_row || bms_is_member(rel->attno[c] - FirstLowInvalidHeapAttributeNumber,
                                              rel->attrs_used));
    }
  }
  // Beyond id and model version, which a kNN answer carries.
  const bool rows =
      needed[kUserId] || needed[kEmbedding] || needed[kMetadata] || needed[kCreatedAt];
  List* plan_items = NIL;
  plan_items = lappend(plan_items, makeString(rel->collection));
  plan_items = lappend(plan_items, filters);
  plan_items = lappend(plan_items, makeInteger(metric));
  plan_items = lappend(plan_items, makeInteger(limit));
  plan_items = lappend(plan_items, makeInteger(needed[kEmbedding] ? 1 : 0));
  plan_items = lappend(plan_items, makeInteger(rows ? 1 : 0));
  plan_items = lappend(plan_items, attnos);
  plan_items = lappend(plan_items, roles);
  plan_items = lappend(plan_items, makeBoolean(rel->local_clauses == NIL && rel->all_exact));
  plan_items = lappend(plan_items, makeInteger(-1));
  plan_items = lappend(plan_items, keys);
  plan_items = lappend(plan_items, makeInteger(rel->metric));
  return make_foreignscan(tlist, local_quals, baserel->relid, values, plan_items, scan_tlist, NIL,
                          outer_plan);
}

namespace {

// The executor's state: C++ (requests, pages of rows), deleted by a callback
// of the query's memory context, so also on error and cancel.
struct ScanState : ScanStateBase {
  ScanState() : ScanStateBase(TableKind::kVectors) {}
  ConnectTarget target;
  protocol::Session* session = nullptr;  // owned by the connection cache
  std::string collection;
  vectors::RecordScan scan;
  bool knn_planned = false;  // the plan is a kNN
  bool knn = false;          // ... and its query vector is not NULL
  bool rows_needed = true;   // kNN: fetch the rows, not only their ids
  vectors::SearchRequest search;
  // A kNN asks for rows in distance order a page at a time (each after the
  // last), until PostgreSQL has the rows it wants: the LIMIT when the engine
  // applies every condition, twice that otherwise, then doubling.
  std::size_t first_page = 0;
  std::vector<float> query;
  std::vector<vectors::VectorRecord> rows;
  std::vector<float> distances;  // kNN: the engine's, parallel to rows
  std::vector<int> scan_roles;   // per output column (fdw_scan_tlist), or empty
  std::size_t next = 0;
  bool none_pass = false;  // a pushed condition no row passes (id = NULL)
  bool exhausted = false;
  std::string new_metadata;  // UPDATE ... SET metadata: the value, as text
  // Columns (attribute numbers, 0: absent) and the metadata column's input.
  AttrNumber attno[kColumnCount] = {};
  FmgrInfo metadata_input;
  Oid metadata_ioparam = InvalidOid;

  Status Fetch();
};

Status ScanState::Fetch() {
  rows.clear();
  next = 0;
  if (knn) {
    LAKE_ASSIGN_OR_RETURN(auto found,
                          session->Call(protocol::SearchRequest{collection, search, query}));
    const std::vector<vectors::Neighbor>& hits = found.results.front();
    if (hits.size() < search.k) {
      exhausted = true;
    } else {
      search.after = hits.back();
      search.returned += hits.size();
      search.k = std::min(search.k * 2, static_cast<std::size_t>(kMaxKnn));
    }
    // The rows, fetched per model version (in the order asked, without rows
    // deleted since).
    std::map<std::pair<std::int64_t, std::int32_t>, vectors::VectorRecord> fetched;
    if (rows_needed) {
      std::map<std::int32_t, std::vector<std::int64_t>> ids;
      for (const vectors::Neighbor& n : hits)
        ids[n.model_version].push_back(n.id);
      for (auto& [version, version_ids] : ids) {
        LAKE_ASSIGN_OR_RETURN(
            auto got, session->Call(protocol::GetRequest{collection, version, version_ids}));
        for (vectors::VectorRecord& record : got.records)
          fetched.emplace(std::pair(record.id, record.model_version), std::move(record));
      }
    }
    distances.clear();
    for (const vectors::Neighbor& n : hits) {
      if (rows_needed) {
        auto row = fetched.find(std::pair(n.id, n.model_version));
        if (row == fetched.end()) continue;
        rows.push_back(std::move(row->second));
      } else {
        vectors::VectorRecord row;
        row.id = n.id;
        row.model_version = n.model_version;
        rows.push_back(std::move(row));
      }
      distances.push_back(n.distance);
    }
    return Status::Ok();
  }
  LAKE_ASSIGN_OR_RETURN(auto page, session->Call(protocol::ScanRecordsRequest{collection, scan}));
  rows = std::move(page.records);
  if (rows.size() < scan.limit) exhausted = true;
  if (!rows.empty()) scan.after = std::pair(rows.back().id, rows.back().model_version);
  return Status::Ok();
}

// Counts the rows the scan still passes, page by page (keys only when the
// scan asks for no vectors).
Status CountRows(ScanState* state, double* count) {
  while (!state->exhausted) {
    LAKE_RETURN_IF_ERROR(state->Fetch());
    *count += static_cast<double>(state->rows.size());
  }
  return Status::Ok();
}

}  // namespace

void VectorsBeginScan(ForeignScanState* node, int eflags) {
  if (eflags & EXEC_FLAG_EXPLAIN_ONLY) return;
  ForeignScan* plan = castNode(ForeignScan, node->ss.ps.plan);
  EState* estate = node->ss.ps.state;
  ConnectTarget target;
  ReadScanTarget(node, plan->scan.scanrelid, &target);
  List* items = plan->fdw_private;
  Oid metadata_input = InvalidOid;
  Oid metadata_ioparam = InvalidOid;
  List* attnos = static_cast<List*>(list_nth(items, kPlanAttnos));
  const AttrNumber metadata_attno = static_cast<AttrNumber>(list_nth_int(attnos, kMetadata));
  if (metadata_attno != 0) {
    const Oid type =
        TupleDescAttr(node->ss.ss_currentRelation->rd_att, metadata_attno - 1)->atttypid;
    getTypeInputInfo(type, &metadata_input, &metadata_ioparam);
  }

  CppError error;
  ScanState* state = nullptr;
  if (!RunCpp(error, [&]() -> Status {
        state = new ScanState();
        state->collection = strVal(list_nth(items, kPlanCollection));
        state->scan.limit = kScanPage;
        state->scan.with_embeddings = intVal(list_nth(items, kPlanEmbeddings)) != 0;
        state->rows_needed = intVal(list_nth(items, kPlanRows)) != 0;
        const int metric = intVal(list_nth(items, kPlanMetric));
        state->knn_planned = metric >= 0;
        if (state->knn_planned) state->search.metric = static_cast<vectors::Metric>(metric);
        const std::size_t limit = static_cast<std::size_t>(intVal(list_nth(items, kPlanLimit)));
        state->first_page = boolVal(list_nth(items, kPlanAllPushed))
                                ? limit
                                : std::min(limit * 2, static_cast<std::size_t>(kMaxKnn));
        for (int c = 0; c < kColumnCount; ++c)
          state->attno[c] = static_cast<AttrNumber>(list_nth_int(attnos, c));
        ListCell* role;
        foreach (role, static_cast<List*>(list_nth(items, kPlanScanRoles)))
          state->scan_roles.push_back(lfirst_int(role));
        state->target = target;
        return Status::Ok();
      })) {
    delete state;
    Raise(error);
  }
  AdoptScanState(node, state, estate->es_query_cxt);
  InitPushedValues(node, state);
  if (OidIsValid(metadata_input)) {
    fmgr_info(metadata_input, &state->metadata_input);
    state->metadata_ioparam = metadata_ioparam;
  }
}

namespace {

// Starts the scan over with the pushed values (filters, the kNN query)
// when they are due: at its first row, and after a ReScan that changed a
// parameter they read.
void ApplyPushedValues(ForeignScanState* node, ScanState* state) {
  Datum* values;
  bool* nulls;
  if (!EvaluatePushedValuesIfDue(node, &values, &nulls)) return;
  List* items = castNode(ForeignScan, node->ss.ps.plan)->fdw_private;
  List* filters = static_cast<List*>(list_nth(items, kPlanFilters));
  List* keys = static_cast<List*>(list_nth(items, kPlanFilterKeys));
  List* exprs = castNode(ForeignScan, node->ss.ps.plan)->fdw_exprs;
  FilterValues pushed;
  ListCell *filter_cell, *key_cell;
  forboth(filter_cell, filters, key_cell, keys) {
    const int i = foreach_current_index(filter_cell);
    const Filter filter = static_cast<Filter>(lfirst_int(filter_cell));
    if (nulls[i]) {
      // ORDER BY a distance to NULL orders nothing: the rows come in any order.
      if (filter != kKnnQuery) pushed.contradiction = true;
      continue;
    }
    TakeFilterValue(filter, values[i], exprType(static_cast<Node*>(list_nth(exprs, i))),
                    strVal(lfirst(key_cell)), &pushed);
  }
  // UPDATE ... SET metadata = value: the value, after the conditions.
  const char* new_metadata = nullptr;
  const int update_index = intVal(list_nth(items, kPlanUpdateValue));
  if (update_index >= 0) {
    if (nulls[update_index])
      ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("lake: metadata cannot be NULL"),
                      errhint("Set it to '{}' for a record without metadata.")));
    Oid output;
    bool varlena;
    getTypeOutputInfo(exprType(static_cast<Node*>(list_nth(exprs, update_index))), &output,
                      &varlena);
    new_metadata = OidOutputFunctionCall(output, values[update_index]);
  }
  CppError error;
  if (!RunCpp(error, [&]() -> Status {
        state->rows.clear();
        state->next = 0;
        ToEngine(pushed, &state->scan);
        state->scan.after.reset();
        state->knn = state->knn_planned && pushed.query != nullptr;
        if (state->knn) {
          state->query.assign(pushed.query->x, pushed.query->x + pushed.query->dim);
          state->search.k = state->first_page;
          state->search.after.reset();
          state->search.returned = 0;
          state->search.dimension = static_cast<std::uint32_t>(pushed.query->dim);
          state->search.tenant_id = state->scan.tenant_id;
          state->search.model_version = state->scan.model_version.value_or(0);
          state->search.allowed_ids = state->scan.ids;
          state->search.conditions = state->scan.conditions;
          state->search.ef_search = static_cast<std::size_t>(ef_search_setting);
          state->search.probes = static_cast<std::size_t>(probes_setting);
        }
        state->none_pass = NothingPasses(pushed);
        state->exhausted = state->none_pass;
        if (new_metadata != nullptr) state->new_metadata = new_metadata;
        if (!state->exhausted && state->session == nullptr) {
          LAKE_ASSIGN_OR_RETURN(state->session, SessionFor(state->target));
        }
        return Status::Ok();
      }))
    Raise(error);
}

}  // namespace

TupleTableSlot* VectorsIterateScan(ForeignScanState* node) {
  ScanState* state = static_cast<ScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  TupleTableSlot* slot = node->ss.ss_ScanTupleSlot;
  ExecClearTuple(slot);
  ApplyPushedValues(node, state);
  if (state->next >= state->rows.size()) {
    if (state->exhausted) return slot;
    CppError error;
    if (!RunCpp(error, [&] { return state->Fetch(); })) Raise(error);
    if (state->rows.empty()) return slot;
  }
  const std::size_t index = state->next++;
  const vectors::VectorRecord& row = state->rows[index];
  Datum* values = slot->tts_values;
  bool* nulls = slot->tts_isnull;
  std::memset(nulls, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
  // Output positions: the scan's own columns (kNN), or the table's.
  const auto set = [&](Column column, Datum value) {
    if (!state->scan_roles.empty()) {
      for (std::size_t i = 0; i < state->scan_roles.size(); ++i) {
        if (state->scan_roles[i] != column) continue;
        values[i] = value;
        nulls[i] = false;
      }
      return;
    }
    if (state->attno[column] == 0) return;
    values[state->attno[column] - 1] = value;
    nulls[state->attno[column] - 1] = false;
  };
  for (std::size_t i = 0; i < state->scan_roles.size() && state->knn; ++i) {
    if (state->scan_roles[i] != kDistanceRole) continue;
    values[i] = Float8GetDatum(static_cast<double>(state->distances[index]));
    nulls[i] = false;
  }
  set(kId, Int64GetDatum(row.id));
  set(kModelVersion, Int32GetDatum(row.model_version));
  if (state->rows_needed) {
    set(kUserId, Int64GetDatum(row.tenant_id));
    set(kCreatedAt, TimestampTzGetDatum(row.created_at_us - kPostgresEpochMicros));
    if (state->attno[kEmbedding] != 0 && !row.embedding.empty()) {
      PgVector* v = NewVector(static_cast<int>(row.embedding.size()));
      std::memcpy(v->x, row.embedding.data(), sizeof(float) * row.embedding.size());
      set(kEmbedding, PointerGetDatum(v));
    }
    if (state->attno[kMetadata] != 0) {
      set(kMetadata,
          InputFunctionCall(&state->metadata_input, const_cast<char*>(row.metadata_json.c_str()),
                            state->metadata_ioparam, -1));
    }
  }
  return ExecStoreVirtualTuple(slot);
}

void VectorsReScan(ForeignScanState* node) {
  ScanState* state = static_cast<ScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  RescanPushedValues(node);
  state->rows.clear();
  state->next = 0;
  state->scan.after.reset();
  state->search.after.reset();
  state->search.returned = 0;
  state->search.k = state->first_page;
  state->exhausted = state->none_pass;
}

void VectorsEndScan(ForeignScanState* node) {
  ScanState* state = static_cast<ScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  if (state != nullptr) {
    // Frees the rows now; the rest goes with the query's memory.
    std::vector<vectors::VectorRecord>().swap(state->rows);
  }
}

bool VectorsAllPushed(ForeignScan* plan) {
  return boolVal(list_nth(plan->fdw_private, kPlanAllPushed));
}

bool VectorsPlanMetadataUpdate(ForeignScan* plan, List* target_columns) {
  List* attnos = static_cast<List*>(list_nth(plan->fdw_private, kPlanAttnos));
  const AttrNumber metadata = static_cast<AttrNumber>(list_nth_int(attnos, kMetadata));
  if (metadata == 0 || list_length(target_columns) != 1 || linitial_int(target_columns) != metadata)
    return false;
  // The new value: the first non-junk entry of the scan's output.
  Expr* value = nullptr;
  ListCell* cell;
  foreach (cell, plan->scan.plan.targetlist) {
    TargetEntry* entry = lfirst_node(TargetEntry, cell);
    if (!entry->resjunk) {
      value = entry->expr;
      break;
    }
  }
  if (value == nullptr || !IsScanValue(reinterpret_cast<Node*>(value))) return false;
  plan->fdw_exprs = lappend(plan->fdw_exprs, value);
  lfirst(list_nth_cell(plan->fdw_private, kPlanUpdateValue)) =
      makeInteger(list_length(plan->fdw_exprs) - 1);
  return true;
}

double VectorsQueueMetadataUpdate(ForeignScanState* node) {
  ScanState* state = static_cast<ScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  ApplyPushedValues(node, state);
  double count = 0;
  CppError error;
  // Counted now, changed at commit.
  if (!RunCpp(error, [&]() -> Status {
        state->scan.with_embeddings = false;
        if (!state->exhausted)
          QueueMetadataUpdate(state->target, state->collection, state->scan, state->new_metadata);
        return CountRows(state, &count);
      }))
    Raise(error);
  return count;
}

double VectorsQueueDelete(ForeignScanState* node) {
  ScanState* state = static_cast<ScanState*>(static_cast<ScanStateBase*>(node->fdw_state));
  ApplyPushedValues(node, state);
  double count = 0;
  CppError error;
  // Counted now, deleted at commit.
  if (!RunCpp(error, [&]() -> Status {
        state->scan.with_embeddings = false;
        if (!state->exhausted) QueueRecordDelete(state->target, state->collection, state->scan);
        return CountRows(state, &count);
      }))
    Raise(error);
  return count;
}

void VectorsExplainScan(ForeignScanState* node, ExplainState* es) {
  ForeignScan* plan = castNode(ForeignScan, node->ss.ps.plan);
  List* items = plan->fdw_private;
  List* filters = static_cast<List*>(list_nth(items, kPlanFilters));
  StringInfoData text;
  initStringInfo(&text);
  const int metric = intVal(list_nth(items, kPlanMetric));
  static const char* const kOperators[] = {"<->", "<=>", "<#>"};
  static const char* const kMetrics[] = {"l2", "cosine", "inner_product"};
  const int collection_metric = intVal(list_nth(items, kPlanCollectionMetric));
  if (metric >= 0) {
    appendStringInfo(&text, "kNN %s k=%d on %s", kOperators[metric],
                     intVal(list_nth(items, kPlanLimit)), strVal(list_nth(items, kPlanCollection)));
    if (metric != collection_metric) {
      appendStringInfo(&text, " (exact scan: the collection's metric is %s)",
                       kMetrics[collection_metric]);
    } else if (ef_search_setting > 0) {
      appendStringInfo(&text, " ef_search=%d", ef_search_setting);
    }
  } else {
    appendStringInfo(&text, "scan %s", strVal(list_nth(items, kPlanCollection)));
  }
  bool first = true;
  ListCell *cell, *key;
  forboth(cell, filters, key, static_cast<List*>(list_nth(items, kPlanFilterKeys))) {
    const int filter = lfirst_int(cell);
    if (filter == kKnnQuery) continue;
    appendStringInfoString(&text, first ? " where " : " and ");
    appendStringInfo(&text, kFilterNames[filter], strVal(lfirst(key)));
    first = false;
  }
  if (metric >= 0 && !boolVal(list_nth(items, kPlanAllPushed)))
    appendStringInfoString(&text, ", in pages of distance order until the local filter passes k");
  if (intVal(list_nth(items, kPlanEmbeddings)) == 0)
    appendStringInfoString(&text, " (no embeddings)");
  ExplainPropertyText("Lake Request", text.data, es);
}

}  // namespace lake::fdw
