// Dead-letter routing: the headers a dead-lettered record carries (KIP-1034 names plus the
// failing node and the handling time), and how an exception is described in them.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include <kstreams/errors.h>
#include <kstreams/headers.h>
#include <kstreams/status.h>

namespace kstreams::internal {

/// The original headers followed by the error headers.
Headers dead_letter_headers(const Headers& original, const ErrorContext& error,
                            std::string_view exception_class, std::int64_t handled_at_ms);

/// The class name (demangled) and message of a thrown exception; a StreamsException's Status.
struct ExceptionDescription {
  std::string class_name;
  Status status;
};
ExceptionDescription describe_exception(std::exception_ptr error);

/// The built-in dead-letter handler, identifiable so that config validation can require a
/// dead-letter topic when it is configured.
struct DeadLetterHandler {
  ErrorAction operator()(const ErrorContext&) const { return ErrorAction::kDeadLetter; }
};

/// True when `handler` may answer kDeadLetter as far as we can tell (the built-in one).
bool is_dead_letter_handler(const ErrorHandler& handler);

}  // namespace kstreams::internal
