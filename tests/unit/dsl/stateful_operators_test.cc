// Tables and aggregations on the test driver: Kafka Streams' semantics for count, reduce,
// aggregate (streams and tables, with subtractors), tombstones, filters on tables, to_table,
// group_by through repartition topics, and stores queried from the driver.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::build_or_die;
using dsl_testing::thrown_status;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Counts = testing::TestOutputTopic<std::string, std::optional<std::int64_t>>;
using Tombstoned = testing::TestOutputTopic<std::string, std::optional<std::string>>;

KeyValue<std::string, std::optional<std::int64_t>> kv(std::string k, std::int64_t v) {
  return {std::move(k), v};
}

TEST(StatefulOperatorsTest, CountByKeyEmitsEveryUpdateAndKeepsTheStore) {
  testing::TopologyTestDriver driver(dsl_testing::counting_topology());
  auto in = driver.create_input_topic<std::string, std::string>("in");
  auto out = driver.create_output_topic<std::string, std::optional<std::int64_t>>("out");
  in.pipe_input("a", "x", 10);
  in.pipe_input("b", "x", 5);
  in.pipe_input("a", "y", 7);

  // One update per record (the driver commits after each), timestamp = max of the key's records.
  auto records = out.read_records_to_list();
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[0].key, "a");
  EXPECT_EQ(records[0].value, std::optional<std::int64_t>(1));
  EXPECT_EQ(records[1].key, "b");
  EXPECT_EQ(records[2].value, std::optional<std::int64_t>(2));
  EXPECT_EQ(records[2].timestamp, 10);

  auto store = driver.get_key_value_store<std::string, std::int64_t>("counts");
  EXPECT_EQ(store.get("a"), std::optional<std::int64_t>(2));
  EXPECT_EQ(store.get("b"), std::optional<std::int64_t>(1));
  EXPECT_EQ(store.get("c"), std::nullopt);
  std::vector<KeyValue<std::string, std::int64_t>> all = store.all().to_vector();
  EXPECT_THAT(all, ElementsAre(KeyValue<std::string, std::int64_t>{"a", 2},
                               KeyValue<std::string, std::int64_t>{"b", 1}));
}

TEST(StatefulOperatorsTest, EveryStoreWriteGoesToTheChangelogTopic) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").group_by_key().count(
      Materialized<std::string, std::int64_t>::as("counts"));
  StreamsConfig config;
  config.application_id = "app";
  testing::TopologyTestDriver driver(build_or_die(builder), config);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("a", "x", 10);
  in.pipe_input("a", "x", 11);
  EXPECT_TRUE(driver.produced_topic_names().contains("app-counts-changelog"));
}

TEST(StatefulOperatorsTest, LoggingDisabledWritesNoChangelog) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").group_by_key().count(
      Materialized<std::string, std::int64_t>::as("counts").with_logging_disabled());
  StreamsConfig config;
  config.application_id = "app";
  testing::TopologyTestDriver driver(build_or_die(builder), config);
  driver.create_input_topic<std::string, std::string>("in").pipe_input("a", "x", 1);
  EXPECT_FALSE(driver.produced_topic_names().contains("app-counts-changelog"));
  EXPECT_EQ((driver.get_key_value_store<std::string, std::int64_t>("counts").get("a")),
            std::optional<std::int64_t>(1));
}

TEST(StatefulOperatorsTest, ReduceAndAggregateFoldValuesPerKey) {
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, std::int64_t>("in").group_by_key();
  grouped.reduce([](std::int64_t a, std::int64_t b) { return a + b; }).to_stream().to("sums");
  grouped
      .aggregate([] { return std::string(); },
                 [](const std::string&, std::int64_t v, std::string agg) {
                   return agg + std::to_string(v) + ";";
                 },
                 Materialized<std::string, std::string>::as("joined"))
      .to_stream()
      .to("joined");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::int64_t>("in");
  in.pipe_input("k", 1, 1);
  in.pipe_input("k", 2, 2);
  in.pipe_input("j", 5, 3);
  auto sums = driver.create_output_topic<std::string, std::optional<std::int64_t>>("sums");
  EXPECT_THAT(sums.read_key_values_to_list(), ElementsAre(kv("k", 1), kv("k", 3), kv("j", 5)));
  auto joined = driver.create_output_topic<std::string, std::optional<std::string>>("joined");
  std::vector<std::optional<std::string>> values = joined.read_values_to_list();
  EXPECT_THAT(values, ElementsAre("1;", "1;2;", "5;"));
}

TEST(StatefulOperatorsTest, GroupByRepartitionsThroughAnInternalTopic) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("words")
      .group_by([](const std::string& word) { return word.substr(0, 1); },
                Grouped<std::string, std::string>::as("by-initial"))
      .count(Materialized<std::string, std::int64_t>::as("initials"))
      .to_stream()
      .to("out");
  Topology topology = build_or_die(builder);
  const std::string description = topology.describe().to_string();
  EXPECT_THAT(description, HasSubstr("by-initial-repartition"));
  EXPECT_THAT(description, HasSubstr("Sub-topology: 1"));
  EXPECT_THAT(description, HasSubstr("stores: [initials]"));

  StreamsConfig config;
  config.application_id = "words-app";
  testing::TopologyTestDriver driver(topology, config);
  auto in = driver.create_input_topic<std::string, std::string>("words");
  in.pipe_input("1", "apple", 1);
  in.pipe_input("2", "avocado", 2);
  in.pipe_input("3", "banana", 3);
  auto out = driver.create_output_topic<std::string, std::optional<std::int64_t>>("out");
  EXPECT_THAT(out.read_key_values_to_list(), ElementsAre(kv("a", 1), kv("a", 2), kv("b", 1)));
  EXPECT_TRUE(driver.produced_topic_names().contains("words-app-by-initial-repartition"));
}

TEST(StatefulOperatorsTest, GroupByKeyAfterSelectKeyRepartitions) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .select_key([](const std::string& v) { return v; })
      .group_by_key()
      .count(Materialized<std::string, std::int64_t>::as("c"));
  builder.stream<std::string, std::string>("in2").group_by_key().count(
      Materialized<std::string, std::int64_t>::as("d"));
  const std::string description = build_or_die(builder).describe().to_string();
  EXPECT_THAT(description, HasSubstr("c-repartition"));
  EXPECT_THAT(description, ::testing::Not(HasSubstr("d-repartition")));
}

TEST(StatefulOperatorsTest, AggregationsOfOneGroupedStreamShareItsRepartitionTopic) {
  StreamsBuilder builder;
  auto grouped = builder.stream<std::string, std::int64_t>("in").group_by(
      [](std::int64_t v) { return std::to_string(v % 2); },
      Grouped<std::string, std::int64_t>::as("parity"));
  grouped.count(Materialized<std::string, std::int64_t>::as("n")).to_stream().to("n-out");
  grouped.reduce([](std::int64_t a, std::int64_t b) { return a + b; }).to_stream().to("sum-out");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::int64_t>("in");
  in.pipe_input("a", 1, 1);
  in.pipe_input("b", 3, 2);
  in.pipe_input("c", 4, 3);
  auto n = driver.create_output_topic<std::string, std::optional<std::int64_t>>("n-out");
  EXPECT_THAT(n.read_key_values_to_list(), ElementsAre(kv("1", 1), kv("1", 2), kv("0", 1)));
  auto sum = driver.create_output_topic<std::string, std::optional<std::int64_t>>("sum-out");
  EXPECT_THAT(sum.read_key_values_to_list(), ElementsAre(kv("1", 1), kv("1", 4), kv("0", 4)));
}

TEST(StatefulOperatorsTest, TableKeepsLatestValueAndTombstonesDelete) {
  StreamsBuilder builder;
  builder
      .table<std::string, std::string>("users", Materialized<std::string, std::string>::as("users"))
      .to_stream()
      .to("changes");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::optional<std::string>>("users");
  in.pipe_input("u1", std::optional<std::string>("Ann"), 1);
  in.pipe_input("u1", std::optional<std::string>("Anne"), 2);
  in.pipe_input("u2", std::optional<std::string>("Bob"), 3);
  in.pipe_input("u1", std::nullopt, 4);
  in.pipe_input("u9", std::nullopt, 5);  // deleting a missing key changes nothing

  auto out = driver.create_output_topic<std::string, std::optional<std::string>>("changes");
  auto records = out.read_key_values_to_list();
  ASSERT_EQ(records.size(), 4U);
  EXPECT_EQ(records[1].value, std::optional<std::string>("Anne"));
  EXPECT_EQ(records[3].key, "u1");
  EXPECT_EQ(records[3].value, std::nullopt);
  auto store = driver.get_key_value_store<std::string, std::string>("users");
  EXPECT_EQ(store.get("u1"), std::nullopt);
  EXPECT_EQ(store.get("u2"), std::optional<std::string>("Bob"));
}

TEST(StatefulOperatorsTest, TableFilterTurnsFailingValuesIntoDeletes) {
  StreamsBuilder builder;
  builder.table<std::string, std::int64_t>("scores")
      .filter([](std::int64_t score) { return score >= 10; })
      .map_values([](std::int64_t score) { return std::to_string(score); })
      .to_stream()
      .to("passing");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::optional<std::int64_t>>("scores");
  in.pipe_input("a", std::optional<std::int64_t>(12), 1);
  in.pipe_input("a", std::optional<std::int64_t>(3), 2);  // drops out: a delete downstream
  in.pipe_input("b", std::optional<std::int64_t>(20), 3);
  auto out = driver.create_output_topic<std::string, std::optional<std::string>>("passing");
  auto records = out.read_key_values_to_list();
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[0].value, std::optional<std::string>("12"));
  EXPECT_EQ(records[1].key, "a");
  EXPECT_EQ(records[1].value, std::nullopt);
  EXPECT_EQ(records[2].value, std::optional<std::string>("20"));
}

TEST(StatefulOperatorsTest, StreamToTable) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .to_table(Materialized<std::string, std::string>::as("latest"))
      .to_stream()
      .to("out");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "v1", 1);
  in.pipe_input("k", "v2", 2);
  EXPECT_EQ((driver.get_key_value_store<std::string, std::string>("latest").get("k")),
            std::optional<std::string>("v2"));
  auto out = driver.create_output_topic<std::string, std::optional<std::string>>("out");
  EXPECT_EQ(out.read_records_to_list().size(), 2U);
}

TEST(StatefulOperatorsTest, TableGroupByCountMovesRowsBetweenGroups) {
  // Users and their city; count users per city. A user moving city leaves the old city's count.
  StreamsBuilder builder;
  builder.table<std::string, std::string>("user-city")
      .group_by([](const std::string& user, const std::string& city) {
        return KeyValue<std::string, std::string>{city, user};
      })
      .count(Materialized<std::string, std::int64_t>::as("users-per-city"))
      .to_stream()
      .to("city-counts");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::optional<std::string>>("user-city");
  in.pipe_input("ann", std::optional<std::string>("Oslo"), 1);
  in.pipe_input("bob", std::optional<std::string>("Oslo"), 2);
  in.pipe_input("ann", std::optional<std::string>("Rome"), 3);  // -1 Oslo, +1 Rome
  in.pipe_input("bob", std::nullopt, 4);                        // -1 Oslo
  in.pipe_input("ann", std::optional<std::string>("Rome"), 5);  // same group: -1 +1 in one

  auto out = driver.create_output_topic<std::string, std::optional<std::int64_t>>("city-counts");
  EXPECT_THAT(out.read_key_values_to_list(),
              ElementsAre(kv("Oslo", 1), kv("Oslo", 2), kv("Oslo", 1), kv("Rome", 1), kv("Oslo", 0),
                          kv("Rome", 1)));
  auto store = driver.get_key_value_store<std::string, std::int64_t>("users-per-city");
  EXPECT_EQ(store.get("Oslo"), std::optional<std::int64_t>(0));
  EXPECT_EQ(store.get("Rome"), std::optional<std::int64_t>(1));
}

TEST(StatefulOperatorsTest, TableReduceWithSubtractor) {
  StreamsBuilder builder;
  builder.table<std::string, std::int64_t>("balances")
      .group_by([](const std::string& account, std::int64_t balance) {
        return KeyValue<std::string, std::int64_t>{account.substr(0, 1), balance};
      })
      .reduce([](std::int64_t agg, std::int64_t v) { return agg + v; },
              [](std::int64_t agg, std::int64_t v) { return agg - v; },
              Materialized<std::string, std::int64_t>::as("totals"));
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::optional<std::int64_t>>("balances");
  in.pipe_input("x1", std::optional<std::int64_t>(10), 1);
  in.pipe_input("x2", std::optional<std::int64_t>(5), 2);
  in.pipe_input("x1", std::optional<std::int64_t>(7), 3);
  EXPECT_EQ((driver.get_key_value_store<std::string, std::int64_t>("totals").get("x")),
            std::optional<std::int64_t>(12));
}

class CountingProcessor : public Processor<std::string, std::string, std::string, std::int64_t> {
 public:
  void init(ProcessorContext<std::string, std::int64_t>& context) override {
    context_ = &context;
    store_.emplace(context.get_state_store<std::string, std::int64_t>("seen"));
  }
  void process(Record<std::string, std::string> record) override {
    const std::int64_t n = store_->get(record.key).value_or(0) + 1;
    store_->put(record.key, n);
    context_->forward(Record<std::string, std::int64_t>{record.key, n, record.timestamp, {}});
  }

 private:
  ProcessorContext<std::string, std::int64_t>* context_ = nullptr;
  std::optional<KeyValueStore<std::string, std::int64_t>> store_;
};

TEST(StatefulOperatorsTest, ProcessorApiStoreIsReadAndWritten) {
  StreamsBuilder builder;
  builder.add_state_store(
      Materialized<std::string, std::int64_t>::as("seen").with_store_type(StoreType::kInMemory));
  builder.stream<std::string, std::string>("in")
      .process([] { return std::make_unique<CountingProcessor>(); }, Named("counter"), {"seen"})
      .to("out");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("a", "1", 1);
  in.pipe_input("a", "2", 2);
  auto out = driver.create_output_topic<std::string, std::int64_t>("out");
  EXPECT_THAT(out.read_values_to_list(), ElementsAre(1, 2));
  auto store = driver.get_key_value_store<std::string, std::int64_t>("seen");
  store.put("z", 9);
  EXPECT_EQ(store.get("z"), std::optional<std::int64_t>(9));
}

TEST(StatefulOperatorsTest, ProcessorWithoutTheStoreGetsNotFound) {
  StreamsBuilder builder;
  builder.add_state_store(Materialized<std::string, std::int64_t>::as("seen"));
  StreamsConfig config;
  config.processing_exception_handler = error_handlers::log_and_fail();
  builder.stream<std::string, std::string>("in")
      .process([] { return std::make_unique<CountingProcessor>(); }, Named("counter"))
      .to("out");
  Status status =
      thrown_status([&] { testing::TopologyTestDriver driver(build_or_die(builder), config); });
  EXPECT_THAT(status.message(), HasSubstr("has no state store 'seen'"));
}

TEST(StatefulOperatorsTest, UnknownAndDuplicateStoresAreBuildErrors) {
  StreamsBuilder builder;
  builder.add_state_store(Materialized<std::string, std::int64_t>::as("s"));
  builder.add_state_store(Materialized<std::string, std::int64_t>::as("s"));
  builder.stream<std::string, std::string>("in").process(
      [] { return std::make_unique<CountingProcessor>(); }, Named("p"), {"nope"});
  Result<Topology> topology = builder.build();
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.status().code(), StatusCode::kTopology);
  EXPECT_THAT(topology.status().message(), HasSubstr("state store 's' is added twice"));
  EXPECT_THAT(topology.status().message(), HasSubstr("uses state store 'nope'"));
}

TEST(StatefulOperatorsTest, WrongStoreTypesAreRejected) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").group_by_key().count(
      Materialized<std::string, std::int64_t>::as("counts"));
  testing::TopologyTestDriver driver(build_or_die(builder));
  EXPECT_EQ(
      thrown_status([&] { driver.get_key_value_store<std::string, std::string>("counts"); }).code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      thrown_status([&] { driver.get_key_value_store<std::string, std::int64_t>("x"); }).code(),
      StatusCode::kNotFound);
}

TEST(StatefulOperatorsTest, CachingOffForwardsEveryUpdateAtOnce) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .group_by_key()
      .count(Materialized<std::string, std::int64_t>::as("c").with_caching_disabled())
      .to_stream()
      .to("out");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("a", "x", 1);
  in.pipe_input("a", "x", 2);
  auto out = driver.create_output_topic<std::string, std::optional<std::int64_t>>("out");
  EXPECT_THAT(out.read_key_values_to_list(), ElementsAre(kv("a", 1), kv("a", 2)));
}

// The cases below were found by the conformance suite against Kafka Streams 3.9
// (tests/conformance, docs/conformance.md).

TEST(StatefulOperatorsTest, StreamAggregationsSkipNullKeysAndValues) {
  using S = std::optional<std::string>;
  StreamsBuilder builder;
  auto grouped = builder.stream<S, S>("in").group_by_key();
  grouped.count(Materialized<S, std::int64_t>::as("n")).to_stream().to("n-out");
  grouped.reduce([](const S& a, const S& b) { return S(*a + *b); }).to_stream().to("r-out");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<S, S>("in");
  in.pipe_input(S("a"), S("x"), 1);
  in.pipe_input(S("a"), S(), 2);  // null value: skipped, as KStreamAggregate/Reduce do
  in.pipe_input(S(), S("x"), 3);  // null key: skipped
  in.pipe_input(S("a"), S("y"), 4);
  auto n =
      driver.create_output_topic<S, std::optional<std::int64_t>>("n-out").read_key_values_to_list();
  ASSERT_EQ(n.size(), 2U);
  EXPECT_EQ(n[1].value, std::optional<std::int64_t>(2));
  auto r = driver.create_output_topic<S, std::optional<S>>("r-out").read_key_values_to_list();
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[1].value, std::optional<S>(S("xy")));
}

TEST(StatefulOperatorsTest, TableFilterSendsNoDeleteForAKeyItNeverHad) {
  StreamsBuilder builder;
  builder.table<std::string, std::int64_t>("scores")
      .filter([](std::int64_t score) { return score >= 10; })
      .to_stream()
      .to("passing");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::optional<std::int64_t>>("scores");
  in.pipe_input("a", std::optional<std::int64_t>(3), 1);  // never passed: nothing
  in.pipe_input("a", std::optional<std::int64_t>(12), 2);
  in.pipe_input("a", std::optional<std::int64_t>(4), 3);  // drops out: a delete
  in.pipe_input("a", std::optional<std::int64_t>(5), 4);  // still out: nothing
  auto out = driver.create_output_topic<std::string, std::optional<std::int64_t>>("passing");
  EXPECT_THAT(out.read_key_values_to_list(),
              ElementsAre(kv("a", 12),
                          KeyValue<std::string, std::optional<std::int64_t>>{"a", std::nullopt}));
}

TEST(StatefulOperatorsTest, UncachedTableForwardsTheDeleteOfAMissingKey) {
  StreamsBuilder builder;
  builder
      .table<std::string, std::string>(
          "users", Materialized<std::string, std::string>::as("users").with_caching_disabled())
      .to_stream()
      .to("changes");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::optional<std::string>>("users");
  in.pipe_input("u9", std::nullopt, 5);  // as KTableSource without a cache: forwarded
  auto out = driver.create_output_topic<std::string, std::optional<std::string>>("changes");
  auto records = out.read_key_values_to_list();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].value, std::nullopt);
}

TEST(StatefulOperatorsTest, StreamOfOptionalsToTableDeletesOnNull) {
  using S = std::optional<std::string>;
  StreamsBuilder builder;
  builder.stream<std::string, S>("in")
      .to_table(Materialized<std::string, S>::as("latest"))
      .to_stream()
      .map_values([](const std::optional<S>& v) { return v ? *v : S(); })
      .to("out");
  testing::TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, S>("in");
  in.pipe_input("k", S("v"), 1);
  in.pipe_input("k", S(), 2);  // a tombstone, as Kafka Streams' toTable
  auto out = driver.create_output_topic<std::string, S>("out").read_key_values_to_list();
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[1].value, S());
  EXPECT_EQ((driver.get_key_value_store<std::string, S>("latest").get("k")), std::nullopt);
}

}  // namespace
}  // namespace kstreams
