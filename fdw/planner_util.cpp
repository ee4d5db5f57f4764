#include "planner_util.h"

#include <cstring>

extern "C" {
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace lake::fdw {

namespace {

Oid LakeVectorType() {
  return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("vector"),
                         ObjectIdGetDatum(get_namespace_oid("lake", false)));
}

}  // namespace

void ReadColumns(Oid table, const ColumnSpec* specs, int count, const char* what, const char* hint,
                 AttrNumber* attno) {
  Relation relation = table_open(table, NoLock);
  TupleDesc desc = RelationGetDescr(relation);
  for (int c = 0; c < count; ++c)
    attno[c] = 0;
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute attribute = TupleDescAttr(desc, i);
    if (attribute->attisdropped) continue;
    int column = -1;
    for (int c = 0; c < count; ++c) {
      if (specs[c].name != nullptr && std::strcmp(NameStr(attribute->attname), specs[c].name) == 0)
        column = c;
    }
    if (column < 0)
      ereport(ERROR, (errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
                      errmsg("lake: column \"%s\" of \"%s\" is not a column of %s",
                             NameStr(attribute->attname), RelationGetRelationName(relation), what),
                      errhint("%s", hint)));
    const Oid expected = specs[column].type == kVectorType ? LakeVectorType() : specs[column].type;
    if (OidIsValid(expected) && attribute->atttypid != expected)
      ereport(ERROR, (errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
                      errmsg("lake: column \"%s\" of \"%s\" must be %s", specs[column].name,
                             RelationGetRelationName(relation), format_type_be(expected))));
    attno[column] = attribute->attnum;
  }
  table_close(relation, NoLock);
}

bool IsColumn(Node* node, const RelOptInfo* baserel, AttrNumber attno) {
  if (node == nullptr || attno == 0) return false;
  if (IsA(node, RelabelType)) node = reinterpret_cast<Node*>(castNode(RelabelType, node)->arg);
  if (!IsA(node, Var)) return false;
  const Var* var = castNode(Var, node);
  return static_cast<Index>(var->varno) == baserel->relid && var->varattno == attno &&
         var->varlevelsup == 0;
}

bool IsScanValue(Node* node) {
  return node != nullptr && !contain_var_clause(node) && !contain_volatile_functions(node) &&
         !contain_subplans(node);
}

const char* OperatorName(Oid op) {
  const char* name = get_opname(op);
  return name != nullptr ? name : "";
}

Oid PlanningUser(const RelOptInfo* baserel) {
  return OidIsValid(baserel->userid) ? baserel->userid : GetUserId();
}

}  // namespace lake::fdw
