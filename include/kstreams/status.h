// File: kstreams/status.h
//
// `Status` and `Result<T>`: how every fallible kstreams call reports failure. Codes follow Kafka
// Streams' exception taxonomy, so a Kafka Streams user can map them to what they know:
//
//   kstreams::Result<kstreams::Topology> topology = std::move(builder).build();
//   if (!topology.ok()) { std::cerr << topology.status() << '\n'; return 2; }
//
// Both types are `[[nodiscard]]`: dropping one is a compile warning (an error in our own code).
// Ignoring an error on purpose is spelled `status.ignore_error()` so that it can be grepped for.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kstreams {

/// The kind of failure. Mirrors Kafka Streams' exception classes.
enum class StatusCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument,       ///< Bad user input: config value, name, argument
                          ///< (InvalidArgument/ConfigException).
  kTopology,              ///< The topology is malformed (TopologyException).
  kSerialization,         ///< Bytes could not be (de)serialized (SerializationException).
  kProcessing,            ///< User code threw while processing a record.
  kNotFound,              ///< A named thing (topic, store, record) does not exist.
  kRetriable,             ///< Transient; the same call may succeed later (RetriableException).
  kTaskMigrated,          ///< Fenced or rebalanced away: close tasks dirty, rejoin.
  kTaskCorrupted,         ///< Local state cannot be trusted: wipe and restore.
  kTransactionAbortable,  ///< Abort the transaction, rewind, and go on.
  kFatal,                 ///< Unrecoverable: the client must shut down.
  kIo,                    ///< File system or network I/O failed.
  kTimeout,               ///< An operation did not finish in the allotted time.
  kIllegalState,          ///< The call is not allowed in the object's current state.
};

/// The canonical lower-case name of `code`, e.g. "invalid_argument".
std::string_view to_string(StatusCode code);

/// The outcome of an operation: OK, or a code with a message.
///
/// Cheap to copy when OK (no allocation). Thread-compatible.
class [[nodiscard]] Status {
 public:
  /// An OK status.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return {}; }

  [[nodiscard]] bool ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }

  /// "code: message", or "ok".
  [[nodiscard]] std::string to_string() const;

  /// Returns a copy whose message is prefixed with `context` ("context: message").
  [[nodiscard]] Status with_context(std::string_view context) const;

  /// Marks a deliberately ignored error. Greppable on purpose.
  void ignore_error() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);
std::ostream& operator<<(std::ostream& os, StatusCode code);

/// Shorthands for building an error status.
Status invalid_argument(std::string message);
Status topology_error(std::string message);
Status serialization_error(std::string message);
Status not_found(std::string message);
Status illegal_state(std::string message);

/// A value of type `T`, or the error `Status` that prevented it.
///
///   kstreams::Result<int> r = parse(bytes);
///   if (!r.ok()) return r.status();
///   use(*r);
template <class T>
class [[nodiscard]] Result {
 public:
  // Implicit on purpose: `return value;` and `return status;` both read naturally.
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}        // NOLINT
  Result(Status status) : data_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    if (std::get<1>(data_).ok()) {
      data_.template emplace<1>(StatusCode::kIllegalState, "Result constructed from an OK Status");
    }
  }

  [[nodiscard]] bool ok() const { return data_.index() == 0; }
  /// OK when a value is held, the error otherwise.
  [[nodiscard]] Status status() const { return ok() ? Status() : std::get<1>(data_); }

  /// The value. Precondition: ok().
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The value, or `fallback` when this holds an error.
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace kstreams

/// Returns from the enclosing function when `expr` (a Status) is not OK.
#define KSTREAMS_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::kstreams::Status kstreams_status_ = (expr);        \
    if (!kstreams_status_.ok()) return kstreams_status_; \
  } while (false)

#define KSTREAMS_CONCAT_INNER_(a, b) a##b
#define KSTREAMS_CONCAT_(a, b) KSTREAMS_CONCAT_INNER_(a, b)
#define KSTREAMS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

/// `KSTREAMS_ASSIGN_OR_RETURN(auto x, f());` binds the value of a Result or returns its error.
#define KSTREAMS_ASSIGN_OR_RETURN(lhs, expr) \
  KSTREAMS_ASSIGN_OR_RETURN_IMPL_(KSTREAMS_CONCAT_(kstreams_result_, __LINE__), lhs, expr)
