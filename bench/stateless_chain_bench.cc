// Framework overhead of stateless operators, with std::string keys and values (the string serde
// copies bytes as they are, so serdes cost little next to the framework).
//
//   chain/1: source -> sink                                              (the baseline)
//   chain/5: source -> filter -> map_values -> select_key -> peek -> map_values -> sink
//
// Each runs (a) through the TopologyTestDriver (pipe_input per record, output drained every
// kDrainEvery records, so memory stays bounded) and (b) through an internal::Task fed prebuilt
// SourceRecords, with a collector that only counts: (b) is the framework's own per-record cost,
// (a) adds the driver's serialization of the input and its capture of the output.
// Per-operator cost = (chain/5 - chain/1) / 4, from (b).
//
// The second argument is the value size in bytes: 8 fits std::string's small buffer (no
// allocation per copy), 100 does not (every copy of the value allocates). The lambdas are the
// cheapest a user could write; map_values must copy its input since lambdas see `const V&`.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

#include "bench/bench_support.h"

namespace kstreams::bench {
namespace {

constexpr std::size_t kDistinctRecords = 1024;
constexpr std::size_t kDrainEvery = 1024;

Topology chain_topology(int operators, std::uint64_t* peeked) {
  StreamsBuilder builder;
  KStream<std::string, std::string> in = builder.stream<std::string, std::string>("in");
  if (operators == 1) {
    in.to("out");
  } else {
    in.filter([](const std::string&, const std::string& v) { return !v.empty(); })
        .map_values([](const std::string& v) { return v; })
        .select_key([](const std::string& k, const std::string&) { return k; })
        .peek([peeked](const std::string&, const std::string&) { ++*peeked; })
        .map_values([](const std::string& v) { return v; })
        .to("out");
  }
  return value_or_throw(builder.build());
}

struct Input {
  std::vector<std::string> keys;
  std::vector<std::string> values;
};

// Keys "customer-0000" .. (13 bytes, in the small buffer); values of `value_size` bytes.
Input make_input(std::size_t value_size) {
  Input input;
  for (std::size_t i = 0; i < kDistinctRecords; ++i) {
    std::string key = "customer-" + std::to_string(1000 + i);
    std::string value(value_size, 'v');
    value.replace(0, std::min(value_size, key.size()), key, 0, std::min(value_size, key.size()));
    input.keys.push_back(std::move(key));
    input.values.push_back(std::move(value));
  }
  return input;
}

// One iteration is one input record: the time column reads as ns/record, items/s as records/s.
void set_counters(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// (a) Through the TopologyTestDriver.
void BM_Chain_Driver(benchmark::State& state) {
  const int operators = static_cast<int>(state.range(0));
  const Input input = make_input(static_cast<std::size_t>(state.range(1)));
  std::uint64_t peeked = 0;
  const Topology topology = chain_topology(operators, &peeked);
  testing::TopologyTestDriver driver(topology);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  auto out = discarding_output(driver, "out");
  std::size_t i = 0;
  std::size_t drained = 0;
  for (auto _ : state) {
    in.pipe_input(input.keys[i], input.values[i], std::int64_t{1000});
    if (++i == kDistinctRecords) {
      i = 0;
      drained += drain(out);
    }
  }
  drained += drain(out);
  if (static_cast<std::int64_t>(drained) != state.iterations()) state.SkipWithError("lost records");
  set_counters(state);
}

// (b) Through an internal::Task directly.
void BM_Chain_Task(benchmark::State& state) {
  const int operators = static_cast<int>(state.range(0));
  const Input input = make_input(static_cast<std::size_t>(state.range(1)));
  std::uint64_t peeked = 0;
  const Topology topology = chain_topology(operators, &peeked);
  StreamsConfig config;
  config.application_id = "bench";
  CountingCollector collector;
  auto task = make_task(topology, config, collector);
  std::vector<internal::SourceRecord> records(kDistinctRecords);
  for (std::size_t r = 0; r < kDistinctRecords; ++r) {
    records[r].topic = "in";
    records[r].offset = static_cast<std::int64_t>(r);
    records[r].timestamp = 1000;
    records[r].key = input.keys[r];
    records[r].value = input.values[r];
  }
  std::size_t i = 0;
  for (auto _ : state) {
    if (!process_or_fail(*task, records[i], state)) break;
    if (++i == kDistinctRecords) i = 0;
  }
  if (static_cast<std::int64_t>(collector.records()) != state.iterations())
    state.SkipWithError("lost records");
  set_counters(state);
}

BENCHMARK(BM_Chain_Driver)->ArgNames({"ops", "value_bytes"})->ArgsProduct({{1, 5}, {8, 100}});
BENCHMARK(BM_Chain_Task)->ArgNames({"ops", "value_bytes"})->ArgsProduct({{1, 5}, {8, 100}});

}  // namespace
}  // namespace kstreams::bench

BENCHMARK_MAIN();
