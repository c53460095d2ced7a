// File: kstreams/testing/test_record.h
//
// `TestRecord<K, V>`: a record piped into or read from a TopologyTestDriver topic: key, value,
// headers and timestamp (ms). Compares by all four, so expected outputs can be written as lists.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>

#include <kstreams/headers.h>

namespace kstreams::testing {

template <class K, class V>
struct TestRecord {
  K key;
  V value;
  Headers headers = {};
  /// Record time in ms. When piping, nullopt means "the input topic's current time".
  std::optional<std::int64_t> timestamp = {};

  friend bool operator==(const TestRecord&, const TestRecord&) = default;
};

template <class K, class V>
std::ostream& operator<<(std::ostream& os, const TestRecord<K, V>& record) {
  os << "TestRecord{";
  if constexpr (requires { os << record.key; }) os << "key=" << record.key << ", ";
  if constexpr (requires { os << record.value; }) os << "value=" << record.value << ", ";
  os << "headers=" << record.headers.size() << ", timestamp=";
  if (record.timestamp) {
    os << *record.timestamp;
  } else {
    os << "none";
  }
  return os << "}";
}

}  // namespace kstreams::testing
