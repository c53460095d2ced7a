// File: kstreams/bytes.h
//
// How kstreams spells raw Kafka payloads. A key, a value or a header value is either a sequence of
// bytes or null (Kafka distinguishes null from empty: a null value is a tombstone).
//
// `Bytes` is `std::string` on purpose: it is what librdkafka, RocksDB and protobuf exchange, it
// owns its buffer, and short keys fit in its small-string buffer without an allocation.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kstreams {

/// Owned bytes. Not text: may hold any byte, including '\0'.
using Bytes = std::string;
/// A non-owning view of bytes.
using ByteView = std::string_view;
/// Owned bytes or null.
using NullableBytes = std::optional<Bytes>;
/// A view of bytes, or null.
using NullableByteView = std::optional<ByteView>;

/// A view of `bytes`, or null when `bytes` is null.
inline NullableByteView view_of(const NullableBytes& bytes) {
  return bytes ? NullableByteView(*bytes) : std::nullopt;
}

}  // namespace kstreams
