// Shared by the benchmarks: a record collector that only counts, a serde that reads anything as
// nothing (to drain the test driver's output topics without paying for deserialization), and a
// task wrapper. Benchmarks only; not API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <benchmark/benchmark.h>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

#include "src/runtime/record_collector.h"
#include "src/runtime/task.h"

namespace kstreams::bench {

/// Counts what the task sends; touches the bytes' sizes so that nothing is optimized away.
class CountingCollector final : public internal::RecordCollector {
 public:
  Status send(const internal::OutputRecord& record) override {
    ++records_;
    bytes_ += (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
    return {};
  }
  [[nodiscard]] std::uint64_t records() const { return records_; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  std::uint64_t records_ = 0;
  std::uint64_t bytes_ = 0;
};

/// Reads every record of a test-driver output topic as an empty value, so that draining a topic
/// costs the capture's own bookkeeping (pop, free) and nothing else.
struct Discarded {
  friend bool operator==(Discarded, Discarded) { return true; }
};
struct DiscardSerde {
  Status serialize(const Discarded&, Bytes&) const { return {}; }
  Result<Discarded> deserialize(ByteView) const { return Discarded{}; }
  Result<Discarded> deserialize_null() const { return Discarded{}; }
  static std::string name() { return "discard"; }
};

/// A discarding reader of `topic`.
inline testing::TestOutputTopic<Discarded, Discarded> discarding_output(
    testing::TopologyTestDriver& driver, std::string topic) {
  return driver.create_output_topic<Discarded, Discarded>(std::move(topic), DiscardSerde{},
                                                          DiscardSerde{});
}

/// Drains `topic`; returns how many records it held.
inline std::size_t drain(testing::TestOutputTopic<Discarded, Discarded>& topic) {
  std::size_t n = 0;
  while (!topic.is_empty()) {
    benchmark::DoNotOptimize(topic.read_value());
    ++n;
  }
  return n;
}

template <class T>
T value_or_throw(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.status().to_string());
  return std::move(result).value();
}

/// A task holding every sub-topology of `topology`, partition 0, sending to `collector`.
inline std::unique_ptr<internal::Task> make_task(const Topology& topology,
                                                 const StreamsConfig& config,
                                                 internal::RecordCollector& collector) {
  static internal::StoreEnvironment no_stores;  // the benchmarked topologies are stateless
  return value_or_throw(internal::Task::create(
      topology, {}, TaskId{0, 0}, config, collector, [] { return std::int64_t{0}; }, no_stores));
}

/// Processes `record`; on an error, marks the benchmark failed and returns false (the caller
/// must then leave its loop).
inline bool process_or_fail(internal::Task& task, const internal::SourceRecord& record,
                            benchmark::State& state) {
  if (Status s = task.process(record); !s.ok()) {
    state.SkipWithError(s.to_string().c_str());
    return false;
  }
  return true;
}

}  // namespace kstreams::bench
