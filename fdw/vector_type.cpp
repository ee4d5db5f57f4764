// The vector type's SQL functions: text and binary I/O, the type modifier,
// casts from and to arrays, distances, comparisons. Written in the plain
// style PostgreSQL's own types use (palloc, ereport, no C++ objects in any
// frame), so an error can never skip a destructor.
#include "vector_type.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

extern "C" {
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "utils/numeric.h"
}

namespace lake::fdw {

PgVector* NewVector(int dim) {
  const std::size_t size = VectorSize(dim);
  auto* v = static_cast<PgVector*>(palloc0(size));
  SET_VARSIZE(v, size);
  v->dim = static_cast<int16>(dim);
  return v;
}

void CheckDimensions(int dim, int32 typmod) {
  if (typmod != -1 && typmod != dim)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("expected %d dimensions, got %d", typmod, dim)));
}

namespace {

void CheckElement(float value) {
  if (std::isnan(value))
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in vector")));
  if (std::isinf(value))
    ereport(ERROR,
            (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in vector")));
}

void CheckDimensionCount(int dim) {
  if (dim < 1)
    ereport(ERROR,
            (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
  if (dim > kMaxVectorDimensions)
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("vector cannot have more than %d dimensions", kMaxVectorDimensions)));
}

void CheckSameDimensions(const PgVector* a, const PgVector* b) {
  if (a->dim != b->dim)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("different vector dimensions %d and %d", a->dim, b->dim)));
}

[[noreturn]] void BadSyntax(const char* literal) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
                  errmsg("invalid input syntax for type vector: \"%s\"", literal)));
  pg_unreachable();
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

const char* SkipSpace(const char* p) {
  while (IsSpace(*p))
    ++p;
  return p;
}

// The number at `p` (of a literal ending at `last`): the character after
// it, or `p` when there is none. std::from_chars for the usual forms
// (several times faster); strtof, as pgvector, for the rest (a leading '+',
// hex, out of range), with `overflow` set when it overflows.
const char* ParseElement(const char* p, const char* last, float* value, bool* overflow) {
  *overflow = false;
  const auto [end, error] = std::from_chars(p, last, *value);
  if (error == std::errc() && (*end == ',' || *end == ']' || IsSpace(*end))) return end;
  char* strtof_end = nullptr;
  errno = 0;
  *value = std::strtof(p, &strtof_end);
  *overflow = errno == ERANGE && std::isinf(*value);
  return strtof_end;
}

double Dot(const PgVector* a, const PgVector* b) {
  float sum = 0;
  for (int i = 0; i < a->dim; ++i)
    sum += a->x[i] * b->x[i];
  return sum;
}

double SquaredNorm(const PgVector* a) {
  return Dot(a, a);
}

int Compare(const PgVector* a, const PgVector* b) {
  const int common = std::min(a->dim, b->dim);
  for (int i = 0; i < common; ++i) {
    if (a->x[i] < b->x[i]) return -1;
    if (a->x[i] > b->x[i]) return 1;
  }
  return a->dim < b->dim ? -1 : a->dim > b->dim ? 1 : 0;
}

}  // namespace

}  // namespace lake::fdw

using lake::fdw::PgVector;

extern "C" {

PG_FUNCTION_INFO_V1(vector_in);
Datum vector_in(PG_FUNCTION_ARGS) {
  const char* literal = PG_GETARG_CSTRING(0);
  const int32 typmod = PG_GETARG_INT32(2);
  // Every value takes at least one character and a separator.
  const std::size_t length = std::strlen(literal);
  const int capacity = static_cast<int>(length / 2 + 1);
  float* values = static_cast<float*>(palloc(sizeof(float) * capacity));
  int dim = 0;
  const char* p = lake::fdw::SkipSpace(literal);
  if (*p != '[') lake::fdw::BadSyntax(literal);
  p = lake::fdw::SkipSpace(p + 1);
  if (*p == ']') lake::fdw::CheckDimensionCount(0);
  for (;;) {
    float value = 0;
    bool overflow = false;
    const char* end = lake::fdw::ParseElement(p, literal + length, &value, &overflow);
    if (end == p) lake::fdw::BadSyntax(literal);
    if (overflow)
      ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                      errmsg("\"%s\" is out of range for type vector", pnstrdup(p, end - p))));
    lake::fdw::CheckElement(value);
    if (dim >= lake::fdw::kMaxVectorDimensions) lake::fdw::CheckDimensionCount(dim + 1);
    values[dim++] = value;
    p = lake::fdw::SkipSpace(end);
    if (*p == ',') {
      p = lake::fdw::SkipSpace(p + 1);
      continue;
    }
    if (*p == ']') break;
    lake::fdw::BadSyntax(literal);
  }
  if (*lake::fdw::SkipSpace(p + 1) != '\0') lake::fdw::BadSyntax(literal);
  lake::fdw::CheckDimensions(dim, typmod);
  PgVector* v = lake::fdw::NewVector(dim);
  std::memcpy(v->x, values, sizeof(float) * dim);
  pfree(values);
  PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(vector_out);
Datum vector_out(PG_FUNCTION_ARGS) {
  const PgVector* v = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  char* out =
      static_cast<char*>(palloc(std::size_t(v->dim) * (FLOAT_SHORTEST_DECIMAL_LEN + 1) + 2));
  char* p = out;
  *p++ = '[';
  for (int i = 0; i < v->dim; ++i) {
    if (i > 0) *p++ = ',';
    p += float_to_shortest_decimal_bufn(v->x[i], p);
  }
  *p++ = ']';
  *p = '\0';
  PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(vector_typmod_in);
Datum vector_typmod_in(PG_FUNCTION_ARGS) {
  ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
  int count = 0;
  int32* values = ArrayGetIntegerTypmods(array, &count);
  if (count != 1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid type modifier")));
  if (values[0] < 1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("dimensions for type vector must be at least 1")));
  if (values[0] > lake::fdw::kMaxVectorDimensions)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("dimensions for type vector cannot exceed %d",
                           lake::fdw::kMaxVectorDimensions)));
  PG_RETURN_INT32(values[0]);
}

PG_FUNCTION_INFO_V1(vector_recv);
Datum vector_recv(PG_FUNCTION_ARGS) {
  StringInfo buffer = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
  const int32 typmod = PG_GETARG_INT32(2);
  const int dim = pq_getmsgint(buffer, sizeof(int16));
  const int unused = pq_getmsgint(buffer, sizeof(int16));
  lake::fdw::CheckDimensionCount(dim);
  lake::fdw::CheckDimensions(dim, typmod);
  if (unused != 0)
    ereport(ERROR,
            (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected unused to be 0, not %d", unused)));
  PgVector* v = lake::fdw::NewVector(dim);
  for (int i = 0; i < dim; ++i) {
    v->x[i] = pq_getmsgfloat4(buffer);
    lake::fdw::CheckElement(v->x[i]);
  }
  PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(vector_send);
Datum vector_send(PG_FUNCTION_ARGS) {
  const PgVector* v = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  StringInfoData buffer;
  pq_begintypsend(&buffer);
  pq_sendint(&buffer, v->dim, sizeof(int16));
  pq_sendint(&buffer, v->unused, sizeof(int16));
  for (int i = 0; i < v->dim; ++i)
    pq_sendfloat4(&buffer, v->x[i]);
  PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

// vector(vector, typmod, explicit): the length coercion of `::vector(3)`.
PG_FUNCTION_INFO_V1(vector_coerce);
Datum vector_coerce(PG_FUNCTION_ARGS) {
  PgVector* v = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  lake::fdw::CheckDimensions(v->dim, PG_GETARG_INT32(1));
  PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(array_to_vector);
Datum array_to_vector(PG_FUNCTION_ARGS) {
  ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
  const int32 typmod = PG_GETARG_INT32(1);
  if (ARR_NDIM(array) > 1)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
  if (ARR_HASNULL(array) && array_contains_nulls(array))
    ereport(ERROR,
            (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));
  int16 length;
  bool by_value;
  char align;
  get_typlenbyvalalign(ARR_ELEMTYPE(array), &length, &by_value, &align);
  Datum* elements;
  int count;
  deconstruct_array(array, ARR_ELEMTYPE(array), length, by_value, align, &elements, nullptr,
                    &count);
  lake::fdw::CheckDimensionCount(count);
  lake::fdw::CheckDimensions(count, typmod);
  PgVector* v = lake::fdw::NewVector(count);
  for (int i = 0; i < count; ++i) {
    switch (ARR_ELEMTYPE(array)) {
      case INT4OID:
        v->x[i] = static_cast<float>(DatumGetInt32(elements[i]));
        break;
      case FLOAT4OID:
        v->x[i] = DatumGetFloat4(elements[i]);
        break;
      case FLOAT8OID:
        v->x[i] = static_cast<float>(DatumGetFloat8(elements[i]));
        break;
      case NUMERICOID:
        v->x[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elements[i]));
        break;
      default:
        ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array element type")));
    }
    lake::fdw::CheckElement(v->x[i]);
  }
  PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(vector_to_float4);
Datum vector_to_float4(PG_FUNCTION_ARGS) {
  const PgVector* v = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * v->dim));
  for (int i = 0; i < v->dim; ++i)
    elements[i] = Float4GetDatum(v->x[i]);
  PG_RETURN_POINTER(
      construct_array(elements, v->dim, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(vector_to_float8);
Datum vector_to_float8(PG_FUNCTION_ARGS) {
  const PgVector* v = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * v->dim));
  for (int i = 0; i < v->dim; ++i)
    elements[i] = Float8GetDatum(v->x[i]);
  PG_RETURN_POINTER(construct_array(elements, v->dim, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
                                    TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(l2_distance);
Datum l2_distance(PG_FUNCTION_ARGS) {
  const PgVector* a = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  const PgVector* b = lake::fdw::DatumToVector(PG_GETARG_DATUM(1));
  lake::fdw::CheckSameDimensions(a, b);
  float sum = 0;
  for (int i = 0; i < a->dim; ++i) {
    const float d = a->x[i] - b->x[i];
    sum += d * d;
  }
  PG_RETURN_FLOAT8(std::sqrt(static_cast<double>(sum)));
}

PG_FUNCTION_INFO_V1(inner_product);
Datum inner_product(PG_FUNCTION_ARGS) {
  const PgVector* a = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  const PgVector* b = lake::fdw::DatumToVector(PG_GETARG_DATUM(1));
  lake::fdw::CheckSameDimensions(a, b);
  PG_RETURN_FLOAT8(lake::fdw::Dot(a, b));
}

PG_FUNCTION_INFO_V1(vector_negative_inner_product);
Datum vector_negative_inner_product(PG_FUNCTION_ARGS) {
  const PgVector* a = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  const PgVector* b = lake::fdw::DatumToVector(PG_GETARG_DATUM(1));
  lake::fdw::CheckSameDimensions(a, b);
  PG_RETURN_FLOAT8(-lake::fdw::Dot(a, b));
}

PG_FUNCTION_INFO_V1(cosine_distance);
Datum cosine_distance(PG_FUNCTION_ARGS) {
  const PgVector* a = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  const PgVector* b = lake::fdw::DatumToVector(PG_GETARG_DATUM(1));
  lake::fdw::CheckSameDimensions(a, b);
  const double norms = std::sqrt(lake::fdw::SquaredNorm(a) * lake::fdw::SquaredNorm(b));
  // A zero vector has no direction: NaN, as pgvector answers.
  if (norms == 0) PG_RETURN_FLOAT8(std::nan(""));
  const double similarity = std::clamp(lake::fdw::Dot(a, b) / norms, -1.0, 1.0);
  PG_RETURN_FLOAT8(1.0 - similarity);
}

PG_FUNCTION_INFO_V1(vector_dims);
Datum vector_dims(PG_FUNCTION_ARGS) {
  PG_RETURN_INT32(lake::fdw::DatumToVector(PG_GETARG_DATUM(0))->dim);
}

PG_FUNCTION_INFO_V1(vector_norm);
Datum vector_norm(PG_FUNCTION_ARGS) {
  const PgVector* v = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  double sum = 0;
  for (int i = 0; i < v->dim; ++i)
    sum += double(v->x[i]) * v->x[i];
  PG_RETURN_FLOAT8(std::sqrt(sum));
}

// a || b: the values of a, then those of b (pgvector's concatenation).
PG_FUNCTION_INFO_V1(vector_concat);
Datum vector_concat(PG_FUNCTION_ARGS) {
  const PgVector* a = lake::fdw::DatumToVector(PG_GETARG_DATUM(0));
  const PgVector* b = lake::fdw::DatumToVector(PG_GETARG_DATUM(1));
  const int dim = a->dim + b->dim;
  if (dim > lake::fdw::kMaxVectorDimensions)
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("vector cannot have more than %d dimensions",
                           lake::fdw::kMaxVectorDimensions)));
  PgVector* result = lake::fdw::NewVector(dim);
  std::memcpy(result->x, a->x, sizeof(float) * a->dim);
  std::memcpy(result->x + a->dim, b->x, sizeof(float) * b->dim);
  PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(vector_cmp);
Datum vector_cmp(PG_FUNCTION_ARGS) {
  PG_RETURN_INT32(lake::fdw::Compare(lake::fdw::DatumToVector(PG_GETARG_DATUM(0)),
                                     lake::fdw::DatumToVector(PG_GETARG_DATUM(1))));
}

#define LAKE_VECTOR_COMPARISON(name, op)                                                   \
  PG_FUNCTION_INFO_V1(name);                                                               \
  Datum name(PG_FUNCTION_ARGS) {                                                           \
    PG_RETURN_BOOL(lake::fdw::Compare(lake::fdw::DatumToVector(PG_GETARG_DATUM(0)),        \
                                      lake::fdw::DatumToVector(PG_GETARG_DATUM(1))) op 0); \
  }
LAKE_VECTOR_COMPARISON(vector_lt, <)
LAKE_VECTOR_COMPARISON(vector_le, <=)
LAKE_VECTOR_COMPARISON(vector_eq, ==)
LAKE_VECTOR_COMPARISON(vector_ne, !=)
LAKE_VECTOR_COMPARISON(vector_ge, >=)
LAKE_VECTOR_COMPARISON(vector_gt, >)
#undef LAKE_VECTOR_COMPARISON

}  // extern "C"
