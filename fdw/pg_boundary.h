// The line between PostgreSQL's C (errors longjmp) and our C++ (errors are
// Status values, exceptions unwind). Every callback crosses it this way:
//
//   CppError error;
//   if (!RunCpp(error, [&] { ... C++: no palloc, no ereport ... })) Raise(error);
//
// RunCpp catches every exception and turns a failed Status into its code
// and text in a plain struct; when it returns, no C++ frame of the call is
// alive, so the ERROR that Raise throws skips no destructor. Raise maps
// the code to a SQLSTATE, so applications can tell bad input from a
// missing collection from a refused permission. (snprintf is unqualified:
// PostgreSQL's headers make it a macro for their own.)
#pragma once

#include <cstddef>
#include <cstdio>
#include <exception>
#include <new>

#include "common/status.h"
#include "postgres_headers.h"

extern "C" {
#include "miscadmin.h"
}

namespace lake::fdw {

inline constexpr std::size_t kErrorBytes = 1024;

// Why a RunCpp body failed: trivially destructible, so it may live in a
// frame that raises.
struct CppError {
  StatusCode code = StatusCode::kInternal;
  bool out_of_memory = false;
  char text[kErrorBytes] = {};
};

// Runs `body` (returning Status); false with the reason in `error` when it
// failed or threw.
template <typename Body>
bool RunCpp(CppError& error, Body&& body) {
  try {
    const Status status = body();
    if (status.ok()) return true;
    error.code = status.code();
    snprintf(error.text, kErrorBytes, "%s", status.ToString().c_str());
  } catch (const std::bad_alloc&) {
    error.out_of_memory = true;
    snprintf(error.text, kErrorBytes, "out of memory in lake_fdw");
  } catch (const std::exception& e) {
    snprintf(error.text, kErrorBytes, "internal error in lake_fdw: %s", e.what());
  } catch (...) {
    snprintf(error.text, kErrorBytes, "internal error in lake_fdw");
  }
  return false;
}

// The SQLSTATE of an engine status code (docs/sql.md lists them).
int SqlStateOf(const CppError& error);

// Raises the error RunCpp left as a PostgreSQL ERROR with the code's
// SQLSTATE; a pending cancel is raised as PostgreSQL raises it.
[[noreturn]] void Raise(const CppError& error);

}  // namespace lake::fdw
