// The `vector(n)` type: pgvector's layout and text form ('[1,2,3]'), so the
// two read alike, but its own type in the extension's schema (`lake`), so
// both can be installed in one database.
#pragma once

#include "postgres_headers.h"

namespace lake::fdw {

inline constexpr int kMaxVectorDimensions = 16000;

// varlena header, dimension, a reserved int16 (zero), the values.
struct PgVector {
  int32 vl_len_;
  int16 dim;
  int16 unused;
  float x[FLEXIBLE_ARRAY_MEMBER];
};

inline std::size_t VectorSize(int dim) {
  return offsetof(PgVector, x) + sizeof(float) * dim;
}
inline PgVector* DatumToVector(Datum d) {
  return reinterpret_cast<PgVector*>(PG_DETOAST_DATUM(d));
}

// A palloc'd vector of `dim` zeros.
PgVector* NewVector(int dim);
// Errors unless `dim` matches the type modifier (-1: any).
void CheckDimensions(int dim, int32 typmod);

}  // namespace lake::fdw
