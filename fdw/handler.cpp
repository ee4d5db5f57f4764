// lake_fdw_handler: the callbacks PostgreSQL calls for lake foreign tables.
// Scans go to the code for the table's kind: vector tables (OPTIONS
// (collection '...')) or time-series tables (OPTIONS (series '...'));
// INSERT and COPY FROM to writes.cpp, which serves both.
#include "postgres_headers.h"
#include "series_agg.h"
#include "series_scan.h"
#include "table_kind.h"
#include "vectors_scan.h"
#include "writes.h"

extern "C" {
#include "commands/explain.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/rel.h"
}

namespace lake::fdw {
namespace {

bool IsVectors(Oid foreign_table) {
  return KindOf(foreign_table) == TableKind::kVectors;
}

// The kind of a running scan (its state says), or of its plan (EXPLAIN
// without ANALYZE starts no state): an aggregate scans no relation.
TableKind ScanKind(ForeignScanState* node) {
  if (node->fdw_state != nullptr) return static_cast<ScanStateBase*>(node->fdw_state)->kind;
  if (castNode(ForeignScan, node->ss.ps.plan)->scan.scanrelid == 0)
    return TableKind::kSeriesAggregate;
  return KindOf(RelationGetRelid(node->ss.ss_currentRelation));
}

void GetRelSize(PlannerInfo* root, RelOptInfo* baserel, Oid table) {
  IsVectors(table) ? VectorsGetRelSize(root, baserel, table)
                   : SeriesGetRelSize(root, baserel, table);
}
void GetPaths(PlannerInfo* root, RelOptInfo* baserel, Oid table) {
  IsVectors(table) ? VectorsGetPaths(root, baserel, table) : SeriesGetPaths(root, baserel, table);
}
ForeignScan* GetPlan(PlannerInfo* root, RelOptInfo* rel, Oid table, ForeignPath* path, List* tlist,
                     List* clauses, Plan* outer) {
  if (IS_UPPER_REL(rel)) return SeriesGetAggregatePlan(rel, path, tlist, outer);
  return IsVectors(table) ? VectorsGetPlan(root, rel, table, path, tlist, clauses, outer)
                          : SeriesGetPlan(root, rel, table, path, tlist, clauses, outer);
}
void BeginScan(ForeignScanState* node, int eflags) {
  switch (ScanKind(node)) {
    case TableKind::kVectors:
      return VectorsBeginScan(node, eflags);
    case TableKind::kSeries:
      return SeriesBeginScan(node, eflags);
    case TableKind::kSeriesAggregate:
      return SeriesAggregateBegin(node, eflags);
  }
}
TupleTableSlot* IterateScan(ForeignScanState* node) {
  switch (ScanKind(node)) {
    case TableKind::kVectors:
      return VectorsIterateScan(node);
    case TableKind::kSeries:
      return SeriesIterateScan(node);
    case TableKind::kSeriesAggregate:
      return SeriesAggregateIterate(node);
  }
  return nullptr;
}
void ReScan(ForeignScanState* node) {
  switch (ScanKind(node)) {
    case TableKind::kVectors:
      return VectorsReScan(node);
    case TableKind::kSeries:
      return SeriesReScan(node);
    case TableKind::kSeriesAggregate:
      return SeriesAggregateReScan(node);
  }
}
void EndScan(ForeignScanState* node) {
  if (node->fdw_state == nullptr) return;
  switch (ScanKind(node)) {
    case TableKind::kVectors:
      return VectorsEndScan(node);
    case TableKind::kSeries:
      return SeriesEndScan(node);
    case TableKind::kSeriesAggregate:
      return;  // its rows go with the query's memory
  }
}
void ExplainScan(ForeignScanState* node, ExplainState* es) {
  switch (ScanKind(node)) {
    case TableKind::kVectors:
      return VectorsExplainScan(node, es);
    case TableKind::kSeries:
      return SeriesExplainScan(node, es);
    case TableKind::kSeriesAggregate:
      return SeriesAggregateExplain(node, es);
  }
}

void BeginModify(ModifyTableState* mtstate, ResultRelInfo* rinfo, List*, int, int eflags) {
  if (mtstate->operation != CMD_INSERT) RefuseRowChange();
  if (eflags & EXEC_FLAG_EXPLAIN_ONLY) return;
  BeginInsert(mtstate, rinfo);
}

// DELETE goes to the engine whole when it applies every condition: the
// scan under the ModifyTable becomes the delete.
bool PlanDirectModify(PlannerInfo* root, ModifyTable* plan, Index result_relation,
                      int subplan_index) {
  if (plan->returningLists != NIL) return false;
  if (plan->operation != CMD_DELETE && plan->operation != CMD_UPDATE) return false;
  Plan* subplan = outerPlan(plan);
  if (subplan == nullptr || !IsA(subplan, ForeignScan)) return false;
  ForeignScan* scan = castNode(ForeignScan, subplan);
  if (scan->scan.scanrelid != result_relation) return false;
  const bool vectors = IsVectors(planner_rt_fetch(result_relation, root)->relid);
  if (!(vectors ? VectorsAllPushed(scan) : SeriesAllPushed(scan))) return false;
  if (plan->operation == CMD_UPDATE &&
      !(vectors && VectorsPlanMetadataUpdate(
                       scan, static_cast<List*>(list_nth(plan->updateColnosLists, subplan_index)))))
    return false;
  scan->operation = plan->operation;
  scan->resultRelation = result_relation;
  scan->scan.plan.qual = NIL;  // applied by the engine
  // An UPDATE keeps its output list (PostgreSQL looks for the junk whole
  // row in it), though no row comes back.
  if (plan->operation == CMD_DELETE) scan->scan.plan.targetlist = NIL;
  return true;
}

void BeginDirectModify(ForeignScanState* node, int eflags) {
  BeginScan(node, eflags);
}

TupleTableSlot* IterateDirectModify(ForeignScanState* node) {
  TupleTableSlot* slot = node->ss.ss_ScanTupleSlot;
  ExecClearTuple(slot);
  if (node->fdw_state == nullptr) return slot;
  auto* state = static_cast<ScanStateBase*>(node->fdw_state);
  if (state->done) return slot;
  state->done = true;
  const bool update = castNode(ForeignScan, node->ss.ps.plan)->operation == CMD_UPDATE;
  node->ss.ps.state->es_processed +=
      static_cast<uint64>(update                               ? VectorsQueueMetadataUpdate(node)
                          : state->kind == TableKind::kVectors ? VectorsQueueDelete(node)
                                                               : SeriesQueueDelete(node));
  return slot;
}

void ExplainDirectModify(ForeignScanState* node, ExplainState* es) {
  ExplainScan(node, es);
  const bool update = castNode(ForeignScan, node->ss.ps.plan)->operation == CMD_UPDATE;
  ExplainPropertyText(update ? "Lake Update" : "Lake Delete",
                      update ? "metadata, at commit, of what the request matches"
                             : "at commit, of what the request matches",
                      es);
}

}  // namespace
}  // namespace lake::fdw

extern "C" {
PG_FUNCTION_INFO_V1(lake_fdw_handler);
Datum lake_fdw_handler(PG_FUNCTION_ARGS) {
  FdwRoutine* routine = makeNode(FdwRoutine);
  routine->GetForeignRelSize = lake::fdw::GetRelSize;
  routine->GetForeignPaths = lake::fdw::GetPaths;
  routine->GetForeignPlan = lake::fdw::GetPlan;
  routine->BeginForeignScan = lake::fdw::BeginScan;
  routine->IterateForeignScan = lake::fdw::IterateScan;
  routine->ReScanForeignScan = lake::fdw::ReScan;
  routine->EndForeignScan = lake::fdw::EndScan;
  routine->ExplainForeignScan = lake::fdw::ExplainScan;
  routine->GetForeignUpperPaths = lake::fdw::SeriesGetUpperPaths;
  routine->IsForeignRelUpdatable = lake::fdw::Updatable;
  routine->BeginForeignModify = lake::fdw::BeginModify;
  routine->ExecForeignInsert = lake::fdw::ExecInsert;
  routine->ExecForeignBatchInsert = lake::fdw::ExecBatchInsert;
  routine->GetForeignModifyBatchSize = lake::fdw::InsertBatchSize;
  routine->EndForeignModify = lake::fdw::EndInsert;
  routine->BeginForeignInsert = lake::fdw::BeginInsert;  // COPY FROM
  routine->EndForeignInsert = lake::fdw::EndInsert;
  routine->ExecForeignUpdate = lake::fdw::RowChange;
  routine->ExecForeignDelete = lake::fdw::RowChange;
  routine->PlanDirectModify = lake::fdw::PlanDirectModify;
  routine->BeginDirectModify = lake::fdw::BeginDirectModify;
  routine->IterateDirectModify = lake::fdw::IterateDirectModify;
  routine->EndDirectModify = lake::fdw::EndScan;
  routine->ExplainDirectModify = lake::fdw::ExplainDirectModify;
  PG_RETURN_POINTER(routine);
}
}
