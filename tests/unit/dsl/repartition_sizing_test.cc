// How many partitions each repartition topic gets (what KafkaStreams::start creates): as asked;
// else as the topics it is joined with; else as the input of the sub-topology writing it.
#include <map>
#include <string>

#include "kstreams/test_matchers.h"
#include "src/topology/topology_definition.h"
#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::build_or_die;
using kstreams::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Result<std::map<std::string, int>> sizes(const Topology& topology,
                                         const std::map<std::string, int>& external) {
  const Topology resolved = internal::resolve_internal_topics(topology, "app");
  return internal::repartition_partition_counts(internal::TopologyAccess::definition(resolved),
                                                external);
}

auto by_first_letter() {
  return [](const std::string& v) { return v.substr(0, 1); };
}

TEST(RepartitionSizingTest, AGroupingTopicHasThePartitionsOfTheInputThatFeedsIt) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("words")
      .group_by(by_first_letter(), Grouped<std::string, std::string>::as("by-letter"))
      .count();
  ASSERT_OK_AND_ASSIGN(auto counts, sizes(build_or_die(builder), {{"words", 3}}));
  EXPECT_THAT(counts, ElementsAre(Pair("app-by-letter-repartition", 3)));
}

TEST(RepartitionSizingTest, AnAskedCountIsKept) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("words")
      .repartition(
          Repartitioned<std::string, std::string>::as("spread").with_number_of_partitions(8))
      .to("out");
  ASSERT_OK_AND_ASSIGN(auto counts, sizes(build_or_die(builder), {{"words", 3}}));
  EXPECT_THAT(counts, ElementsAre(Pair("app-spread-repartition", 8)));
}

// A re-keyed stream joined with a table: its repartition topic is read with the table's topic,
// so it takes that topic's count, not the stream input's (Kafka Streams'
// CopartitionedTopicsEnforcer).
TEST(RepartitionSizingTest, ARekeyedStreamJoiningATableTakesTheTablesPartitions) {
  StreamsBuilder builder;
  auto names = builder.table<std::string, std::string>("names");
  builder.stream<std::string, std::string>("events")
      .select_key(by_first_letter())
      .join(
          names, [](const std::string& v, const std::string& n) { return n + v; }, Named("by-user"))
      .to("out");
  ASSERT_OK_AND_ASSIGN(auto counts, sizes(build_or_die(builder), {{"events", 2}, {"names", 4}}));
  EXPECT_THAT(counts, ElementsAre(Pair("app-by-user-repartition", 4)));
}

// The sub-topology writing the repartition topic also reads it (the table comes from the same
// input): sized from the input, not from itself.
TEST(RepartitionSizingTest, ATopicItsOwnSubTopologyReadsIsSizedFromTheOtherInputs) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  auto latest = in.to_table(Materialized<std::string, std::string>::as("latest"));
  in.select_key(by_first_letter())
      .join(
          latest, [](const std::string& v, const std::string& row) { return v + row; },
          Named("self"))
      .to("out");
  ASSERT_OK_AND_ASSIGN(auto counts, sizes(build_or_die(builder), {{"in", 5}}));
  EXPECT_THAT(counts, ElementsAre(Pair("app-self-repartition", 5)));
}

TEST(RepartitionSizingTest, RepartitionTopicsReadTogetherTakeTheLargestCount) {
  StreamsBuilder builder;
  auto a = builder.stream<std::string, std::string>("a").select_key(by_first_letter());
  auto b = builder.stream<std::string, std::string>("b").select_key(by_first_letter());
  auto table = b.to_table(Materialized<std::string, std::string>::as("b-latest"));
  a.join(
       table, [](const std::string& v, const std::string& row) { return v + row; },
       Named("a-with-b"))
      .to("out");
  ASSERT_OK_AND_ASSIGN(auto counts, sizes(build_or_die(builder), {{"a", 2}, {"b", 6}}));
  EXPECT_THAT(counts, ElementsAre(Pair("app-a-with-b-repartition", 6),
                                  Pair("app-b-latest-repartition", 6)));
}

TEST(RepartitionSizingTest, ATopicWithoutAnySizedInputIsATopologyError) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("words")
      .group_by(by_first_letter(), Grouped<std::string, std::string>::as("by-letter"))
      .count();
  EXPECT_THAT(sizes(build_or_die(builder), {}),
              StatusIs(StatusCode::kTopology, HasSubstr("cannot size repartition topic "
                                                        "'app-by-letter-repartition'")));
}

}  // namespace
}  // namespace kstreams
