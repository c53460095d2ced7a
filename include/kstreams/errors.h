// File: kstreams/errors.h
//
// What happens when a record cannot be deserialized, when user code throws while processing a
// record, or when an output cannot be serialized. Each of the three has a handler in
// `StreamsConfig`; a handler looks at the `ErrorContext` and answers with an `ErrorAction`:
//
//   kFail        stop processing: the error surfaces (with topic, partition and offset) from the
//                task, the test driver's pipe_input, or the stream thread (default, as Kafka);
//   kContinue    log, count the record as skipped, and go on with the next record;
//   kDeadLetter  send the original key/value bytes of the input record to the dead-letter topic
//                (`StreamsConfig::errors_dead_letter_queue_topic_name`) with headers that name
//                the error and where the record came from (see `dead_letter_headers`), then go on.
//
//   config.default_deserialization_exception_handler = kstreams::error_handlers::dead_letter();
//   config.errors_dead_letter_queue_topic_name = "addresses.dlq";
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <kstreams/status.h>

namespace kstreams {

/// Which processing step failed.
enum class ErrorKind : std::uint8_t {
  kDeserialization,  ///< A source could not deserialize the record's key or value.
  kProcessing,       ///< A user function (lambda, Processor, punctuator) threw.
  kProduction,       ///< A sink could not serialize (or, at runtime, produce) an output record.
};

std::string_view to_string(ErrorKind kind);

/// What a handler decides.
enum class ErrorAction : std::uint8_t { kFail, kContinue, kDeadLetter };

/// Everything a handler knows about a failure. Views are valid during the handler call only.
struct ErrorContext {
  ErrorKind kind = ErrorKind::kProcessing;
  std::string_view node;          ///< The processor, source or sink where it failed.
  std::string_view topic;         ///< Input record's topic; empty inside a punctuator.
  std::int32_t partition = -1;    ///< Input record's partition; -1 inside a punctuator.
  std::int64_t offset = -1;       ///< Input record's offset; -1 inside a punctuator.
  std::int64_t timestamp = -1;    ///< Input record's timestamp (ms).
  const Status* error = nullptr;  ///< The error; never null when a handler is called.
};

/// A handler: decides what to do with a failed record. Called on the stream thread that owns the
/// task; must be thread-safe if the same handler is shared by several threads.
using ErrorHandler = std::function<ErrorAction(const ErrorContext&)>;

/// The built-in handlers (Kafka's LogAndFail / LogAndContinue, and KIP-1034's dead letter queue).
namespace error_handlers {
/// Logs the error and stops processing (default).
ErrorHandler log_and_fail();
/// Logs the error, counts the record as skipped and continues.
ErrorHandler log_and_continue();
/// Sends the input record to the dead-letter topic and continues.
ErrorHandler dead_letter();
}  // namespace error_handlers

/// Header names on dead-letter records (the names Kafka Streams uses, KIP-1034).
inline constexpr std::string_view kDlqHeaderException = "__streams.errors.exception";
inline constexpr std::string_view kDlqHeaderMessage = "__streams.errors.message";
inline constexpr std::string_view kDlqHeaderTopic = "__streams.errors.topic";
inline constexpr std::string_view kDlqHeaderPartition = "__streams.errors.partition";
inline constexpr std::string_view kDlqHeaderOffset = "__streams.errors.offset";
/// kstreams addition: the processor/source/sink that failed.
inline constexpr std::string_view kDlqHeaderNode = "__streams.errors.node";
/// kstreams addition: when the failure was handled (ms since epoch, wall clock).
inline constexpr std::string_view kDlqHeaderTime = "__streams.errors.time";

/// Thrown by APIs that report failure by exception rather than Status: the test driver (as
/// Kafka's TopologyTestDriver throws) and typed views of builder results. Carries the Status.
class StreamsException : public std::runtime_error {
 public:
  explicit StreamsException(Status status)
      : std::runtime_error(status.to_string()), status_(std::move(status)) {}
  [[nodiscard]] const Status& status() const { return status_; }
  [[nodiscard]] StatusCode code() const { return status_.code(); }

 private:
  Status status_;
};

}  // namespace kstreams
