// File: kstreams/testing/test_input_topic.h
//
// `TestInputTopic<K, V>`: pipes typed records into a TopologyTestDriver. Records without an
// explicit timestamp get the topic's current time, which then advances by the auto-advance step
// (as Kafka's TestInputTopic). Make one with TopologyTestDriver::create_input_topic.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <kstreams/errors.h>
#include <kstreams/record.h>
#include <kstreams/serde.h>
#include <kstreams/testing/test_driver_core.h>
#include <kstreams/testing/test_record.h>

namespace kstreams::testing {

namespace internal {
template <class T>
inline constexpr bool kNullable = false;
template <class T>
inline constexpr bool kNullable<std::optional<T>> = true;
template <>
inline constexpr bool kNullable<Void> = true;
}  // namespace internal

/// Records whose key type accepts a Kafka null can be piped without a key.
template <class K>
concept NullableKey = internal::kNullable<K>;

template <class K, class V>
class TestInputTopic {
 public:
  TestInputTopic(internal::TestDriverCore& driver, std::string topic, Serde<K> key_serde,
                 Serde<V> value_serde, std::int64_t start_ms, std::int64_t auto_advance_ms)
      : driver_(&driver),
        topic_(std::move(topic)),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)),
        current_ms_(start_ms),
        advance_ms_(auto_advance_ms) {}

  void pipe_input(const TestRecord<K, V>& record) {
    std::int64_t timestamp = record.timestamp ? *record.timestamp : next_time();
    if (timestamp < 0) {
      // As Kafka's TestInputTopic, whose ProducerRecord refuses it: no Kafka record has one.
      throw StreamsException(invalid_argument("pipe_input to '" + topic_ + "': invalid timestamp " +
                                              std::to_string(timestamp) +
                                              " (must be non-negative)"));
    }
    NullableBytes key;
    NullableBytes value;
    check(key_serde_.serialize(record.key, key), "key");
    check(value_serde_.serialize(record.value, value), "value");
    driver_->pipe(topic_, std::move(key), std::move(value), timestamp, record.headers);
  }
  void pipe_input(const V& value) requires NullableKey<K> {
    pipe_input(TestRecord<K, V>{K{}, value});
  }
  void pipe_input(const K& key, const V& value) { pipe_input(TestRecord<K, V>{key, value}); }
  void pipe_input(const K& key, const V& value, std::int64_t timestamp_ms) {
    pipe_input(TestRecord<K, V>{key, value, {}, timestamp_ms});
  }
  void pipe_input(const K& key, const V& value, std::chrono::system_clock::time_point time) {
    pipe_input(key, value, to_ms(time));
  }
  void pipe_input(const K& key, const V& value, Headers headers,
                  std::optional<std::int64_t> timestamp_ms = std::nullopt) {
    pipe_input(TestRecord<K, V>{key, value, std::move(headers), timestamp_ms});
  }

  void pipe_record_list(const std::vector<TestRecord<K, V>>& records) {
    for (const auto& r : records) pipe_input(r);
  }
  void pipe_key_value_list(const std::vector<KeyValue<K, V>>& records) {
    for (const auto& kv : records) pipe_input(kv.key, kv.value);
  }
  /// Pipes `records` at `start`, `start + advance`, ...
  void pipe_key_value_list(const std::vector<KeyValue<K, V>>& records,
                           std::chrono::system_clock::time_point start,
                           std::chrono::milliseconds advance) {
    std::int64_t t = to_ms(start);
    for (const auto& kv : records) {
      pipe_input(kv.key, kv.value, t);
      t += advance.count();
    }
  }
  void pipe_value_list(const std::vector<V>& values) requires NullableKey<K> {
    for (const auto& v : values) pipe_input(v);
  }

  /// Moves this topic's current time forward (it does not touch stream time or wall clock).
  void advance_time(std::chrono::milliseconds advance) {
    if (advance.count() < 0) {
      throw StreamsException(invalid_argument("advance_time: negative duration"));
    }
    current_ms_ += advance.count();
  }

 private:
  static std::int64_t to_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  std::int64_t next_time() {
    const std::int64_t t = current_ms_;
    current_ms_ += advance_ms_;
    return t;
  }
  void check(const Status& status, const char* what) const {
    if (!status.ok()) {
      throw StreamsException(status.with_context("pipe_input to '" + topic_ + "': " + what));
    }
  }

  internal::TestDriverCore* driver_;
  std::string topic_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
  std::int64_t current_ms_;
  std::int64_t advance_ms_;
};

}  // namespace kstreams::testing
