#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <kstreams/status.h>

namespace kstreams {

std::string_view to_string(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kTopology:
      return "topology";
    case StatusCode::kSerialization:
      return "serialization";
    case StatusCode::kProcessing:
      return "processing";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kRetriable:
      return "retriable";
    case StatusCode::kTaskMigrated:
      return "task_migrated";
    case StatusCode::kTaskCorrupted:
      return "task_corrupted";
    case StatusCode::kTransactionAbortable:
      return "transaction_abortable";
    case StatusCode::kFatal:
      return "fatal";
    case StatusCode::kIo:
      return "io";
    case StatusCode::kTimeout:
      return "timeout";
    case StatusCode::kIllegalState:
      return "illegal_state";
  }
  // Only reachable through a cast from an out-of-range integer.
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  std::string out(kstreams::to_string(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::with_context(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return {code_, std::move(message)};
}

std::ostream& operator<<(std::ostream& os, const Status& status) {
  return os << status.to_string();
}

std::ostream& operator<<(std::ostream& os, StatusCode code) { return os << to_string(code); }

Status invalid_argument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
Status topology_error(std::string message) { return {StatusCode::kTopology, std::move(message)}; }
Status serialization_error(std::string message) {
  return {StatusCode::kSerialization, std::move(message)};
}
Status not_found(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
Status illegal_state(std::string message) {
  return {StatusCode::kIllegalState, std::move(message)};
}

}  // namespace kstreams
