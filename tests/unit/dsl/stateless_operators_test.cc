// Stateless DSL operators on the TopologyTestDriver: what each does to keys, values, headers and
// timestamps, with Kafka Streams' semantics.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

#include "kstreams/test_matchers.h"
#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::build_or_die;
using dsl_testing::StringOutput;
using dsl_testing::strings;
using dsl_testing::thrown_status;

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::TestRecord;
using testing::TopologyTestDriver;
using KV = KeyValue<std::string, std::string>;

template <class K, class V>
testing::TestOutputTopic<K, V> output(TopologyTestDriver& driver, const std::string& topic) {
  return driver.create_output_topic<K, V>(topic);
}
TEST(StatelessOperatorsTest, FilterKeepsMatchingRecordsAndFilterNotDropsThem) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::int64_t>("in");
  in.filter([](const std::int64_t& v) { return v % 2 == 0; }).to("even");
  in.filter_not([](const std::string& k, const std::int64_t&) { return k == "skip"; }).to("kept");
  TopologyTestDriver driver(build_or_die(builder));
  auto input = driver.create_input_topic<std::string, std::int64_t>("in");
  auto even = driver.create_output_topic<std::string, std::int64_t>("even");
  auto kept = driver.create_output_topic<std::string, std::int64_t>("kept");

  input.pipe_input("a", 1);
  input.pipe_input("b", 2);
  input.pipe_input("skip", 4);

  EXPECT_THAT(even.read_values_to_list(), ElementsAre(2, 4));
  EXPECT_THAT(kept.read_key_values_to_list(),
              ElementsAre(KeyValue<std::string, std::int64_t>{"a", 1},
                          KeyValue<std::string, std::int64_t>{"b", 2}));
}

TEST(StatelessOperatorsTest, MapValuesAcceptsValueOrKeyValueFunctions) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.map_values([](const std::string& v) {
      return static_cast<std::int64_t>(v.size());
    }).to("lengths");
  in.map_values([](const std::string& k, const std::string& v) {
      return k + ":" + v;
    }).to("joined");
  TopologyTestDriver driver(build_or_die(builder));
  auto input = driver.create_input_topic<std::string, std::string>("in");
  input.pipe_input("k", "hello");

  auto lengths = output<std::string, std::int64_t>(driver, "lengths");
  EXPECT_EQ(lengths.read_value(), 5);
  EXPECT_EQ(strings(driver, "joined").read_value(), "k:hello");
}

TEST(StatelessOperatorsTest, MapAndSelectKeyChangeKeysAndTypes) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.map([](const std::string& k, const std::string& v) {
      return KeyValue<std::int32_t, std::string>{static_cast<std::int32_t>(v.size()), k};
    }).to("swapped");
  in.select_key([](const std::string&, const std::string& v) { return v; }).to("rekeyed");
  TopologyTestDriver driver(build_or_die(builder));
  driver.create_input_topic<std::string, std::string>("in").pipe_input("key", "value!");

  auto swapped = driver.create_output_topic<std::int32_t, std::string>("swapped");
  EXPECT_EQ(swapped.read_key_value(), (KeyValue<std::int32_t, std::string>{6, "key"}));
  auto rekeyed = strings(driver, "rekeyed");
  EXPECT_EQ(rekeyed.read_key_value(), (KV{"value!", "value!"}));
}

TEST(StatelessOperatorsTest, FlatMapAndFlatMapValuesEmitZeroOrMoreRecords) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.flat_map_values([](const std::string& v) {
      std::vector<std::string> words;
      std::string word;
      for (char c : v + " ") {
        if (c == ' ') {
          if (!word.empty()) words.push_back(word);
          word.clear();
        } else {
          word += c;
        }
      }
      return words;
    }).to("words");
  in.flat_map([](const std::string& k, const std::string& v) {
      return std::vector<std::pair<std::string, std::int64_t>>{
          {k + "-a", static_cast<std::int64_t>(v.size())}, {k + "-b", 0}};
    }).to("pairs");
  TopologyTestDriver driver(build_or_die(builder));
  auto input = driver.create_input_topic<std::string, std::string>("in");
  input.pipe_input("k", "the quick  fox");
  input.pipe_input("e", "");

  EXPECT_THAT(strings(driver, "words").read_values_to_list(), ElementsAre("the", "quick", "fox"));
  auto pairs = driver.create_output_topic<std::string, std::int64_t>("pairs");
  EXPECT_THAT(pairs.read_key_values_to_list(),
              ElementsAre(KeyValue<std::string, std::int64_t>{"k-a", 14},
                          KeyValue<std::string, std::int64_t>{"k-b", 0},
                          KeyValue<std::string, std::int64_t>{"e-a", 0},
                          KeyValue<std::string, std::int64_t>{"e-b", 0}));
}

TEST(StatelessOperatorsTest, PeekSeesEveryRecordAndForeachIsTerminal) {
  StreamsBuilder builder;
  auto seen = std::make_shared<std::vector<std::string>>();
  auto each = std::make_shared<std::vector<std::string>>();
  auto in = builder.stream<std::string, std::string>("in");
  in.peek([seen](const std::string& k, const std::string&) { seen->push_back(k); }).to("out");
  in.foreach ([each](const std::string& v) { each->push_back(v); });
  TopologyTestDriver driver(build_or_die(builder));
  auto input = driver.create_input_topic<std::string, std::string>("in");
  input.pipe_input("a", "1");
  input.pipe_input("b", "2");

  EXPECT_THAT(*seen, ElementsAre("a", "b"));
  EXPECT_THAT(*each, ElementsAre("1", "2"));
  EXPECT_EQ(strings(driver, "out").queue_size(), 2u);
}

TEST(StatelessOperatorsTest, MergeInterleavesBothStreamsInArrivalOrder) {
  StreamsBuilder builder;
  auto a = builder.stream<std::string, std::string>("a");
  auto b = builder.stream<std::string, std::string>("b");
  a.merge(b).to("merged");
  TopologyTestDriver driver(build_or_die(builder));
  auto in_a = driver.create_input_topic<std::string, std::string>("a");
  auto in_b = driver.create_input_topic<std::string, std::string>("b");
  in_a.pipe_input("k", "a1");
  in_b.pipe_input("k", "b1");
  in_a.pipe_input("k", "a2");

  EXPECT_THAT(strings(driver, "merged").read_values_to_list(), ElementsAre("a1", "b1", "a2"));
}

TEST(StatelessOperatorsTest, HeadersAndTimestampsTravelThroughEveryOperator) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .filter([](const std::string&) { return true; })
      .map_values([](const std::string& v) { return v + "!"; })
      .select_key([](const std::string& v) { return v; })
      .map([](const std::string& k, const std::string& v) {
        return KV{k, v};
      })
      .flat_map_values([](const std::string& v) {
        return std::vector<std::string>{v, v};
      })
      .peek([](const std::string&) {})
      .to("out");
  TopologyTestDriver driver(build_or_die(builder));
  Headers headers{{"trace-id", Bytes("abc")}, {"empty", std::nullopt}};
  driver.create_input_topic<std::string, std::string>("in").pipe_input("k", "v", headers, 1234);

  auto records = strings(driver, "out").read_records_to_list();
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_EQ(r.headers, headers);
    EXPECT_EQ(r.timestamp, 1234);
    EXPECT_EQ(r.value, "v!");
  }
}

TEST(StatelessOperatorsTest, ToWithTopicNameFunctionRoutesByContent) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to(
      [](const std::string& k, const std::string&) { return "out." + k; });
  TopologyTestDriver driver(build_or_die(builder));
  auto input = driver.create_input_topic<std::string, std::string>("in");
  input.pipe_input("x", "1");
  input.pipe_input("y", "2");
  input.pipe_input("x", "3");

  EXPECT_THAT(driver.produced_topic_names(), ElementsAre("out.x", "out.y"));
  EXPECT_THAT(strings(driver, "out.x").read_values_to_list(), ElementsAre("1", "3"));
}

TEST(StatelessOperatorsTest, ToWithProducedUsesTheGivenSerdes) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to(
      "out", Produced<std::string, std::string>::with(StringSerde{}, StringSerde{}).as("sink"));
  TopologyTestDriver driver(build_or_die(builder));
  driver.create_input_topic<std::string, std::string>("in").pipe_input("k", "v");
  EXPECT_EQ(strings(driver, "out").read_value(), "v");
}

TEST(StatelessOperatorsTest, NullableKeysAndValuesUseOptional) {
  StreamsBuilder builder;
  builder.stream<std::optional<std::string>, std::optional<std::string>>("in")
      .filter([](const std::optional<std::string>& v) { return !v.has_value(); })
      .to("tombstones");
  TopologyTestDriver driver(build_or_die(builder));
  auto input =
      driver.create_input_topic<std::optional<std::string>, std::optional<std::string>>("in");
  input.pipe_input(std::optional<std::string>("live"));
  input.pipe_input(std::optional<std::string>(), std::optional<std::string>());

  auto out = driver.create_output_topic<std::optional<std::string>, std::optional<std::string>>(
      "tombstones");
  auto record = out.read_record();
  EXPECT_FALSE(record.key.has_value());
  EXPECT_FALSE(record.value.has_value());
  EXPECT_TRUE(out.is_empty());
}

TEST(StatelessOperatorsTest, PrintWritesKafkaStyleLinesToAFile) {
  const std::string path = ::testing::TempDir() + "/print_test.txt";
  std::remove(path.c_str());
  StreamsBuilder builder;
  builder.stream<std::string, std::int64_t>("in").print(
      Printed<std::string, std::int64_t>::to_file(path).with_label("counts"));
  TopologyTestDriver driver(build_or_die(builder));
  auto input = driver.create_input_topic<std::string, std::int64_t>("in");
  input.pipe_input("a", 1);
  input.pipe_input("b", 22);

  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  EXPECT_THAT(lines, ElementsAre("[counts]: a, 1", "[counts]: b, 22"));
}

TEST(StatelessOperatorsTest, EachTaskGetsItsOwnCopyOfCapturedState) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .map_values([n = 0](const std::string& v) mutable { return v + std::to_string(++n); })
      .to("out");
  Topology topology = build_or_die(builder);
  TopologyTestDriver first(topology);
  TopologyTestDriver second(topology);
  first.create_input_topic<std::string, std::string>("in").pipe_input("k", "a");
  first.create_input_topic<std::string, std::string>("in").pipe_input("k", "a");
  second.create_input_topic<std::string, std::string>("in").pipe_input("k", "b");

  EXPECT_THAT(strings(first, "out").read_values_to_list(), ElementsAre("a1", "a2"));
  EXPECT_THAT(strings(second, "out").read_values_to_list(), ElementsAre("b1"));
}

}  // namespace
}  // namespace kstreams

namespace kstreams {
namespace {

using testing::TopologyTestDriver;

TEST(StreamPartitionerTest, ThePartitionerSeesOnePartitionUnderTheDriver) {
  StreamsBuilder builder;
  auto seen = std::make_shared<std::vector<std::int32_t>>();
  builder.stream<std::string, std::string>("in").to(
      "out", Produced<std::string, std::string>{}.with_stream_partitioner(
                 [seen](const std::string&, const std::string&, const std::string&,
                        std::int32_t partitions) -> std::optional<std::int32_t> {
                   seen->push_back(partitions);
                   return 0;
                 }));
  TopologyTestDriver driver(builder.build().value());
  driver.create_input_topic<std::string, std::string>("in").pipe_input("k", "v");
  auto out = driver.create_output_topic<std::string, std::string>("out");
  EXPECT_EQ(out.read_value(), "v");
  EXPECT_THAT(*seen, ::testing::ElementsAre(1));
}

TEST(StreamPartitionerTest, APartitionOutOfRangeIsAProductionError) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to(
      "out",
      Produced<std::string, std::string>{}
          .with_stream_partitioner([](const std::string&, const std::string&, const std::string&,
                                      std::int32_t) -> std::optional<std::int32_t> { return 7; })
          .as("bad-partitioner-sink"));
  TopologyTestDriver driver(builder.build().value());
  auto input = driver.create_input_topic<std::string, std::string>("in");
  try {
    input.pipe_input("k", "v");
    FAIL() << "expected a production error";
  } catch (const StreamsException& e) {
    EXPECT_EQ(e.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(e.status().message(), ::testing::HasSubstr("partition 7 of out"));
    EXPECT_THAT(e.status().message(), ::testing::HasSubstr("bad-partitioner-sink"));
  }
}

}  // namespace
}  // namespace kstreams
