// File: kstreams/testing/test_output_topic.h
//
// `TestOutputTopic<K, V>`: reads, in order, what a TopologyTestDriver's topology wrote to a
// topic. Every reader of a topic consumes from the same queue. Reading a topic that was never
// written throws StreamsException (kNotFound, "Uninitialized topic: ..."); reading an empty one
// throws kNotFound "Empty topic: ..."; bytes the serde cannot read throw kSerialization.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <kstreams/errors.h>
#include <kstreams/record.h>
#include <kstreams/serde.h>
#include <kstreams/testing/test_driver_core.h>
#include <kstreams/testing/test_record.h>

namespace kstreams::testing {

template <class K, class V>
class TestOutputTopic {
 public:
  TestOutputTopic(internal::TestDriverCore& driver, std::string topic, Serde<K> key_serde,
                  Serde<V> value_serde)
      : driver_(&driver),
        topic_(std::move(topic)),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)) {}

  V read_value() { return read_record().value; }
  KeyValue<K, V> read_key_value() {
    TestRecord<K, V> r = read_record();
    return KeyValue<K, V>{std::move(r.key), std::move(r.value)};
  }
  TestRecord<K, V> read_record() {
    auto* queue = driver_->output(topic_);
    if (queue == nullptr) throw StreamsException(not_found("Uninitialized topic: " + topic_));
    if (queue->empty()) throw StreamsException(not_found("Empty topic: " + topic_));
    internal::CapturedRecord captured = std::move(queue->front());
    queue->pop_front();
    return decode(captured);
  }

  std::vector<TestRecord<K, V>> read_records_to_list() {
    std::vector<TestRecord<K, V>> out;
    while (!is_empty()) out.push_back(read_record());
    return out;
  }
  std::vector<V> read_values_to_list() {
    std::vector<V> out;
    while (!is_empty()) out.push_back(read_value());
    return out;
  }
  std::vector<KeyValue<K, V>> read_key_values_to_list() {
    std::vector<KeyValue<K, V>> out;
    while (!is_empty()) out.push_back(read_key_value());
    return out;
  }
  /// The last value per key (a table view of the topic).
  std::map<K, V> read_key_values_to_map() {
    std::map<K, V> out;
    while (!is_empty()) {
      KeyValue<K, V> kv = read_key_value();
      out.insert_or_assign(std::move(kv.key), std::move(kv.value));
    }
    return out;
  }

  [[nodiscard]] bool is_empty() const { return queue_size() == 0; }
  [[nodiscard]] std::size_t queue_size() const {
    auto* queue = driver_->output(topic_);
    return queue == nullptr ? 0 : queue->size();
  }

 private:
  TestRecord<K, V> decode(const internal::CapturedRecord& captured) const {
    Result<K> key = key_serde_.deserialize(view_of(captured.key));
    if (!key.ok()) throw StreamsException(key.status().with_context("read key of " + topic_));
    Result<V> value = value_serde_.deserialize(view_of(captured.value));
    if (!value.ok()) {
      throw StreamsException(value.status().with_context("read value of " + topic_));
    }
    return TestRecord<K, V>{std::move(key).value(), std::move(value).value(), captured.headers,
                            captured.timestamp};
  }

  internal::TestDriverCore* driver_;
  std::string topic_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
};

}  // namespace kstreams::testing
