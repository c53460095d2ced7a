// Global tables on the test driver: a full copy of the topic in a store, tombstones delete,
// queried through get_key_value_store; build errors.
#include <optional>
#include <string>

#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::build_or_die;
using ::testing::HasSubstr;

TEST(GlobalTableTest, KeepsTheLatestValueOfEveryKey) {
  StreamsBuilder builder;
  GlobalKTable<std::string, std::string> countries = builder.global_table<std::string, std::string>(
      "countries", Materialized<std::string, std::string>::as("countries"));
  EXPECT_EQ(countries.queryable_store_name(), "countries");
  builder.stream<std::string, std::string>("orders").to("orders-out");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::optional<std::string>>("countries");
  in.pipe_input("no", std::optional<std::string>("Norway"), 1);
  in.pipe_input("it", std::optional<std::string>("Italy"), 2);
  in.pipe_input("no", std::optional<std::string>("Noreg"), 3);
  in.pipe_input("it", std::nullopt, 4);

  auto store = driver.get_key_value_store<std::string, std::string>("countries");
  EXPECT_EQ(store.get("no"), std::optional<std::string>("Noreg"));
  EXPECT_EQ(store.get("it"), std::nullopt);
  // The global topic is not processed by the topology's tasks.
  EXPECT_FALSE(driver.produced_topic_names().contains("orders-out"));
}

TEST(GlobalTableTest, ATopicReadByAStreamAndAGlobalTableIsABuildError) {
  StreamsBuilder builder;
  builder.global_table<std::string, std::string>("shared");
  builder.stream<std::string, std::string>("shared").to("out");
  Result<Topology> topology = builder.build();
  ASSERT_FALSE(topology.ok());
  EXPECT_THAT(topology.status().message(), HasSubstr("'shared' of global table"));
}

}  // namespace
}  // namespace kstreams
