// KStream::join / left_join with a KTable on the test driver: each stream record is joined with
// the table's value at that moment, as Kafka Streams' KStreamKTableJoin does; table updates
// emit nothing; build errors for tables that cannot be joined.
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::build_or_die;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Orders = testing::TestInputTopic<std::string, std::string>;
using Customers = testing::TestInputTopic<std::string, std::optional<std::string>>;

KeyValue<std::string, std::string> kv(std::string k, std::string v) {
  return {std::move(k), std::move(v)};
}

// orders (customer -> item) joined with customers (customer -> name).
Topology orders_with_names(bool left) {
  StreamsBuilder builder;
  KTable<std::string, std::string> customers = builder.table<std::string, std::string>(
      "customers", Materialized<std::string, std::string>::as("customers"));
  KStream<std::string, std::string> orders = builder.stream<std::string, std::string>("orders");
  if (left) {
    orders
        .left_join(customers,
                   [](const std::string& item, const std::optional<std::string>& name) {
                     return item + " for " + name.value_or("?");
                   })
        .to("enriched");
  } else {
    orders
        .join(customers, [](const std::string& item,
                            const std::string& name) { return item + " for " + name; })
        .to("enriched");
  }
  return build_or_die(builder);
}

TEST(StreamTableJoinTest, JoinsEachRecordWithTheTablesValueAtThatMoment) {
  testing::TopologyTestDriver driver(orders_with_names(/*left=*/false));
  Orders orders = driver.create_input_topic<std::string, std::string>("orders");
  Customers customers =
      driver.create_input_topic<std::string, std::optional<std::string>>("customers");
  auto out = driver.create_output_topic<std::string, std::string>("enriched");

  orders.pipe_input("c1", "book", 1);  // no customer c1 yet: dropped
  customers.pipe_input("c1", std::optional<std::string>("Ada"), 2);
  orders.pipe_input("c1", "pen", 3);
  customers.pipe_input("c1", std::optional<std::string>("Ada L."), 4);  // joins nothing
  orders.pipe_input("c1", "ink", 5);
  customers.pipe_input("c1", std::nullopt, 6);  // deleted
  orders.pipe_input("c1", "cap", 7);
  EXPECT_THAT(out.read_key_values_to_list(),
              ElementsAre(kv("c1", "pen for Ada"), kv("c1", "ink for Ada L.")));
}

TEST(StreamTableJoinTest, ALeftJoinKeepsRecordsTheTableDoesNotHave) {
  testing::TopologyTestDriver driver(orders_with_names(/*left=*/true));
  Orders orders = driver.create_input_topic<std::string, std::string>("orders");
  Customers customers =
      driver.create_input_topic<std::string, std::optional<std::string>>("customers");
  auto out = driver.create_output_topic<std::string, std::string>("enriched");

  orders.pipe_input("c1", "book", 1);
  customers.pipe_input("c1", std::optional<std::string>("Ada"), 2);
  orders.pipe_input("c1", "pen", 3);
  customers.pipe_input("c1", std::nullopt, 4);
  orders.pipe_input("c1", "cap", 5);
  EXPECT_THAT(out.read_key_values_to_list(),
              ElementsAre(kv("c1", "book for ?"), kv("c1", "pen for Ada"), kv("c1", "cap for ?")));
}

TEST(StreamTableJoinTest, TheOutputKeepsTheStreamRecordsTimestampAndHeaders) {
  testing::TopologyTestDriver driver(orders_with_names(/*left=*/false));
  Orders orders = driver.create_input_topic<std::string, std::string>("orders");
  Customers customers =
      driver.create_input_topic<std::string, std::optional<std::string>>("customers");
  auto out = driver.create_output_topic<std::string, std::string>("enriched");
  customers.pipe_input(testing::TestRecord<std::string, std::optional<std::string>>{
      .key = "c2", .value = "Grace", .headers = {{"from", "crm"}}, .timestamp = 50});
  orders.pipe_input(testing::TestRecord<std::string, std::string>{
      .key = "c2", .value = "lamp", .headers = {{"trace", "t-9"}}, .timestamp = 20});
  const auto records = out.read_records_to_list();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].value, "lamp for Grace");
  EXPECT_EQ(records[0].timestamp, std::optional<std::int64_t>(20));
  EXPECT_EQ(records[0].headers, (Headers{{"trace", "t-9"}}));
}

TEST(StreamTableJoinTest, NullKeysAndValuesAreDroppedExceptANullKeyInALeftJoin) {
  for (const bool left : {false, true}) {
    StreamsBuilder builder;
    KTable<std::optional<std::string>, std::string> table =
        builder.table<std::optional<std::string>, std::string>("t");
    auto joiner = [](const std::optional<std::string>& key, const std::optional<std::string>& v,
                     const auto& other) {
      std::string seen;
      if constexpr (std::is_same_v<std::decay_t<decltype(other)>, std::string>) {
        seen = other;
      } else {
        seen = other.value_or("none");
      }
      return key.value_or("null-key") + ":" + v.value_or("null-value") + ":" + seen;
    };
    KStream<std::optional<std::string>, std::optional<std::string>> stream =
        builder.stream<std::optional<std::string>, std::optional<std::string>>("s");
    if (left) {
      stream.left_join(table, joiner).to("out");
    } else {
      stream.join(table, joiner).to("out");
    }
    testing::TopologyTestDriver driver(build_or_die(builder));
    auto t = driver.create_input_topic<std::optional<std::string>, std::optional<std::string>>("t");
    auto s = driver.create_input_topic<std::optional<std::string>, std::optional<std::string>>("s");
    auto out = driver.create_output_topic<std::optional<std::string>, std::string>("out");
    t.pipe_input(std::optional<std::string>("k"), std::optional<std::string>("row"), 1);
    s.pipe_input(std::optional<std::string>("k"), std::nullopt, 2);  // null value: dropped
    s.pipe_input(std::nullopt, std::optional<std::string>("v"), 3);  // null key
    s.pipe_input(std::optional<std::string>("k"), std::optional<std::string>("v"), 4);
    std::vector<std::string> values = out.read_values_to_list();
    if (left) {
      EXPECT_THAT(values, ElementsAre("null-key:v:none", "k:v:row"));
    } else {
      EXPECT_THAT(values, ElementsAre("k:v:row"));
    }
  }
}

TEST(StreamTableJoinTest, AJoinerThatThrowsGoesToTheProcessingHandler) {
  StreamsBuilder builder;
  KTable<std::string, std::string> table = builder.table<std::string, std::string>("t");
  builder.stream<std::string, std::string>("s")
      .join(table,
            [](const std::string& key, const std::string& v, const std::string& row) {
              if (v == "bad") throw std::runtime_error("cannot join " + key);
              return v + row;
            })
      .to("out");
  StreamsConfig config;
  config.processing_exception_handler = error_handlers::log_and_continue();
  testing::TopologyTestDriver driver(build_or_die(builder), config);
  auto t = driver.create_input_topic<std::string, std::optional<std::string>>("t");
  auto s = driver.create_input_topic<std::string, std::string>("s");
  auto out = driver.create_output_topic<std::string, std::string>("out");
  t.pipe_input("k", std::optional<std::string>("!"), 1);
  s.pipe_input("k", "bad", 2);
  s.pipe_input("k", "good", 3);
  EXPECT_THAT(out.read_values_to_list(), ElementsAre("good!"));
}

TEST(StreamTableJoinTest, AStreamWithAChangedKeyIsRepartitionedFirst) {
  StreamsBuilder builder;
  KTable<std::string, std::string> names = builder.table<std::string, std::string>("names");
  builder.stream<std::string, std::string>("events")
      .select_key([](const std::string& value) { return value.substr(0, 2); })
      .join(
          names, [](const std::string& v, const std::string& name) { return name + "/" + v; },
          Named("by-user"))
      .to("out");
  Topology topology = build_or_die(builder);
  EXPECT_THAT(topology.describe().to_string(), HasSubstr("by-user-repartition"));
  testing::TopologyTestDriver driver(std::move(topology));
  auto n = driver.create_input_topic<std::string, std::optional<std::string>>("names");
  auto e = driver.create_input_topic<std::string, std::string>("events");
  auto out = driver.create_output_topic<std::string, std::string>("out");
  n.pipe_input("u7", std::optional<std::string>("Lin"), 1);
  e.pipe_input("x", "u7:login", 2);
  EXPECT_THAT(out.read_key_values_to_list(), ElementsAre(kv("u7", "Lin/u7:login")));
}

struct Visit {
  std::string page;
};

TEST(StreamTableJoinTest, ARekeyedStreamWithoutDefaultSerdesIsABuildErrorSayingWhatToDo) {
  StreamsBuilder builder;
  KTable<std::string, std::string> names = builder.table<std::string, std::string>("names");
  builder.stream<std::string, std::string>("events")
      .select_key([](const std::string& value) { return value.substr(0, 2); })
      .map_values([](const std::string& value) { return Visit{value}; })
      .join(
          names, [](const Visit& visit, const std::string& name) { return name + visit.page; },
          Named("visits"))
      .to("out");
  Result<Topology> topology = builder.build();
  ASSERT_FALSE(topology.ok());
  EXPECT_THAT(topology.status().message(),
              HasSubstr("visits: the key may have changed upstream, so the stream is "
                        "repartitioned before the join, and there is no default serde for"));
  EXPECT_THAT(topology.status().message(),
              HasSubstr("call repartition(Repartitioned with serdes) before the join"));
}

TEST(StreamTableJoinTest, TheStreamAndTheTableShareOneSubTopology) {
  const Topology topology = orders_with_names(/*left=*/false);
  const std::string description = topology.describe().to_string();
  EXPECT_THAT(description, HasSubstr("Sub-topology: 0"));
  EXPECT_THAT(description, ::testing::Not(HasSubstr("Sub-topology: 1")));
}

TEST(StreamTableJoinTest, ATableWithoutAStoreOfItsOwnIsABuildError) {
  StreamsBuilder builder;
  KTable<std::string, std::string> filtered = builder.table<std::string, std::string>("t").filter(
      [](const std::string& v) { return !v.empty(); });
  builder.stream<std::string, std::string>("s")
      .join(filtered, [](const std::string& v, const std::string& w) { return v + w; })
      .to("out");
  Result<Topology> topology = builder.build();
  ASSERT_FALSE(topology.ok());
  EXPECT_THAT(topology.status().message(), HasSubstr("the table is not materialized"));
}

TEST(StreamTableJoinTest, ATableOfAnotherBuilderIsABuildError) {
  StreamsBuilder other;
  KTable<std::string, std::string> foreign = other.table<std::string, std::string>("t");
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("s")
      .join(foreign, [](const std::string& v, const std::string& w) { return v + w; })
      .to("out");
  Result<Topology> topology = builder.build();
  ASSERT_FALSE(topology.ok());
  EXPECT_THAT(topology.status().message(), HasSubstr("belong to different builders"));
}

}  // namespace
}  // namespace kstreams
