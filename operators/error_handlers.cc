// The built-in error handlers. Logging happens in the task, which knows the record; a handler
// only decides.
#include <kstreams/errors.h>

#include "operators/dead_letter.h"

namespace kstreams {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kDeserialization:
      return "deserialization";
    case ErrorKind::kProcessing:
      return "processing";
    case ErrorKind::kProduction:
      return "production";
  }
  return "unknown";
}

namespace error_handlers {

ErrorHandler log_and_fail() {
  return [](const ErrorContext&) { return ErrorAction::kFail; };
}

ErrorHandler log_and_continue() {
  return [](const ErrorContext&) { return ErrorAction::kContinue; };
}

ErrorHandler dead_letter() { return internal::DeadLetterHandler{}; }

}  // namespace error_handlers
}  // namespace kstreams
