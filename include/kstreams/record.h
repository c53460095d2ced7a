// File: kstreams/record.h
//
// The typed record that flows between the operators of a task (`Record<K, V>`), the metadata of
// the input record being processed (`RecordMetadata`), and `KeyValue<K, V>`, which `map` and
// `flat_map` return. Records between operators stay typed: nothing is serialized or boxed until a
// sink writes to a topic.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <kstreams/headers.h>

namespace kstreams {

/// The type of a key or value that is always null (Kafka's `Void`): keys of unkeyed topics,
/// outputs of terminal processors.
struct Void {
  friend bool operator==(Void, Void) { return true; }
  friend bool operator<(Void, Void) { return false; }
};

/// A key and a value, as returned by `map` and `flat_map` lambdas.
template <class K, class V>
struct KeyValue {
  K key;
  V value;

  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

/// A typed record: key, value, timestamp (ms since epoch) and headers.
///
/// Value type; thread-compatible. Operators that change the key or value build a new record with
/// `with_key` / `with_value`, which keep timestamp and headers.
template <class K, class V>
struct Record {
  K key;
  V value;
  std::int64_t timestamp = 0;
  Headers headers;

  /// This record with another key (same value, timestamp and headers).
  template <class K2>
  Record<K2, V> with_key(K2 new_key) && {
    return {std::move(new_key), std::move(value), timestamp, std::move(headers)};
  }
  /// This record with another value (same key, timestamp and headers).
  template <class V2>
  Record<K, V2> with_value(V2 new_value) && {
    return {std::move(key), std::move(new_value), timestamp, std::move(headers)};
  }

  friend bool operator==(const Record&, const Record&) = default;
};

/// Where the input record being processed came from. Absent inside punctuators.
struct RecordMetadata {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

}  // namespace kstreams
