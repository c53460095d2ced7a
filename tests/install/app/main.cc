// Builds a topology with the installed headers and library, runs one record through the test
// driver, and prints the routed value. Exits non-zero on any mismatch.
#include <iostream>
#include <string>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

int main() {
  kstreams::StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .map_values([](const std::string& v) { return v + "!"; })
      .to("out");
  kstreams::Result<kstreams::Topology> topology = builder.build();
  if (!topology.ok()) {
    std::cerr << topology.status() << "\n";
    return 1;
  }
  kstreams::testing::TopologyTestDriver driver(*topology);
  driver.create_input_topic<std::string, std::string>("in").pipe_input("k", "installed");
  const std::string value =
      driver.create_output_topic<std::string, std::string>("out").read_value();
  std::cout << value << "\n";
  return value == "installed!" ? 0 : 1;
}
