// File: kstreams/testing/test_driver_core.h
//
// Internal to kstreams::testing: the byte-level engine behind TopologyTestDriver. Records are
// serialized at the topic boundary exactly as on Kafka and processed by the very same task code
// the runtime uses (one task holding every sub-topology, partition 0, synchronous). Use
// TopologyTestDriver instead. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>

#include <kstreams/bytes.h>
#include <kstreams/headers.h>
#include <kstreams/internal/bytes_store.h>
#include <kstreams/internal/store_spec.h>
#include <kstreams/metrics.h>
#include <kstreams/streams_config.h>
#include <kstreams/topology.h>

namespace kstreams::testing::internal {

/// A record captured from a sink (or the dead-letter topic), as bytes.
struct CapturedRecord {
  NullableBytes key;
  NullableBytes value;
  std::int64_t timestamp = 0;
  Headers headers;
};

class TestDriverCore {
 public:
  /// Throws StreamsException when the config is invalid or a node fails to initialize.
  TestDriverCore(const Topology& topology, StreamsConfig config, std::int64_t wall_clock_ms);
  TestDriverCore(const TestDriverCore&) = delete;
  TestDriverCore& operator=(const TestDriverCore&) = delete;
  ~TestDriverCore();

  [[nodiscard]] bool is_source_topic(const std::string& topic) const;
  /// Processes one record (and whatever it feeds back into source topics). Throws
  /// StreamsException: kInvalidArgument "Unknown topic: ..." for a topic no source reads, or the
  /// error of a handler that answered kFail.
  void pipe(const std::string& topic, NullableBytes key, NullableBytes value,
            std::int64_t timestamp, Headers headers);
  /// The captured records of `topic`; nullptr when nothing was ever written to it.
  std::deque<CapturedRecord>* output(const std::string& topic);
  void advance_wall_clock(std::int64_t ms);
  [[nodiscard]] std::int64_t wall_clock_ms() const;
  [[nodiscard]] std::set<std::string> produced_topic_names() const;
  [[nodiscard]] ProcessingMetrics metrics() const;

  /// The store `name` as the topology's nodes see it, with values of timestamped (DSL) stores
  /// shown without their timestamp; nullptr when there is no such store.
  kstreams::internal::BytesKeyValueStore* store(const std::string& name);
  [[nodiscard]] const kstreams::internal::StoreSpec* store_spec(const std::string& name) const;
  /// The context writes through store() get: the driver's wall clock, no headers.
  [[nodiscard]] const kstreams::internal::WriteContext& write_context() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kstreams::testing::internal
