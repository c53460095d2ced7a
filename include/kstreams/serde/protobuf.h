// File: kstreams/serde/protobuf.h
//
// Opt-in serde for protobuf messages (link `kstreams::protobuf`). Including this header makes every
// generated protobuf message type `T` (anything derived from `google::protobuf::MessageLite`) have
// a default serde, so `builder.stream<std::string, Order>("orders")` just works:
//
//   #include <kstreams/serde/protobuf.h>
//   #include "orders.pb.h"
//
//   kstreams::Serde<shop::Order> serde = kstreams::default_serde<shop::Order>();
//
// The bytes are the plain protobuf wire format (`SerializeToString` / `ParseFromArray`), without
// the Confluent Schema Registry framing. This is the only public kstreams header that includes a
// protobuf header; keep it out of headers that do not need it (protobuf headers are slow to parse).
#pragma once

#include <climits>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

#include <kstreams/serde.h>

namespace kstreams {

/// A protobuf message type: generated classes (full or lite runtime) derive from `MessageLite`.
template <class T>
concept ProtobufMessage = std::derived_from<T, google::protobuf::MessageLite> &&
    std::default_initializable<T> && std::movable<T>;

/// Serde for a protobuf message type `T`, using the protobuf binary wire format.
///
/// Use it directly (`Consumed<K, V>::with(kstreams::ProtobufSerde<Order>{}, ...)`) or rely on the
/// default serde this header declares for every message type.
///
/// Errors: serializing a message whose proto2 `required` fields are missing, or that is larger
/// than 2 GiB, and parsing bytes that are not a valid encoding of `T` (truncated, bad tags, wrong
/// wire types, missing required fields) return a `kSerialization` error that names the message
/// type. Note that the protobuf wire format is lenient by design: some arbitrary byte strings
/// parse as a message with unknown fields. Parsing never crashes on malformed input.
///
/// Thread-safety: stateless; one instance may be used from any number of threads.
template <ProtobufMessage T>
class ProtobufSerde {
 public:
  /// A parsed message serializes to bytes that parse to the same message (unknown fields
  /// included), so a router can forward the bytes it read.
  static constexpr bool kRoundTrips = true;

  Status serialize(const T& value, Bytes& out) const {
    // Checked here because protobuf's own check is a debug-build CHECK failure, not an error.
    if (!value.IsInitialized()) {
      return serialization_error("protobuf: cannot serialize " + value.GetTypeName() +
                                 ": missing required fields");
    }
    if (!value.AppendPartialToString(&out)) {
      return serialization_error("protobuf: cannot serialize " + value.GetTypeName() +
                                 ": larger than 2 GiB");
    }
    return {};
  }

  Result<T> deserialize(ByteView bytes) const {
    T message;
    KSTREAMS_RETURN_IF_ERROR(deserialize_into(bytes, message));
    return message;
  }

  /// Parses into `message`, which keeps the storage of its string and repeated fields.
  Status deserialize_into(ByteView bytes, T& message) const {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
      return parse_error(message, bytes.size(), "more than 2 GiB");
    }
    // The partial parse plus our own IsInitialized() check avoids protobuf's error log line.
    if (!message.ParsePartialFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return parse_error(message, bytes.size(), "truncated or malformed");
    }
    if (!message.IsInitialized()) {
      return parse_error(message, bytes.size(), "missing required fields");
    }
    return {};
  }

  /// "protobuf<package.Type>".
  std::string name() const { return "protobuf<" + T().GetTypeName() + ">"; }

 private:
  static Status parse_error(const T& message, std::size_t size, std::string_view why) {
    return serialization_error("protobuf: cannot parse " + message.GetTypeName() + " from " +
                               std::to_string(size) + " bytes: " + std::string(why));
  }
};

/// The default serde of every protobuf message type, found by `default_serde<T>()` through ADL on
/// `SerdeTag<T>`.
template <ProtobufMessage T>
ProtobufSerde<T> kstreams_default_serde(SerdeTag<T>) {
  return {};
}

}  // namespace kstreams
