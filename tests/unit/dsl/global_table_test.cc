// Global tables on the test driver: a full copy of the topic in a store, tombstones delete,
// queried through get_key_value_store; build errors.
#include <cstdint>
#include <optional>
#include <string>

#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::build_or_die;
using ::testing::ElementsAre;
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

// orders (order id -> country code) joined with the countries (code -> name).
Topology orders_with_countries(bool left) {
  StreamsBuilder builder;
  GlobalKTable<std::string, std::string> countries = builder.global_table<std::string, std::string>(
      "countries", Materialized<std::string, std::string>::as("countries"));
  KStream<std::string, std::string> orders = builder.stream<std::string, std::string>("orders");
  auto code = [](const std::string& value) { return value.substr(0, 2); };
  if (left) {
    orders
        .left_join(countries, code,
                   [](const std::string& order_id, const std::string& value,
                      const std::optional<std::string>& country) {
                     return order_id + ":" + value + " in " + country.value_or("?");
                   })
        .to("located");
  } else {
    orders
        .join(countries, code,
              [](const std::string& value, const std::string& country) {
                return value + " in " + country;
              })
        .to("located");
  }
  return build_or_die(builder);
}

TEST(GlobalTableTest, AJoinLooksUpTheRowTheKeyMapperPicks) {
  testing::TopologyTestDriver driver(orders_with_countries(/*left=*/false));
  auto countries = driver.create_input_topic<std::string, std::optional<std::string>>("countries");
  auto orders = driver.create_input_topic<std::string, std::string>("orders");
  auto out = driver.create_output_topic<std::string, std::string>("located");
  orders.pipe_input("o1", "no-1", 1);  // no row yet: dropped
  countries.pipe_input("no", std::optional<std::string>("Norway"), 2);
  orders.pipe_input("o2", "no-2", 3);
  countries.pipe_input("no", std::optional<std::string>("Noreg"), 4);
  orders.pipe_input(testing::TestRecord<std::string, std::string>{
      .key = "o3", .value = "no-3", .headers = {{"trace", "t"}}, .timestamp = 5});
  countries.pipe_input("no", std::nullopt, 6);
  orders.pipe_input("o4", "no-4", 7);
  const auto records = out.read_records_to_list();
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].key, "o2");
  EXPECT_EQ(records[0].value, "no-2 in Norway");
  EXPECT_EQ(records[1].key, "o3");
  EXPECT_EQ(records[1].value, "no-3 in Noreg");
  EXPECT_EQ(records[1].timestamp, std::optional<std::int64_t>(5));
  EXPECT_EQ(records[1].headers, (Headers{{"trace", "t"}}));
}

TEST(GlobalTableTest, ALeftJoinKeepsRecordsWithoutARow) {
  testing::TopologyTestDriver driver(orders_with_countries(/*left=*/true));
  auto countries = driver.create_input_topic<std::string, std::optional<std::string>>("countries");
  auto orders = driver.create_input_topic<std::string, std::string>("orders");
  auto out = driver.create_output_topic<std::string, std::string>("located");
  countries.pipe_input("it", std::optional<std::string>("Italy"), 1);
  orders.pipe_input("o1", "it-1", 2);
  orders.pipe_input("o2", "fr-2", 3);
  EXPECT_THAT(out.read_values_to_list(), ElementsAre("o1:it-1 in Italy", "o2:fr-2 in ?"));
}

// Kafka Streams 3.9 (KStreamKTableJoinProcessor): a null mapped key drops the record, except in a
// left join of a record whose own key is null (KIP-962); a null record key with a mapped key
// joins normally.
TEST(GlobalTableTest, ANullMappedKeyDropsTheRecordUnlessALeftJoinsRecordHasNoKey) {
  for (const bool left : {false, true}) {
    StreamsBuilder builder;
    auto rows = builder.global_table<std::optional<std::string>, std::string>("rows");
    auto stream = builder.stream<std::optional<std::string>, std::string>("s");
    auto mapper = [](const std::string& v) {
      return v.empty() ? std::optional<std::string>() : std::optional<std::string>(v);
    };
    auto show = [](const std::optional<std::string>& k, const std::string& v) {
      return k.value_or("null") + "[" + v + "]";
    };
    if (left) {
      stream
          .left_join(rows, mapper,
                     [show](const std::optional<std::string>& k, const std::string& v,
                         const std::optional<std::string>& row) {
                       return show(k, v) + row.value_or("none");
                     })
          .to("out");
    } else {
      stream
          .join(rows, mapper,
                [show](const std::optional<std::string>& k, const std::string& v,
                    const std::string& row) { return show(k, v) + row; })
          .to("out");
    }
    testing::TopologyTestDriver driver(build_or_die(builder));
    auto r =
        driver.create_input_topic<std::optional<std::string>, std::optional<std::string>>("rows");
    auto s = driver.create_input_topic<std::optional<std::string>, std::string>("s");
    auto out = driver.create_output_topic<std::optional<std::string>, std::string>("out");
    const std::optional<std::string> no_key;
    r.pipe_input(std::optional<std::string>("a"), std::optional<std::string>("A"), 1);
    s.pipe_input(std::optional<std::string>("k"), "", 2);  // mapped key null: dropped
    s.pipe_input(no_key, "", 3);                           // no key, mapped key null
    s.pipe_input(no_key, "a", 4);                          // no key, mapped key "a"
    s.pipe_input(std::optional<std::string>("k"), "a", 5);
    s.pipe_input(std::optional<std::string>("k"), "b", 6);  // no row "b"
    if (left) {
      EXPECT_THAT(out.read_values_to_list(),
                  ElementsAre("null[]none", "null[a]A", "k[a]A", "k[b]none"));
    } else {
      EXPECT_THAT(out.read_values_to_list(), ElementsAre("null[a]A", "k[a]A"));
    }
  }
}

TEST(GlobalTableTest, JoiningAGlobalTableOfAnotherBuilderIsABuildError) {
  StreamsBuilder other;
  auto foreign = other.global_table<std::string, std::string>(
      "countries", Materialized<std::string, std::string>::as("countries"));
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("orders")
      .join(
          foreign, [](const std::string& v) { return v; },
          [](const std::string& v, const std::string& c) { return v + c; })
      .to("out");
  Result<Topology> topology = builder.build();
  ASSERT_FALSE(topology.ok());
  EXPECT_THAT(topology.status().message(),
              HasSubstr("the global table 'countries' belongs to another builder"));
}

}  // namespace
}  // namespace kstreams
