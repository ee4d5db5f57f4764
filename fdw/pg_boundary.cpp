#include "pg_boundary.h"

namespace lake::fdw {

int SqlStateOf(const CppError& error) {
  if (error.out_of_memory) return ERRCODE_OUT_OF_MEMORY;
  switch (error.code) {
    case StatusCode::kInvalidArgument:
      return ERRCODE_INVALID_PARAMETER_VALUE;
    case StatusCode::kNotFound:
      return ERRCODE_UNDEFINED_OBJECT;
    case StatusCode::kAlreadyExists:
      return ERRCODE_DUPLICATE_OBJECT;
    case StatusCode::kBusy:
      return ERRCODE_OBJECT_IN_USE;
    case StatusCode::kIOError:
      return ERRCODE_IO_ERROR;
    case StatusCode::kCorruption:
      return ERRCODE_DATA_CORRUPTED;
    case StatusCode::kPermissionDenied:
      return ERRCODE_INSUFFICIENT_PRIVILEGE;
    case StatusCode::kCancelled:
      return ERRCODE_QUERY_CANCELED;
    case StatusCode::kUnavailable:
      return ERRCODE_CONNECTION_FAILURE;
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return ERRCODE_INTERNAL_ERROR;
}

void Raise(const CppError& error) {
  CHECK_FOR_INTERRUPTS();
  const int code = SqlStateOf(error);
  if (code == ERRCODE_CONNECTION_FAILURE)
    ereport(ERROR, (errcode(code), errmsg("lake: %s", error.text),
                    errhint("Check that lake-server is running (tools/lake server status) and "
                            "that the foreign server's socket or host and port point to it.")));
  ereport(ERROR, (errcode(code), errmsg("lake: %s", error.text)));
  pg_unreachable();
}

}  // namespace lake::fdw
