// Errors are values inside the engine: every fallible call returns a Status
// or a Result<T>, never throws across the library API.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lake {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (dimension, NaN, bad name)
  kNotFound,          // unknown collection, missing record
  kAlreadyExists,     // creating something that exists
  kBusy,              // the data directory is held by another process
  kIOError,           // the file system refused (permissions, disk full)
  kCorruption,        // stored bytes cannot be decoded
  kInternal,          // a bug or an unexpected library failure
  kPermissionDenied,  // the caller's token does not allow this
  kCancelled,         // the caller gave up waiting (a query cancel)
  kUnavailable,       // lake-server cannot be reached, or stopped answering
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: expected 768 dimensions, got 767"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace lake

#define LAKE_CONCAT_INNER(a, b) a##b
#define LAKE_CONCAT(a, b) LAKE_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when it is not ok.
#define LAKE_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::lake::Status lake_status_ = (expr);        \
    if (!lake_status_.ok()) return lake_status_; \
  } while (0)

// `LAKE_ASSIGN_OR_RETURN(auto x, Compute());` binds the value or returns the error.
#define LAKE_ASSIGN_OR_RETURN(lhs, expr) \
  LAKE_ASSIGN_OR_RETURN_IMPL(LAKE_CONCAT(lake_result_, __LINE__), lhs, expr)
#define LAKE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
