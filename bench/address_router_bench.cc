// Per-record cost of the address router (examples/address_router) with protobuf serdes, on
// AddressGenerator input (seed 42, 10% invalid: 5% with a missing field or an unknown type, 5%
// undecodable bytes that go to the dead-letter topic):
//
//   Router/driver      build() through the TopologyTestDriver (outputs drained periodically)
//   Router/task        build() through an internal::Task, collector that only counts
//   Router/raw         the same decision by hand, no framework: parse the Address (into one
//                      reused message), check the fields, serialize it, send to the collector;
//                      undecodable bytes are sent as they are to the dead-letter topic
//   Router/raw_forward as raw, but forwards the input bytes instead of re-serializing
//
// Router/task over Router/raw is the framework's cost ratio. The framework additionally copies
// the key into a std::string, re-serializes it, and gives dead-lettered records their
// __streams.errors.* headers; the raw loop does none of that.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

#include "bench/bench_support.h"
#include "examples/address_router/address.pb.h"
#include "examples/address_router/address_generator.h"
#include "examples/address_router/address_router.h"

namespace kstreams::bench {
namespace {

constexpr std::size_t kDistinctRecords = 4096;
constexpr std::size_t kDrainEvery = 1024;

const std::vector<address_router::GeneratedRecord>& input() {
  static const std::vector<address_router::GeneratedRecord> records = [] {
    address_router::AddressGenerator generator(42, 0.1);
    std::vector<address_router::GeneratedRecord> out;
    out.reserve(kDistinctRecords);
    for (std::size_t i = 0; i < kDistinctRecords; ++i) out.push_back(generator.next());
    return out;
  }();
  return records;
}

StreamsConfig router_config() {
  StreamsConfig config;
  config.application_id = "address-router-bench";
  address_router::configure(config);
  return config;
}

Topology router_topology() {
  StreamsBuilder builder;
  address_router::build(builder);
  return value_or_throw(builder.build());
}

void set_counters(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_Router_Driver(benchmark::State& state) {
  const auto& records = input();
  const Topology topology = router_topology();
  testing::TopologyTestDriver driver(topology, router_config());
  auto in =
      driver.create_input_topic<std::string, std::string>(std::string(address_router::kInputTopic));
  std::vector<testing::TestOutputTopic<Discarded, Discarded>> outputs;
  for (std::string_view topic : {address_router::kShippingTopic, address_router::kBillingTopic,
                                 address_router::kInvalidTopic, address_router::kDeadLetterTopic}) {
    outputs.push_back(discarding_output(driver, std::string(topic)));
  }
  const auto drain_all = [&] {
    std::size_t n = 0;
    for (auto& out : outputs) n += drain(out);
    return n;
  };
  std::size_t i = 0;
  std::size_t since_drain = 0;
  std::size_t drained = 0;
  for (auto _ : state) {
    in.pipe_input(records[i].key, records[i].value, std::int64_t{1000});
    if (++i == records.size()) i = 0;
    if (++since_drain == kDrainEvery) {
      since_drain = 0;
      drained += drain_all();
    }
  }
  drained += drain_all();
  if (static_cast<std::int64_t>(drained) != state.iterations()) state.SkipWithError("lost records");
  set_counters(state);
}

void BM_Router_Task(benchmark::State& state) {
  const auto& records = input();
  const Topology topology = router_topology();
  CountingCollector collector;
  auto task = make_task(topology, router_config(), collector);
  std::vector<internal::SourceRecord> sources(records.size());
  for (std::size_t r = 0; r < records.size(); ++r) {
    sources[r].topic = address_router::kInputTopic;
    sources[r].offset = static_cast<std::int64_t>(r);
    sources[r].timestamp = 1000;
    sources[r].key = records[r].key;
    sources[r].value = records[r].value;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    if (!process_or_fail(*task, sources[i], state)) break;
    if (++i == sources.size()) i = 0;
  }
  if (static_cast<std::int64_t>(collector.records()) != state.iterations()) {
    state.SkipWithError("lost records");
  }
  set_counters(state);
}

// The hand-written loop. `forward_input` sends the input bytes instead of re-serializing.
void raw_router(benchmark::State& state, bool forward_input) {
  const auto& records = input();
  CountingCollector collector;
  address_router::Address address;  // Reused: protobuf keeps its string buffers across parses.
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    const address_router::GeneratedRecord& record = records[i];
    if (++i == records.size()) i = 0;
    internal::OutputRecord output;
    output.key = std::string_view(record.key);
    output.timestamp = 1000;
    if (!address.ParseFromArray(record.value.data(), static_cast<int>(record.value.size()))) {
      output.topic = address_router::kDeadLetterTopic;
      output.value = std::string_view(record.value);
      static_cast<void>(collector.send(output));  // Counting only: never fails.
      continue;
    }
    const bool complete = address_router::has_required_fields(address);
    if (complete && address.type() == address_router::SHIPPING) {
      output.topic = address_router::kShippingTopic;
    } else if (complete && address.type() == address_router::BILLING) {
      output.topic = address_router::kBillingTopic;
    } else {
      output.topic = address_router::kInvalidTopic;
    }
    if (forward_input) {
      output.value = std::string_view(record.value);
    } else {
      out.clear();
      address.AppendToString(&out);
      output.value = std::string_view(out);
    }
    static_cast<void>(collector.send(output));  // Counting only: never fails.
  }
  if (static_cast<std::int64_t>(collector.records()) != state.iterations()) {
    state.SkipWithError("lost records");
  }
  set_counters(state);
}

void BM_Router_Raw(benchmark::State& state) { raw_router(state, false); }
void BM_Router_RawForward(benchmark::State& state) { raw_router(state, true); }

BENCHMARK(BM_Router_Driver);
BENCHMARK(BM_Router_Task);
BENCHMARK(BM_Router_Raw);
BENCHMARK(BM_Router_RawForward);

}  // namespace
}  // namespace kstreams::bench

int main(int argc, char** argv) {
  // 5% of the input is dead-lettered, and the task logs one handled error in 1000 at warn level;
  // keep those lines out of the benchmark's output unless asked for. (The handler's own work,
  // including formatting the error description, is still measured.)
  setenv("KSTREAMS_LOG_LEVEL", "error", /*overwrite=*/0);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
