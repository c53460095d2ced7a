#include <kstreams/streams_config.h>

#include "operators/dead_letter.h"

namespace kstreams {

Status StreamsConfig::validate() const {
  const bool needs_dlq =
      internal::is_dead_letter_handler(default_deserialization_exception_handler) ||
      internal::is_dead_letter_handler(processing_exception_handler) ||
      internal::is_dead_letter_handler(default_production_exception_handler);
  if (needs_dlq && errors_dead_letter_queue_topic_name.empty()) {
    return invalid_argument(
        "errors.dead.letter.queue.topic.name must be set when an exception handler is "
        "dead_letter");
  }
  if (!default_deserialization_exception_handler) {
    return invalid_argument("default.deserialization.exception.handler must not be empty");
  }
  if (!processing_exception_handler) {
    return invalid_argument("processing.exception.handler must not be empty");
  }
  if (!default_production_exception_handler) {
    return invalid_argument("default.production.exception.handler must not be empty");
  }
  return {};
}

}  // namespace kstreams
