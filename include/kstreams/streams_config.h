// File: kstreams/streams_config.h
//
// `StreamsConfig`: the settings of a kstreams application, with Kafka Streams' property names in
// the comments and Kafka Streams' defaults. Fill it with designated initializers:
//
//   kstreams::StreamsConfig config{
//       .application_id = "address-router",
//       .errors_dead_letter_queue_topic_name = "addresses.dlq",
//   };
#pragma once

#include <cstdint>
#include <string>

#include <kstreams/errors.h>
#include <kstreams/status.h>

namespace kstreams {

/// `processing.guarantee`.
enum class ProcessingGuarantee : std::uint8_t { kAtLeastOnce, kExactlyOnceV2 };

/// Application settings. A plain value; copy freely. Every field has a default.
struct StreamsConfig {
  /// `application.id`: consumer group id, client-id prefix and internal-topic prefix.
  /// Required by KafkaStreams; the test driver uses "test-driver" when empty. Default: "".
  std::string application_id = {};
  /// `bootstrap.servers`: "host:port,..."; empty or "embedded" starts the embedded cluster.
  /// Default: "".
  std::string bootstrap_servers = {};
  /// `processing.guarantee`. Default: at-least-once.
  ProcessingGuarantee processing_guarantee = ProcessingGuarantee::kAtLeastOnce;
  /// `default.deserialization.exception.handler`. Default: log and fail.
  ErrorHandler default_deserialization_exception_handler = error_handlers::log_and_fail();
  /// `processing.exception.handler`. Default: log and fail.
  ErrorHandler processing_exception_handler = error_handlers::log_and_fail();
  /// `default.production.exception.handler`. Default: log and fail.
  ErrorHandler default_production_exception_handler = error_handlers::log_and_fail();
  /// `errors.dead.letter.queue.topic.name`: where `kDeadLetter` sends records. Required when a
  /// handler may answer kDeadLetter. Default: "" (none).
  std::string errors_dead_letter_queue_topic_name = {};

  /// Checks the fields; the error names the offending property.
  [[nodiscard]] Status validate() const;
};

}  // namespace kstreams
