// Helpers shared by the DSL tests (tests only).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

namespace kstreams::dsl_testing {

using StringOutput = testing::TestOutputTopic<std::string, std::string>;

/// The built topology; a build error is thrown as StreamsException (so the test fails with it).
inline Topology build_or_die(const StreamsBuilder& builder) {
  Result<Topology> topology = builder.build();
  if (!topology.ok()) throw StreamsException(topology.status());
  return std::move(topology).value();
}

/// in (string keys and values) -> group_by_key().count() into the store "counts" -> out.
inline Topology counting_topology() {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .group_by_key()
      .count(Materialized<std::string, std::int64_t>::as("counts"))
      .to_stream()
      .to("out");
  return build_or_die(builder);
}

/// An output topic of string keys and values.
inline StringOutput strings(testing::TopologyTestDriver& driver, const std::string& topic) {
  return driver.create_output_topic<std::string, std::string>(topic);
}

/// The Status of the StreamsException that `f` throws; a test failure if it throws none. Also
/// checks that the exception's code and text agree with its Status.
template <class F>
Status thrown_status(F&& f) {
  try {
    f();
  } catch (const StreamsException& e) {
    EXPECT_EQ(e.code(), e.status().code());
    EXPECT_THAT(e.what(), ::testing::HasSubstr(e.status().message()));
    return e.status();
  }
  ADD_FAILURE() << "expected a StreamsException";
  return {};
}

}  // namespace kstreams::dsl_testing
