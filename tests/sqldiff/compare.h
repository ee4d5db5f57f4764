// Whether two answers to the same query agree: as multisets of rows, or in
// order when the query orders them totally; numbers within a tolerance
// (the engine sums and averages in another order than PostgreSQL); kNN
// answers by their distances, so ties at the k-th distance may differ.
#pragma once

#include <string>

#include "pg_client.h"

namespace lake::sqldiff {

enum class CompareAs {
  kMultiset,
  kOrdered,
  kKnn,  // ordered by the last column (a distance); ids may differ among ties
};

// Relative tolerances of numbers: float8 aggregates (summed in another
// order), and distances the engine computes in float32.
inline constexpr double kAggregateTolerance = 1e-9;
inline constexpr double kDistanceTolerance = 1e-5;

// Empty when the answers agree; else what differs, for the report.
std::string Difference(const Answer& expected, const Answer& actual, CompareAs how,
                       double tolerance = kAggregateTolerance);

// Rows as text, for the report (at most `limit`).
std::string Show(const Answer& answer, std::size_t limit = 12);

}  // namespace lake::sqldiff
