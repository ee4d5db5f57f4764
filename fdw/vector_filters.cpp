#include "vector_filters.h"

#include <algorithm>

extern "C" {
#include "catalog/pg_am_d.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
}

#include "planner_util.h"

namespace lake::fdw {

const char* const kFilterNames[kFilterCount] = {
    "",
    "id = ?",
    "id IN ?",
    "user_id = ?",
    "model_version = ?",
    "user_id IN ?",
    "model_version IN ?",
    "id > ?",
    "id >= ?",
    "id < ?",
    "id <= ?",
    "created_at > ?",
    "created_at >= ?",
    "created_at < ?",
    "created_at <= ?",
    "metadata->>'%s' = ?",
    "metadata->>'%s' IN ?",
    "metadata @> ?",
};
bool IsExactFilter(Filter filter) {
  return filter < kMetadataText;
}

namespace {

// Values the engine's integer columns are compared with exactly.
bool IsIntegerType(Oid type) {
  return type == INT2OID || type == INT4OID || type == INT8OID;
}

void Push(PushedFilters* pushed, Filter filter, Node* value, const char* key = "") {
  pushed->kinds = lappend_int(pushed->kinds, filter);
  pushed->values = lappend(pushed->values, value);
  pushed->keys = lappend(pushed->keys, makeString(pstrdup(key)));
}

// The btree strategy of `op` in the built-in operator family (0: none), so
// that a user's operator of the same name is never taken for it.
int Strategy(Oid op, Oid family) {
  return get_op_opfamily_strategy(op, family);
}

// `metadata->>'key'` on the table's jsonb metadata column: the key.
const char* MetadataKey(Node* node, RelOptInfo* baserel, const AttrNumber* attno) {
  if (!IsA(node, OpExpr)) return nullptr;
  OpExpr* op = castNode(OpExpr, node);
  if (get_opcode(op->opno) != F_JSONB_OBJECT_FIELD_TEXT || list_length(op->args) != 2 ||
      !IsColumn(static_cast<Node*>(linitial(op->args)), baserel, attno[kMetadata]))
    return nullptr;
  Node* key = static_cast<Node*>(lsecond(op->args));
  if (!IsA(key, Const) || castNode(Const, key)->constisnull) return nullptr;
  return TextDatumGetCString(castNode(Const, key)->constvalue);
}

// Text equality as bytes: text's own = under a deterministic collation.
bool IsTextEquality(Oid op, Oid collation) {
  return Strategy(op, TEXT_BTREE_FAM_OID) == BTEqualStrategyNumber &&
         (!OidIsValid(collation) || get_collation_isdeterministic(collation));
}

}  // namespace

bool PushVectorFilter(RelOptInfo* baserel, const AttrNumber* attno, Expr* clause,
                      PushedFilters* pushed) {
  if (IsA(clause, OpExpr)) {
    OpExpr* op = castNode(OpExpr, clause);
    if (list_length(op->args) != 2) return false;
    Node* left = static_cast<Node*>(linitial(op->args));
    Node* right = static_cast<Node*>(lsecond(op->args));
    Oid opno = op->opno;
    if (IsScanValue(left)) {  // 5 < id: id > 5
      std::swap(left, right);
      opno = get_commutator(opno);
    }
    if (!IsScanValue(right) || !OidIsValid(opno)) return false;
    if (get_opcode(opno) == F_JSONB_CONTAINS && IsColumn(left, baserel, attno[kMetadata])) {
      Push(pushed, kMetadataContains, right);
      return true;
    }
    if (const char* key = MetadataKey(left, baserel, attno)) {
      if (!IsTextEquality(opno, op->inputcollid)) return false;
      Push(pushed, kMetadataText, right, key);
      return true;
    }
    const int strategy =
        IsIntegerType(exprType(right)) ? Strategy(opno, INTEGER_BTREE_FAM_OID)
        : exprType(right) == TIMESTAMPTZOID
            ? Strategy(opno, get_opfamily_oid(BTREE_AM_OID,
                                              list_make2(makeString(pstrdup("pg_catalog")),
                                                         makeString(pstrdup("datetime_ops"))),
                                              false))
            : 0;
    if (strategy == 0) return false;
    // By strategy: <, <=, =, >=, >.
    const Filter id_filters[] = {kIdBelow, kIdUpTo, kIdEquals, kIdFrom, kIdAbove};
    const Filter created_filters[] = {kCreatedBelow, kCreatedUpTo, kCreatedFrom, kCreatedFrom,
                                      kCreatedAbove};
    if (IsColumn(left, baserel, attno[kCreatedAt])) {
      if (strategy == BTEqualStrategyNumber) {  // created_at = t: from t up to t
        Push(pushed, kCreatedFrom, right);
        Push(pushed, kCreatedUpTo, right);
        return true;
      }
      Push(pushed, created_filters[strategy - 1], right);
      return true;
    }
    if (exprType(right) == TIMESTAMPTZOID) return false;
    if (IsColumn(left, baserel, attno[kId])) {
      Push(pushed, id_filters[strategy - 1], right);
      return true;
    }
    if (strategy != BTEqualStrategyNumber) return false;
    if (IsColumn(left, baserel, attno[kUserId])) {
      Push(pushed, kUserEquals, right);
      return true;
    }
    if (IsColumn(left, baserel, attno[kModelVersion])) {
      Push(pushed, kVersionEquals, right);
      return true;
    }
    return false;
  }
  if (IsA(clause, ScalarArrayOpExpr)) {
    ScalarArrayOpExpr* op = castNode(ScalarArrayOpExpr, clause);
    if (!op->useOr) return false;
    Node* left = static_cast<Node*>(linitial(op->args));
    Node* right = static_cast<Node*>(lsecond(op->args));
    if (!IsScanValue(right)) return false;
    if (const char* key = MetadataKey(left, baserel, attno)) {
      if (!IsTextEquality(op->opno, op->inputcollid)) return false;
      Push(pushed, kMetadataTextIn, right, key);
      return true;
    }
    if (!IsIntegerType(get_element_type(exprType(right))) ||
        Strategy(op->opno, INTEGER_BTREE_FAM_OID) != BTEqualStrategyNumber)
      return false;
    const Filter filters[] = {kIdIn, kUserIn, kVersionIn};
    const Column columns[] = {kId, kUserId, kModelVersion};
    for (int i = 0; i < 3; ++i) {
      if (IsColumn(left, baserel, attno[columns[i]])) {
        Push(pushed, filters[i], right);
        return true;
      }
    }
    return false;
  }
  return false;
}

void IntegerSet::Keep(const int64* more, int more_count) {
  int64* incoming = static_cast<int64*>(palloc(sizeof(int64) * (more_count + 1)));
  std::copy(more, more + more_count, incoming);
  std::sort(incoming, incoming + more_count);
  const int unique = static_cast<int>(std::unique(incoming, incoming + more_count) - incoming);
  if (!restricted) {
    values = incoming;
    count = unique;
  } else {
    int64* kept = static_cast<int64*>(palloc(sizeof(int64) * (count + 1)));
    count = static_cast<int>(
        std::set_intersection(values, values + count, incoming, incoming + unique, kept) - kept);
    values = kept;
  }
  restricted = true;
}

namespace {

// A pushed integer value of its own type (int2, int4 or int8: `id = 5`
// compares bigint with int4) as int64.
int64 IntegerOf(Datum value, Oid type) {
  if (type == INT2OID) return DatumGetInt16(value);
  if (type == INT4OID) return DatumGetInt32(value);
  return DatumGetInt64(value);
}

// The non-NULL elements of an array value.
int ArrayElements(Datum value, Datum** elements) {
  ArrayType* array = DatumGetArrayTypeP(value);
  int16 element_length;
  bool by_value;
  char align;
  get_typlenbyvalalign(ARR_ELEMTYPE(array), &element_length, &by_value, &align);
  bool* nulls;
  int count;
  deconstruct_array(array, ARR_ELEMTYPE(array), element_length, by_value, align, elements, &nulls,
                    &count);
  int taken = 0;
  for (int e = 0; e < count; ++e) {
    if (!nulls[e]) (*elements)[taken++] = (*elements)[e];
  }
  return taken;
}

// An integer array's non-NULL elements as int64 (int2[], int4[], int8[]).
int ArrayIntegers(Datum value, int64** integers) {
  const Oid type = ARR_ELEMTYPE(DatumGetArrayTypeP(value));
  Datum* elements;
  const int count = ArrayElements(value, &elements);
  *integers = static_cast<int64*>(palloc(sizeof(int64) * (count + 1)));
  for (int e = 0; e < count; ++e)
    (*integers)[e] = IntegerOf(elements[e], type);
  return count;
}

// A timestamptz as the engine's microseconds; the infinities as the ends.
int64 EngineMicros(Datum value) {
  const TimestampTz ts = DatumGetTimestampTz(value);
  if (TIMESTAMP_IS_NOBEGIN(ts)) return PG_INT64_MIN;
  if (TIMESTAMP_IS_NOEND(ts)) return PG_INT64_MAX;
  int64 micros;
  return ToUnixMicros(ts, &micros) ? micros : (ts < 0 ? PG_INT64_MIN : PG_INT64_MAX);
}

}  // namespace

void TakeFilterValue(Filter filter, Datum value, Oid type, const char* key, FilterValues* p) {
  switch (filter) {
    case kKnnQuery:
      p->query = DatumToVector(value);
      break;
    case kIdEquals:
    case kUserEquals:
    case kVersionEquals: {
      const int64 wanted = IntegerOf(value, type);
      (filter == kIdEquals     ? p->ids
       : filter == kUserEquals ? p->tenants
                               : p->versions)
          .Keep(&wanted, 1);
      break;
    }
    case kIdIn:
    case kUserIn:
    case kVersionIn: {
      int64* integers;
      const int count = ArrayIntegers(value, &integers);
      (filter == kIdIn     ? p->ids
       : filter == kUserIn ? p->tenants
                           : p->versions)
          .Keep(integers, count);
      break;
    }
    case kIdAbove:
      p->Above(IntegerOf(value, type), &p->id_min);
      break;
    case kIdFrom:
      p->id_min = std::max(p->id_min, IntegerOf(value, type));
      break;
    case kIdBelow:
      p->Below(IntegerOf(value, type), &p->id_max);
      break;
    case kIdUpTo:
      p->id_max = std::min(p->id_max, IntegerOf(value, type));
      break;
    case kCreatedAbove:
      p->Above(EngineMicros(value), &p->created_min);
      break;
    case kCreatedFrom:
      p->created_min = std::max(p->created_min, EngineMicros(value));
      break;
    case kCreatedBelow:
      p->Below(EngineMicros(value), &p->created_max);
      break;
    case kCreatedUpTo:
      p->created_max = std::min(p->created_max, EngineMicros(value));
      break;
    case kMetadataText:
    case kMetadataTextIn: {
      List* texts = NIL;
      if (filter == kMetadataText) {
        texts = list_make1(TextDatumGetCString(value));
      } else {
        Datum* elements;
        const int count = ArrayElements(value, &elements);
        for (int e = 0; e < count; ++e)
          texts = lappend(texts, TextDatumGetCString(elements[e]));
        if (texts == NIL) p->contradiction = true;
      }
      p->text_keys = lappend(p->text_keys, const_cast<char*>(key));
      p->text_values = lappend(p->text_values, texts);
      break;
    }
    case kMetadataContains: {
      // Only an object narrows by its members; PostgreSQL checks any other.
      Jsonb* object = DatumGetJsonbP(value);
      if (JB_ROOT_IS_OBJECT(object))
        p->contains = lappend(p->contains, JsonbToCString(nullptr, &object->root, VARSIZE(object)));
      break;
    }
    case kFilterCount:
      break;
  }
}

void ToEngine(const FilterValues& p, vectors::RecordScan* scan) {
  scan->tenant_id.reset();
  scan->model_version.reset();
  scan->conditions = {};
  vectors::RecordConditions& c = scan->conditions;
  if (p.tenants.restricted && p.tenants.count == 1) {
    scan->tenant_id = p.tenants.values[0];
  } else if (p.tenants.restricted) {
    c.tenant_ids.assign(p.tenants.values, p.tenants.values + p.tenants.count);
  }
  for (int v = 0; v < p.versions.count; ++v) {  // beyond int4: no model version
    if (p.versions.values[v] >= PG_INT32_MIN && p.versions.values[v] <= PG_INT32_MAX)
      c.model_versions.push_back(static_cast<std::int32_t>(p.versions.values[v]));
  }
  if (c.model_versions.size() == 1) {
    scan->model_version = c.model_versions.front();
    c.model_versions.clear();
  }
  scan->ids.assign(p.ids.values, p.ids.values + p.ids.count);
  c.id_min = p.id_min;
  c.id_max = p.id_max;
  c.created_min_us = p.created_min;
  c.created_max_us = p.created_max;
  ListCell *key, *texts;
  forboth(key, p.text_keys, texts, p.text_values) {
    vectors::MetadataText text{static_cast<char*>(lfirst(key)), {}};
    ListCell* t;
    foreach (t, static_cast<List*>(lfirst(texts)))
      text.texts.emplace_back(static_cast<char*>(lfirst(t)));
    c.metadata_texts.push_back(std::move(text));
  }
  ListCell* object;
  foreach (object, p.contains)
    c.metadata_contains.emplace_back(static_cast<char*>(lfirst(object)));
}

bool NothingPasses(const FilterValues& p) {
  const auto empty = [](const IntegerSet& set) { return set.restricted && set.count == 0; };
  bool versions_in_range = !p.versions.restricted;
  for (int v = 0; v < p.versions.count; ++v)
    versions_in_range |=
        p.versions.values[v] >= PG_INT32_MIN && p.versions.values[v] <= PG_INT32_MAX;
  return p.contradiction || empty(p.ids) || empty(p.tenants) || !versions_in_range ||
         p.id_min > p.id_max || p.created_min > p.created_max;
}

}  // namespace lake::fdw
