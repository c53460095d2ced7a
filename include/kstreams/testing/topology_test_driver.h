// File: kstreams/testing/topology_test_driver.h
//
// `TopologyTestDriver`: unit-test a topology without a broker, as with Kafka Streams'
// TopologyTestDriver. It runs the same node graph and error handlers as KafkaStreams, in one
// task (partition 0), synchronously: each piped record is fully processed (and everything it
// writes to a source topic fed back) before pipe_input returns. Stream-time punctuators fire as
// records arrive; wall-clock punctuators fire on advance_wall_clock_time.
//
//   kstreams::testing::TopologyTestDriver driver(topology.value());
//   auto in = driver.create_input_topic<std::string, std::string>("in");
//   auto out = driver.create_output_topic<std::string, std::string>("out");
//   in.pipe_input("k", "v");
//   EXPECT_EQ(out.read_value(), "v");
//
// Failures are thrown as StreamsException carrying a Status (a handler answered kFail:
// its code; an unknown input topic: kInvalidArgument "Unknown topic: ..."). Target:
// kstreams::testing. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include <kstreams/errors.h>
#include <kstreams/metrics.h>
#include <kstreams/serde.h>
#include <kstreams/serdes.h>
#include <kstreams/state/key_value_store.h>
#include <kstreams/streams_config.h>
#include <kstreams/testing/test_driver_core.h>
#include <kstreams/testing/test_input_topic.h>
#include <kstreams/testing/test_output_topic.h>
#include <kstreams/testing/test_record.h>
#include <kstreams/topology.h>

namespace kstreams::testing {

class TopologyTestDriver {
 public:
  /// Throws StreamsException when `config` is invalid or a processor fails to initialize.
  explicit TopologyTestDriver(
      const Topology& topology, StreamsConfig config = {},
      std::chrono::system_clock::time_point initial_wall_clock = std::chrono::system_clock::now())
      : core_(std::make_unique<internal::TestDriverCore>(topology, std::move(config),
                                                         to_ms(initial_wall_clock))) {}

  /// An input topic using the default serdes of K and V; records without a timestamp get
  /// `start` (default: the driver's initial wall clock), advancing by `auto_advance` each.
  template <class K, class V>
  TestInputTopic<K, V> create_input_topic(
      std::string topic, std::optional<std::chrono::system_clock::time_point> start = std::nullopt,
      std::chrono::milliseconds auto_advance = std::chrono::milliseconds(0)) {
    return create_input_topic<K, V>(std::move(topic), default_serde<K>(), default_serde<V>(), start,
                                    auto_advance);
  }
  template <class K, class V>
  TestInputTopic<K, V> create_input_topic(
      std::string topic, Serde<K> key_serde, Serde<V> value_serde,
      std::optional<std::chrono::system_clock::time_point> start = std::nullopt,
      std::chrono::milliseconds auto_advance = std::chrono::milliseconds(0)) {
    if (!core_->is_source_topic(topic)) {
      throw StreamsException(
          invalid_argument("Unknown topic: " + topic + " (no source of the topology reads it)"));
    }
    const std::int64_t start_ms = start ? to_ms(*start) : initial_wall_clock_ms();
    return TestInputTopic<K, V>(*core_, std::move(topic), std::move(key_serde),
                                std::move(value_serde), start_ms, auto_advance.count());
  }

  /// An output topic read with the default serdes of K and V.
  template <class K, class V>
  TestOutputTopic<K, V> create_output_topic(std::string topic) {
    return create_output_topic<K, V>(std::move(topic), default_serde<K>(), default_serde<V>());
  }
  template <class K, class V>
  TestOutputTopic<K, V> create_output_topic(std::string topic, Serde<K> key_serde,
                                            Serde<V> value_serde) {
    return TestOutputTopic<K, V>(*core_, std::move(topic), std::move(key_serde),
                                 std::move(value_serde));
  }

  /// Advances the mocked wall clock and fires due wall-clock punctuators.
  void advance_wall_clock_time(std::chrono::milliseconds advance) {
    core_->advance_wall_clock(advance.count());
  }
  /// Every topic the topology wrote to so far, including the dead-letter topic.
  [[nodiscard]] std::set<std::string> produced_topic_names() const {
    return core_->produced_topic_names();
  }
  /// The key-value store `name` (a Processor API store, or the store of a table or an
  /// aggregation, whose values are shown without their timestamps), read and written with the
  /// store's serdes. Throws StreamsException: kNotFound for an unknown store, kInvalidArgument
  /// when K and V are not the store's types.
  template <class K, class V>
  KeyValueStore<K, V> get_key_value_store(const std::string& name) {
    kstreams::internal::BytesKeyValueStore* store = core_->store(name);
    if (store == nullptr) {
      throw StreamsException(not_found("the topology has no state store '" + name + "'"));
    }
    const auto* serdes =
        std::any_cast<std::pair<Serde<K>, Serde<V>>>(&core_->store_spec(name)->serdes);
    if (serdes == nullptr) {
      throw StreamsException(invalid_argument("state store '" + name + "' holds other types"));
    }
    return KeyValueStore<K, V>(*store, serdes->first, serdes->second, &core_->write_context());
  }

  /// Counters of the driver's task.
  [[nodiscard]] ProcessingMetrics metrics() const { return core_->metrics(); }

 private:
  static std::int64_t to_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  [[nodiscard]] std::int64_t initial_wall_clock_ms() const { return initial_wall_clock_ms_; }

  std::unique_ptr<internal::TestDriverCore> core_;
  std::int64_t initial_wall_clock_ms_ = core_->wall_clock_ms();
};

}  // namespace kstreams::testing
