// The line between PostgreSQL's C (errors longjmp) and our C++ (errors are
// Status values, exceptions unwind). Every callback crosses it this way:
//
//   char error[kErrorBytes];
//   if (!RunCpp(error, [&] { ... C++: no palloc, no ereport ... })) Raise(error);
//
// RunCpp catches every exception and turns a failed Status into text in a
// plain buffer; when it returns, no C++ frame of the call is alive, so the
// ERROR that Raise throws skips no destructor. (snprintf is unqualified:
// PostgreSQL's headers make it a macro for their own.)
#pragma once

#include <cstddef>
#include <cstdio>
#include <exception>

#include "common/status.h"
#include "postgres_headers.h"

extern "C" {
#include "miscadmin.h"
}

namespace lake::fdw {

inline constexpr std::size_t kErrorBytes = 1024;

// Runs `body` (returning Status); false with the reason in `error` when it
// failed or threw.
template <typename Body>
bool RunCpp(char (&error)[kErrorBytes], Body&& body) {
  try {
    const Status status = body();
    if (status.ok()) return true;
    snprintf(error, kErrorBytes, "%s", status.ToString().c_str());
  } catch (const std::exception& e) {
    snprintf(error, kErrorBytes, "internal error in lake_fdw: %s", e.what());
  } catch (...) {
    snprintf(error, kErrorBytes, "internal error in lake_fdw");
  }
  return false;
}

// Raises the text RunCpp left as a PostgreSQL ERROR; a pending cancel is
// raised as PostgreSQL raises it.
[[noreturn]] inline void Raise(const char* error) {
  CHECK_FOR_INTERRUPTS();
  ereport(ERROR, (errcode(ERRCODE_FDW_ERROR), errmsg("lake: %s", error)));
  pg_unreachable();
}

}  // namespace lake::fdw
