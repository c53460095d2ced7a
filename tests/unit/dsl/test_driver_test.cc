// TopologyTestDriver itself: input/output topic errors, record timestamps (auto-advance, explicit,
// time_point), the list and map helpers, feedback of outputs into source topics, and isolation
// between drivers of the same Topology. Semantics as Kafka's TopologyTestDriver.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
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

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using testing::StatusIs;
using testing::TestRecord;
using testing::TopologyTestDriver;
using namespace std::chrono_literals;
using StringRecord = TestRecord<std::string, std::string>;
using KV = KeyValue<std::string, std::string>;

constexpr std::int64_t kWallClockMs = 1'600'000'000'000;
const std::chrono::system_clock::time_point kWallClock{std::chrono::milliseconds(kWallClockMs)};

std::chrono::system_clock::time_point at_ms(std::int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

Topology pass_through() {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("out");
  return build_or_die(builder);
}

std::vector<std::int64_t> timestamps(const std::vector<StringRecord>& records) {
  std::vector<std::int64_t> out;
  for (const auto& r : records) out.push_back(r.timestamp.value_or(-1));
  return out;
}

TEST(TestDriverTest, CreatingAnInputTopicThatNoSourceReadsFails) {
  TopologyTestDriver driver(pass_through());
  EXPECT_THAT(thrown_status([&] { driver.create_input_topic<std::string, std::string>("nope"); }),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("Unknown topic: nope")));
  // Output topics may be created for any name (Kafka allows dynamic routing).
  auto out = strings(driver, "out");
  EXPECT_TRUE(out.is_empty());
}

TEST(TestDriverTest, ReadingANeverWrittenTopicFailsWithUninitializedTopic) {
  TopologyTestDriver driver(pass_through());
  auto other = strings(driver, "other");
  EXPECT_THAT(thrown_status([&] { other.read_value(); }),
              StatusIs(StatusCode::kNotFound, HasSubstr("Uninitialized topic: other")));
  EXPECT_THAT(thrown_status([&] { other.read_record(); }),
              StatusIs(StatusCode::kNotFound, HasSubstr("Uninitialized topic: other")));
  EXPECT_TRUE(other.is_empty());
  EXPECT_EQ(other.queue_size(), 0u);
  EXPECT_THAT(other.read_values_to_list(), IsEmpty());  // list readers stop at the end
}

TEST(TestDriverTest, ReadingAnEmptiedTopicFailsWithEmptyTopic) {
  TopologyTestDriver driver(pass_through());
  driver.create_input_topic<std::string, std::string>("in").pipe_input("k", "v");
  auto out = strings(driver, "out");
  EXPECT_EQ(out.read_value(), "v");
  EXPECT_THAT(thrown_status([&] { out.read_key_value(); }),
              StatusIs(StatusCode::kNotFound, HasSubstr("Empty topic: out")));
}

TEST(TestDriverTest, RecordsWithoutTimestampGetTheTopicTimeWhichAutoAdvances) {
  TopologyTestDriver driver(pass_through(), {}, kWallClock);
  auto in = driver.create_input_topic<std::string, std::string>("in", at_ms(5000), 100ms);
  in.pipe_input("k", "a");      // 5000
  in.pipe_input("k", "b");      // 5100
  in.pipe_input("k", "c", 42);  // explicit: does not move the topic's time
  in.pipe_input("k", "d");      // 5200
  in.advance_time(1s);          // 6300
  in.pipe_input("k", "e");
  in.pipe_input("k", "f", at_ms(7));  // time_point overload
  EXPECT_THAT(timestamps(strings(driver, "out").read_records_to_list()),
              ElementsAre(5000, 5100, 42, 5200, 6300, 7));
  EXPECT_THAT(thrown_status([&] { in.advance_time(-1ms); }),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("negative")));
}

TEST(TestDriverTest, TheDefaultStartTimeIsTheDriversWallClockWithoutAutoAdvance) {
  TopologyTestDriver driver(pass_through(), {}, kWallClock);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "a");
  in.pipe_input("k", "b");
  driver.advance_wall_clock_time(5s);  // does not move an input topic's time
  in.pipe_input("k", "c");
  EXPECT_THAT(timestamps(strings(driver, "out").read_records_to_list()),
              ElementsAre(kWallClockMs, kWallClockMs, kWallClockMs));
  EXPECT_THAT(thrown_status([&] { driver.advance_wall_clock_time(-1ms); }),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("negative")));
}

TEST(TestDriverTest, PipeRecordListKeepsKeysValuesHeadersAndTimestamps) {
  TopologyTestDriver driver(pass_through(), {}, kWallClock);
  auto in = driver.create_input_topic<std::string, std::string>("in", at_ms(1000), 10ms);
  const std::vector<StringRecord> records = {
      {"k1", "v1", {}, 5},
      {"k2", "v2", {{"h", Bytes("x")}}, std::nullopt},  // topic time: 1000
      {"k3", "v3", {}, std::nullopt},                   // 1010
  };
  in.pipe_record_list(records);
  EXPECT_THAT(strings(driver, "out").read_records_to_list(),
              ElementsAre(StringRecord{"k1", "v1", {}, 5},
                          StringRecord{"k2", "v2", {{"h", Bytes("x")}}, 1000},
                          StringRecord{"k3", "v3", {}, 1010}));
}

TEST(TestDriverTest, PipeKeyValueListWithAndWithoutStartAndAdvance) {
  TopologyTestDriver driver(pass_through(), {}, kWallClock);
  auto in = driver.create_input_topic<std::string, std::string>("in", at_ms(100), 1ms);
  in.pipe_key_value_list({KV{"a", "1"}, KV{"b", "2"}});  // 100, 101
  in.pipe_key_value_list({KV{"c", "3"}, KV{"d", "4"}, KV{"e", "5"}}, at_ms(9000), 500ms);
  in.pipe_input("f", "6");  // 102: unaffected
  const auto records = strings(driver, "out").read_records_to_list();
  EXPECT_THAT(timestamps(records), ElementsAre(100, 101, 9000, 9500, 10000, 102));
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[3].key, "d");
  EXPECT_EQ(records[3].value, "4");
}

TEST(TestDriverTest, PipeValueListAndPipeValueNeedANullableKey) {
  StreamsBuilder builder;
  builder.stream<std::optional<std::string>, std::string>("in").to("out");
  builder.stream<Void, std::string>("void-in").to("void-out");
  TopologyTestDriver driver(build_or_die(builder), {}, kWallClock);
  auto in = driver.create_input_topic<std::optional<std::string>, std::string>("in");
  in.pipe_value_list({"a", "b"});
  in.pipe_input(std::string("c"));
  auto out = driver.create_output_topic<std::optional<std::string>, std::string>("out");
  const auto records = out.read_records_to_list();
  ASSERT_EQ(records.size(), 3u);
  for (const auto& r : records) EXPECT_EQ(r.key, std::nullopt);
  EXPECT_EQ(records[2].value, "c");

  auto void_in = driver.create_input_topic<Void, std::string>("void-in");
  void_in.pipe_input(std::string("x"));
  auto void_out = driver.create_output_topic<Void, std::string>("void-out");
  EXPECT_EQ(void_out.read_value(), "x");
  // And a string-keyed reader sees a null key as a deserialization error.
  void_in.pipe_input(std::string("y"));
  EXPECT_THAT(thrown_status([&] { strings(driver, "void-out").read_record(); }),
              StatusIs(StatusCode::kSerialization, HasSubstr("key")));
}

TEST(TestDriverTest, ReadKeyValuesToMapKeepsTheLastValuePerKey) {
  TopologyTestDriver driver(pass_through());
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_key_value_list({KV{"a", "1"}, KV{"b", "2"}, KV{"a", "3"}, KV{"c", "4"}, KV{"b", "5"}});
  auto out = strings(driver, "out");
  EXPECT_THAT(out.read_key_values_to_map(),
              ElementsAre(Pair("a", "3"), Pair("b", "5"), Pair("c", "4")));
  EXPECT_TRUE(out.is_empty());
}

TEST(TestDriverTest, QueueSizeAndIsEmptyTrackUnreadRecordsSharedByAllReaders) {
  TopologyTestDriver driver(pass_through());
  auto in = driver.create_input_topic<std::string, std::string>("in");
  auto out = strings(driver, "out");
  auto same = strings(driver, "out");
  EXPECT_TRUE(out.is_empty());
  in.pipe_input("k", "1");
  in.pipe_input("k", "2");
  in.pipe_input("k", "3");
  EXPECT_EQ(out.queue_size(), 3u);
  EXPECT_FALSE(out.is_empty());
  EXPECT_EQ(out.read_value(), "1");
  EXPECT_EQ(same.queue_size(), 2u);
  EXPECT_EQ(same.read_key_value(), (KV{"k", "2"}));
  EXPECT_THAT(out.read_key_values_to_list(), ElementsAre(KV{"k", "3"}));
  EXPECT_TRUE(same.is_empty());
}

TEST(TestDriverTest, ProducedTopicNamesListsEveryTopicWrittenSoFar) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::string>("in");
  in.filter([](const std::string& v) { return v == "a"; }).to("only-a");
  in.to("all");
  TopologyTestDriver driver(build_or_die(builder));
  EXPECT_THAT(driver.produced_topic_names(), IsEmpty());
  auto input = driver.create_input_topic<std::string, std::string>("in");
  input.pipe_input("k", "b");
  EXPECT_THAT(driver.produced_topic_names(), ElementsAre("all"));
  input.pipe_input("k", "a");
  EXPECT_THAT(driver.produced_topic_names(), ElementsAre("all", "only-a"));
}

TEST(TestDriverTest, OutputWrittenToASourceTopicIsFedBackAndProcessed) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .map_values([](const std::string& v) { return v + "+1"; })
      .to("middle");
  builder.stream<std::string, std::string>("middle")
      .map_values([](const std::string& v) { return v + "+2"; })
      .to("out");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "x", 77);
  in.pipe_input("k", "y", 78);
  auto out = strings(driver, "out");
  // Fully processed before pipe_input returns, timestamps kept.
  EXPECT_THAT(out.read_records_to_list(),
              ElementsAre(StringRecord{"k", "x+1+2", {}, 77}, StringRecord{"k", "y+1+2", {}, 78}));
  // The intermediate topic can be read too.
  EXPECT_THAT(strings(driver, "middle").read_values_to_list(), ElementsAre("x+1", "y+1"));
  EXPECT_EQ(driver.metrics().records_processed, 4u);
}

TEST(TestDriverTest, ATopologyWritingToItsOwnInputFailsInsteadOfHanging) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("loop").to("loop");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("loop");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(thrown_status([&] { in.pipe_input("k", "v"); }),
              StatusIs(StatusCode::kIllegalState,
                       AllOf(HasSubstr("fed back"), HasSubstr("own input topic"))));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

TEST(TestDriverTest, BytesTheOutputSerdeCannotReadAreASerializationError) {
  TopologyTestDriver driver(pass_through());
  driver.create_input_topic<std::string, std::string>("in").pipe_input("key", "abc");
  auto as_long = driver.create_output_topic<std::string, std::int64_t>("out");
  EXPECT_THAT(thrown_status([&] { as_long.read_value(); }),
              StatusIs(StatusCode::kSerialization, HasSubstr("read value of out")));

  driver.create_input_topic<std::string, std::string>("in").pipe_input("key", "12345678");
  auto long_keys = driver.create_output_topic<std::int64_t, std::string>("out");
  EXPECT_THAT(thrown_status([&] { long_keys.read_value(); }),
              StatusIs(StatusCode::kSerialization, HasSubstr("read key of out")));
}

TEST(TestDriverTest, DriversOfTheSameTopologyAreIndependent) {
  const Topology topology = pass_through();
  TopologyTestDriver first(topology, {}, at_ms(1000));
  TopologyTestDriver second(topology, {}, at_ms(2000));
  auto in1 = first.create_input_topic<std::string, std::string>("in");
  auto in2 = second.create_input_topic<std::string, std::string>("in");
  in1.pipe_input("k", "a");
  in1.pipe_input("k", "b");
  in2.pipe_input("k", "c");
  EXPECT_THAT(strings(first, "out").read_values_to_list(), ElementsAre("a", "b"));
  auto second_out = strings(second, "out").read_records_to_list();
  EXPECT_THAT(second_out, ElementsAre(StringRecord{"k", "c", {}, 2000}));
  EXPECT_EQ(first.metrics().records_processed, 2u);
  EXPECT_EQ(second.metrics().records_processed, 1u);
  first.advance_wall_clock_time(1s);
  in2.pipe_input("k", "d");
  EXPECT_EQ(strings(second, "out").read_record().timestamp, 2000);
}

TEST(TestDriverTest, ExplicitSerdesOnInputAndOutputTopics) {
  StreamsBuilder builder;
  builder.stream<std::string, std::int64_t>("in").to("out");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::int64_t>("in", StringSerde{}, LongSerde{});
  in.pipe_input("k", 1234567890123);
  auto raw = driver.create_output_topic<std::string, std::vector<std::byte>>("out", StringSerde{},
                                                                             ByteArraySerde{});
  const std::vector<std::byte> bytes = raw.read_value();
  ASSERT_EQ(bytes.size(), 8u);  // big-endian int64, as Kafka's LongSerializer
  EXPECT_EQ(bytes[0], std::byte{0x00});
  EXPECT_EQ(bytes[7], std::byte{0xCB});
}

}  // namespace
}  // namespace kstreams
