// address-router: routes generated addresses and prints what went where.
//
// This first release runs the router through kstreams' TopologyTestDriver on generated input
// (the same node graph, serdes and error handlers that the Kafka runtime will run); the Kafka
// runtime and the embedded cluster replace the driver in the next release.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <kstreams/kstreams.h>
#include <kstreams/serde/protobuf.h>
#include <kstreams/testing/topology_test_driver.h>

#include "examples/address_router/address_generator.h"
#include "examples/address_router/address_router.h"

namespace {

struct Options {
  std::int64_t records = 100'000;
  double invalid_share = 0.1;
  std::uint64_t seed = 42;
  bool describe = false;
};

int run(const Options& options) {
  kstreams::StreamsBuilder builder;
  address_router::build(builder);
  kstreams::Result<kstreams::Topology> topology = builder.build();
  if (!topology.ok()) {
    std::cerr << "address-router: " << topology.status() << "\n";
    return 2;
  }
  if (options.describe) std::cout << topology->describe() << "\n";

  kstreams::StreamsConfig config{.application_id = "address-router"};
  address_router::configure(config);
  kstreams::testing::TopologyTestDriver driver(*topology, config);
  auto input = driver.create_input_topic<std::string, std::string>(
      std::string(address_router::kInputTopic));

  address_router::AddressGenerator generator(options.seed, options.invalid_share);
  std::map<address_router::Route, std::int64_t> expected;
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < options.records; ++i) {
    address_router::GeneratedRecord record = generator.next();
    ++expected[record.expected];
    input.pipe_input(record.key, record.value);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  struct Row {
    std::string_view topic;
    address_router::Route route;
  };
  const Row rows[] = {{address_router::kShippingTopic, address_router::Route::kShipping},
                      {address_router::kBillingTopic, address_router::Route::kBilling},
                      {address_router::kInvalidTopic, address_router::Route::kInvalid},
                      {address_router::kDeadLetterTopic, address_router::Route::kDeadLetter}};
  std::printf("address-router: routed %lld records in %.3f s (%.0f records/s, test-driver mode)\n",
              static_cast<long long>(options.records), seconds,
              static_cast<double>(options.records) / seconds);
  std::printf("  %-20s %10s %10s\n", "topic", "records", "expected");
  bool all_match = true;
  for (const Row& row : rows) {
    auto out = driver.create_output_topic<std::string, std::string>(std::string(row.topic));
    const auto got = static_cast<std::int64_t>(out.queue_size());
    all_match = all_match && got == expected[row.route];
    std::printf("  %-20s %10lld %10lld\n", std::string(row.topic).c_str(),
                static_cast<long long>(got), static_cast<long long>(expected[row.route]));
  }
  const kstreams::ProcessingMetrics metrics = driver.metrics();
  std::printf("  dead-lettered %llu, skipped %llu\n",
              static_cast<unsigned long long>(metrics.records_dead_lettered),
              static_cast<unsigned long long>(metrics.records_skipped));
  if (!all_match) {
    std::cerr << "address-router: routing differs from the generator's expectation\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"address-router: routes customer addresses to shipping, billing, invalid and "
               "dead-letter topics"};
  app.add_option("--records", options.records, "Number of generated input records")
      ->check(CLI::PositiveNumber);
  app.add_option("--invalid-share", options.invalid_share,
                 "Share of invalid input (half undecodable, half incomplete or unknown type)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", options.seed, "Generator seed");
  app.add_flag("--describe", options.describe, "Print the topology first");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(options);
  } catch (const kstreams::StreamsException& e) {
    std::cerr << "address-router: " << e.status() << "\n";
    return 1;
  }
}
