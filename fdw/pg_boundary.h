// The line between PostgreSQL's C (errors longjmp) and our C++ (errors are
// Status values, exceptions unwind). Every callback crosses it this way:
//
//   char error[kErrorBytes];
//   if (!RunCpp(error, [&] { ... C++: no palloc, no ereport ... })) Raise(error);
//
// RunCpp catches every exception and turns a failed Status into text in a
// plain buffer; when it returns, no C++ frame of the call is alive, so the
// ERROR that Raise throws skips no destructor.
#pragma once

#include <cstddef>
#include <cstdio>
#include <exception>

#include "common/status.h"
#include "postgres_headers.h"

namespace lake::fdw {

inline constexpr std::size_t kErrorBytes = 1024;

// Runs `body` (returning Status); false with the reason in `error` when it
// failed or threw.
template <typename Body>
bool RunCpp(char (&error)[kErrorBytes], Body&& body) {
  try {
    const Status status = body();
    if (status.ok()) return true;
    std::snprintf(error, kErrorBytes, "%s", status.ToString().c_str());
  } catch (const std::exception& e) {
    std::snprintf(error, kErrorBytes, "internal error in lake_fdw: %s", e.what());
  } catch (...) {
    std::snprintf(error, kErrorBytes, "internal error in lake_fdw");
  }
  return false;
}

// Raises the text RunCpp left as a PostgreSQL ERROR.
[[noreturn]] inline void Raise(const char* error) {
  ereport(ERROR, (errcode(ERRCODE_FDW_ERROR), errmsg("lake: %s", error)));
  pg_unreachable();
}

}  // namespace lake::fdw
