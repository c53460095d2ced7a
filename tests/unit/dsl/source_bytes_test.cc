// With sink.forwards.source.bytes, a value that no operator replaced is written by its sink as
// the very bytes its source read, when both serdes are of one stateless type that declares
// `kRoundTrips`; anything else is serialized again. Observed through a serde whose writes are
// canonical ("007" reads as 7, which is written "7"), so a forwarded value keeps its original
// spelling.
#include <charconv>
#include <cstdint>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kstreams.h>
#include <kstreams/testing/topology_test_driver.h>

#include "kstreams/test_matchers.h"
#include "tests/unit/dsl/dsl_test_util.h"

namespace kstreams {
namespace {

using dsl_testing::build_or_die;
using dsl_testing::strings;
using ::testing::ElementsAre;
using testing::TopologyTestDriver;

/// An int64 as decimal text. Any spelling reads ("007" is 7); writes are canonical ("7"), which
/// reads back as the same number: the serde round-trips.
struct DecimalSerde {
  static constexpr bool kRoundTrips = true;
  Status serialize(const std::int64_t& value, Bytes& out) const {
    out += std::to_string(value);
    return {};
  }
  Result<std::int64_t> deserialize(ByteView bytes) const {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), value);
    if (error != std::errc() || end != bytes.data() + bytes.size()) {
      return serialization_error("decimal: not a number");
    }
    return value;
  }
  static std::string name() { return "decimal"; }
};

/// The same encoding under another type: not declared interchangeable with DecimalSerde.
struct OtherDecimalSerde : DecimalSerde {};

/// The same encoding, declared round-tripping, but with state: never trusted to forward.
struct ConfiguredDecimalSerde : DecimalSerde {
  int radix = 10;
};

Consumed<std::string, std::int64_t> decimals() {
  return Consumed<std::string, std::int64_t>::with(StringSerde{}, DecimalSerde{});
}

template <class S>
Produced<std::string, std::int64_t> written_with(S serde) {
  return Produced<std::string, std::int64_t>::with(StringSerde{}, serde);
}

/// The driver's config: sink.forwards.source.bytes as the test says.
StreamsConfig forwarding(bool on) {
  StreamsConfig config;
  config.sink_forwards_source_bytes = on;
  return config;
}

/// Pipes `spellings` as raw text into "in" and returns what `topic` received, as raw text.
std::vector<std::string> pipe(TopologyTestDriver& driver, const std::vector<std::string>& spellings,
                              const std::string& topic) {
  auto input = driver.create_input_topic<std::string, std::string>("in");
  for (const std::string& text : spellings) input.pipe_input("k", text);
  return strings(driver, topic).read_values_to_list();
}

TEST(SourceBytesTest, FilterAndSplitPassTheBytesTheSourceRead) {
  StreamsBuilder builder;
  auto [small, large] = builder.stream<std::string, std::int64_t>("in", decimals())
                            .filter([](const std::int64_t& v) { return v >= 0; })
                            .peek([](const std::int64_t&) {})
                            .split()
                            .branch([](const std::int64_t& v) { return v < 100; }, "small")
                            .default_branch("large");
  small.to("small", written_with(DecimalSerde{}));
  large.to("large", written_with(DecimalSerde{}));
  TopologyTestDriver driver(build_or_die(builder), forwarding(true));

  EXPECT_THAT(pipe(driver, {"007", "05", "0100", "-3"}, "small"), ElementsAre("007", "05"));
  EXPECT_THAT(strings(driver, "large").read_values_to_list(), ElementsAre("0100"));
}

TEST(SourceBytesTest, OffByDefaultEveryValueIsSerializedAsKafkaStreamsDoes) {
  StreamsBuilder builder;
  builder.stream<std::string, std::int64_t>("in", decimals())
      .filter([](const std::int64_t&) { return true; })
      .to("out", written_with(DecimalSerde{}));
  TopologyTestDriver driver(build_or_die(builder));

  EXPECT_THAT(pipe(driver, {"007"}, "out"), ElementsAre("7"));
}

TEST(SourceBytesTest, ThePropertyIsABoolean) {
  Result<StreamsConfig> on = StreamsConfig::from_properties(
      {{"application.id", "app"}, {"sink.forwards.source.bytes", "true"}});
  ASSERT_OK(on.status());
  EXPECT_TRUE(on->sink_forwards_source_bytes);
  EXPECT_FALSE(StreamsConfig().sink_forwards_source_bytes);
  EXPECT_THAT(StreamsConfig::from_properties(
                  {{"application.id", "app"}, {"sink.forwards.source.bytes", "yes"}}),
              testing::StatusIs(StatusCode::kInvalidArgument,
                                ::testing::HasSubstr("sink.forwards.source.bytes")));
}

TEST(SourceBytesTest, AValueAnOperatorProducedIsSerializedAgain) {
  StreamsBuilder builder;
  builder.stream<std::string, std::int64_t>("in", decimals())
      .map_values([](const std::int64_t& v) { return v; })
      .to("out", written_with(DecimalSerde{}));
  TopologyTestDriver driver(build_or_die(builder), forwarding(true));

  EXPECT_THAT(pipe(driver, {"007", "42"}, "out"), ElementsAre("7", "42"));
}

TEST(SourceBytesTest, AnotherSerdeTypeOrAStatefulSerdeSerializesAgain) {
  StreamsBuilder builder;
  auto in = builder.stream<std::string, std::int64_t>("in", decimals());
  in.to("other", written_with(OtherDecimalSerde{}));
  in.to("configured", written_with(ConfiguredDecimalSerde{}));
  TopologyTestDriver driver(build_or_die(builder), forwarding(true));

  EXPECT_THAT(pipe(driver, {"007"}, "other"), ElementsAre("7"));
  EXPECT_THAT(strings(driver, "configured").read_values_to_list(), ElementsAre("7"));
}

TEST(SourceBytesTest, AProcessorThatForwardsTheRecordItWasGivenSerializesAgain) {
  // A Processor gets its own Record (moved from the source's), so even a processor that
  // forwards what it got unchanged hands the sink another object.
  class Forward final : public Processor<std::string, std::int64_t, std::string, std::int64_t> {
   public:
    void init(ProcessorContext<std::string, std::int64_t>& context) override {
      context_ = &context;
    }
    void process(Record<std::string, std::int64_t> record) override {
      record.value += 1;
      context_->forward(std::move(record));
    }

   private:
    ProcessorContext<std::string, std::int64_t>* context_ = nullptr;
  };
  StreamsBuilder builder;
  builder.stream<std::string, std::int64_t>("in", decimals())
      .process([] { return std::make_unique<Forward>(); })
      .to("out", written_with(DecimalSerde{}));
  TopologyTestDriver driver(build_or_die(builder), forwarding(true));

  EXPECT_THAT(pipe(driver, {"007"}, "out"), ElementsAre("8"));
}

TEST(SourceBytesTest, RoundTripKeysMatchOnlyForOneStatelessDeclaringType) {
  EXPECT_NE(Serde<std::int64_t>(DecimalSerde{}).round_trip_key(), nullptr);
  EXPECT_EQ(Serde<std::int64_t>(DecimalSerde{}).round_trip_key(),
            Serde<std::int64_t>(DecimalSerde{}).round_trip_key());
  EXPECT_NE(Serde<std::int64_t>(OtherDecimalSerde{}).round_trip_key(),
            Serde<std::int64_t>(DecimalSerde{}).round_trip_key());
  EXPECT_EQ(Serde<std::int64_t>(ConfiguredDecimalSerde{}).round_trip_key(), nullptr);
  EXPECT_EQ(default_serde<std::int64_t>().round_trip_key(), nullptr);  // not declared
  EXPECT_NE(default_serde<std::string>().round_trip_key(), nullptr);
  EXPECT_EQ(Serde<std::string>().round_trip_key(), nullptr);  // empty serde
}

}  // namespace
}  // namespace kstreams
