// File: src/kafka/message.h (private)
//
// Read access to a consumed `rd_kafka_message_t` in kstreams' types. The views point into the
// message: they are valid as long as its MessagePtr is.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <librdkafka/rdkafka.h>

#include <kstreams/bytes.h>
#include <kstreams/headers.h>
#include <kstreams/status.h>

namespace kstreams::kafka {

/// The key, or nullopt for a null key.
NullableByteView message_key(const rd_kafka_message_t& message);
/// The value, or nullopt for a null value (a tombstone).
NullableByteView message_value(const rd_kafka_message_t& message);
/// The topic name.
std::string_view message_topic(const rd_kafka_message_t& message);
/// The record timestamp in ms since the epoch (create or log-append time), if the record has one.
std::optional<std::int64_t> message_timestamp(const rd_kafka_message_t& message);
/// A copy of the record headers, in order (empty when there are none).
Result<Headers> message_headers(const rd_kafka_message_t& message);

}  // namespace kstreams::kafka
