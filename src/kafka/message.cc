#include "src/kafka/message.h"

#include <cstddef>
#include <string>

#include "src/kafka/error.h"

namespace kstreams::kafka {

NullableByteView message_key(const rd_kafka_message_t& message) {
  if (message.key == nullptr) return std::nullopt;
  return ByteView(static_cast<const char*>(message.key), message.key_len);
}

NullableByteView message_value(const rd_kafka_message_t& message) {
  if (message.payload == nullptr) return std::nullopt;
  return ByteView(static_cast<const char*>(message.payload), message.len);
}

std::string_view message_topic(const rd_kafka_message_t& message) {
  if (message.rkt == nullptr) return {};
  return rd_kafka_topic_name(message.rkt);
}

std::optional<std::int64_t> message_timestamp(const rd_kafka_message_t& message) {
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const std::int64_t timestamp = rd_kafka_message_timestamp(&message, &type);
  if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0) return std::nullopt;
  return timestamp;
}

Result<Headers> message_headers(const rd_kafka_message_t& message) {
  Headers headers;
  rd_kafka_headers_t* raw = nullptr;  // Owned by the message.
  const rd_kafka_resp_err_t err = rd_kafka_message_headers(&message, &raw);
  if (err == RD_KAFKA_RESP_ERR__NOENT) return headers;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return to_status(err, "reading record headers");
  headers.reserve(rd_kafka_header_cnt(raw));
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  for (std::size_t i = 0;
       rd_kafka_header_get_all(raw, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    if (value == nullptr) {
      headers.add(name, std::nullopt);
    } else {
      headers.add(name, Bytes(static_cast<const char*>(value), size));
    }
  }
  return headers;
}

}  // namespace kstreams::kafka
