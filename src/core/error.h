// Errors by kind: the closed set of outcomes that callers branch on.
//
// The domain core never throws for expected failures; it returns a Result<T> or a Status. Callers
// decide from `kind` alone (retry on kUnavailable, report on kInvalidInput, ...). `reason` is a
// stable, machine-readable code within the kind (for example "check_digit" for an IMEI), and
// `message` is the sentence a person reads.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace imeiguard {

enum class ErrorKind {
  kInvalidInput,  // The caller sent something malformed; retrying the same input fails again.
  kNotFound,      // The named entity does not exist.
  kConflict,      // The input contradicts stored state.
  kUnavailable,   // A dependency failed or is overloaded; the same request may succeed later.
  kInternal,      // A broken invariant: a bug, never the caller's fault.
};

std::string_view ErrorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string reason;   // Stable code, such as "check_digit" or "duplicate_parcel".
  std::string message;  // Human-readable sentence naming the value and what to do.

  static Error InvalidInput(std::string reason, std::string message) {
    return {ErrorKind::kInvalidInput, std::move(reason), std::move(message)};
  }
  static Error NotFound(std::string reason, std::string message) {
    return {ErrorKind::kNotFound, std::move(reason), std::move(message)};
  }
  static Error Conflict(std::string reason, std::string message) {
    return {ErrorKind::kConflict, std::move(reason), std::move(message)};
  }
  static Error Unavailable(std::string reason, std::string message) {
    return {ErrorKind::kUnavailable, std::move(reason), std::move(message)};
  }
  static Error Internal(std::string reason, std::string message) {
    return {ErrorKind::kInternal, std::move(reason), std::move(message)};
  }
};

// A value of type T, or the Error that prevented it. Accessing the wrong alternative is a bug and
// asserts in debug builds.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// The outcome of an operation that returns nothing on success.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error)
      : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  static Status Ok() { return {}; }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace imeiguard
