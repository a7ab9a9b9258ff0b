// Errors as values.
//
//   lithe::Result<int> Parse(std::string_view s) {
//     if (s.empty()) return lithe::Status::Error("empty string");
//     return 42;
//   }
//   auto r = Parse("x");
//   if (!r.ok()) std::cerr << r.status().message();
//
// No exception crosses the library's API: every failure, including one caused by a malformed
// model file, comes back as a Status that names what went wrong and where.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace lithe {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message), true); }
  // A backend's kernel declining a node at Prepare (a dtype, shape or option it does not cover):
  // the interpreter then gives the node to the next backend. Anywhere else it is an error.
  static Status Unsupported(std::string message) {
    Status s(std::move(message), true);
    s.unsupported_ = true;
    return s;
  }

  bool ok() const { return !failed_; }
  bool unsupported() const { return unsupported_; }
  const std::string& message() const { return message_; }

  // Returns this error with `context` put in front: "context: message".
  Status Prefixed(const std::string& context) const {
    if (ok()) return *this;
    Status s = Error(context + ": " + message_);
    s.unsupported_ = unsupported_;
    return s;
  }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
  bool unsupported_ = false;
};

// A value or the error that prevented it.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) {}

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace lithe

// Returns early from the enclosing function when `expr` (a Status) failed.
#define LITHE_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::lithe::Status lithe_status_ = (expr);  \
    if (!lithe_status_.ok()) return lithe_status_; \
  } while (0)

#define LITHE_CONCAT_INNER_(a, b) a##b
#define LITHE_CONCAT_(a, b) LITHE_CONCAT_INNER_(a, b)
// `LITHE_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its error.
#define LITHE_ASSIGN_OR_RETURN(lhs, expr) \
  LITHE_ASSIGN_OR_RETURN_IMPL_(LITHE_CONCAT_(lithe_result_, __LINE__), lhs, expr)
#define LITHE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
