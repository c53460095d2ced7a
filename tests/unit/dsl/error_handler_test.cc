// Error handling: deserialization, processing and production errors with the built-in handlers
// (fail, continue, dead letter) and custom ones, the dead-letter record's bytes and headers, and
// the config validation that requires a dead-letter topic.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
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
using testing::IsOk;
using ::testing::Pair;
using ::testing::StartsWith;
using testing::StatusIs;
using testing::TopologyTestDriver;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

constexpr std::int64_t kWallClockMs = 1'700'000'000'000;
const std::chrono::system_clock::time_point kWallClock{std::chrono::milliseconds(kWallClockMs)};

HeaderList header_list(const Headers& headers) {
  HeaderList out;
  for (const Header& h : headers) out.emplace_back(h.key, h.value ? *h.value : "<null>");
  return out;
}

// Runs `f`, which must throw StreamsException; returns its Status.
// ---- deserialization -------------------------------------------------------------------------

// "in" holds int64 values; the tests pipe strings of the wrong length to make it fail.
Topology int64_doubler() {
  StreamsBuilder builder;
  builder.stream<std::string, std::int64_t>("in")
      .map_values([](const std::int64_t& v) { return v * 2; })
      .to("out");
  return build_or_die(builder);
}

// Pipes raw bytes to "in": good int64 8-byte values or arbitrary strings.
struct RawInput {
  explicit RawInput(TopologyTestDriver& driver)
      : good(driver.create_input_topic<std::string, std::int64_t>("in")),
        bad(driver.create_input_topic<std::string, std::string>("in")) {}
  testing::TestInputTopic<std::string, std::int64_t> good;
  testing::TestInputTopic<std::string, std::string> bad;
};

TEST(DeserializationErrorTest, DefaultHandlerFailsNamingTopicPartitionOffsetAndSource) {
  TopologyTestDriver driver(int64_doubler());
  RawInput in(driver);
  in.good.pipe_input("k", 21);
  const Status status = thrown_status([&] { in.bad.pipe_input("k", "abc"); });
  EXPECT_THAT(status, StatusIs(StatusCode::kSerialization,
                               AllOf(HasSubstr("in-0@1"), HasSubstr("KSTREAM-SOURCE-0000000000"),
                                     HasSubstr("value"), HasSubstr("deserialization"))));
  auto out = driver.create_output_topic<std::string, std::int64_t>("out");
  EXPECT_THAT(out.read_values_to_list(), ElementsAre(42));
}

TEST(DeserializationErrorTest, KeyErrorsSayKey) {
  StreamsBuilder builder;
  builder.stream<std::int64_t, std::string>("in").to("out");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  EXPECT_THAT(thrown_status([&] { in.pipe_input("not-a-long", "v"); }),
              StatusIs(StatusCode::kSerialization, AllOf(HasSubstr("key"), HasSubstr("in-0@0"))));
}

TEST(DeserializationErrorTest, NullValueForANonOptionalTypeIsADeserializationError) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("out");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::optional<std::string>, std::optional<std::string>>("in");
  EXPECT_THAT(thrown_status([&] {
                in.pipe_input(std::optional<std::string>("k"), std::optional<std::string>());
              }),
              StatusIs(StatusCode::kSerialization, HasSubstr("null")));
}

TEST(DeserializationErrorTest, LogAndContinueSkipsTheRecordAndCountsIt) {
  StreamsConfig config;
  config.default_deserialization_exception_handler = error_handlers::log_and_continue();
  TopologyTestDriver driver(int64_doubler(), config);
  RawInput in(driver);
  in.good.pipe_input("a", 1);
  in.bad.pipe_input("b", "xyz");
  in.bad.pipe_input("c", "");
  in.good.pipe_input("d", 4);

  auto out = driver.create_output_topic<std::string, std::int64_t>("out");
  EXPECT_THAT(out.read_values_to_list(), ElementsAre(2, 8));
  const ProcessingMetrics metrics = driver.metrics();
  EXPECT_EQ(metrics.records_processed, 4u);
  EXPECT_EQ(metrics.records_skipped, 2u);
  EXPECT_EQ(metrics.records_produced, 2u);
  EXPECT_EQ(metrics.records_dead_lettered, 0u);
}

/// Records the stream time each record is processed at.
class StreamTimeRecorder final : public Processor<std::string, std::int64_t> {
 public:
  explicit StreamTimeRecorder(std::shared_ptr<std::vector<std::int64_t>> seen)
      : seen_(std::move(seen)) {}
  void init(ProcessorContext<Void, Void>& context) override { context_ = &context; }
  void process(Record<std::string, std::int64_t>) override {
    seen_->push_back(context_->current_stream_time_ms());
  }

 private:
  std::shared_ptr<std::vector<std::int64_t>> seen_;
  ProcessorContext<Void, Void>* context_ = nullptr;
};

// Kafka's RecordQueue drops undeserializable records before their timestamp is extracted, so a
// skipped record never moves stream time (nor fires stream-time punctuators).
TEST(DeserializationErrorTest, SkippedRecordsDoNotAdvanceStreamTime) {
  auto seen = std::make_shared<std::vector<std::int64_t>>();
  StreamsBuilder builder;
  builder.stream<std::string, std::int64_t>("in").process(
      [seen] { return std::make_unique<StreamTimeRecorder>(seen); });
  StreamsConfig config;
  config.default_deserialization_exception_handler = error_handlers::log_and_continue();
  TopologyTestDriver driver(build_or_die(builder), config);
  RawInput in(driver);
  in.good.pipe_input("a", 1, 100);
  in.bad.pipe_input("b", "corrupt", 5000);
  in.good.pipe_input("c", 3, 200);
  EXPECT_THAT(*seen, ElementsAre(100, 200));
  EXPECT_EQ(driver.metrics().records_skipped, 1u);
}

TEST(DeserializationErrorTest, DeadLetterSendsTheOriginalBytesWithErrorHeaders) {
  StreamsConfig config;
  config.default_deserialization_exception_handler = error_handlers::dead_letter();
  config.errors_dead_letter_queue_topic_name = "in.dlq";
  TopologyTestDriver driver(int64_doubler(), config, kWallClock);
  RawInput in(driver);
  in.good.pipe_input("a", 1);
  in.bad.pipe_input("key-b", "not-eight", Headers{{"trace-id", Bytes("t-1")}}, 777);
  in.good.pipe_input("c", 3);

  auto out = driver.create_output_topic<std::string, std::int64_t>("out");
  EXPECT_THAT(out.read_values_to_list(), ElementsAre(2, 6));  // the stream went on

  auto dlq = strings(driver, "in.dlq");
  ASSERT_EQ(dlq.queue_size(), 1u);
  const auto record = dlq.read_record();
  EXPECT_EQ(record.key, "key-b");        // original key bytes
  EXPECT_EQ(record.value, "not-eight");  // original value bytes
  EXPECT_EQ(record.timestamp, 777);
  const HeaderList headers = header_list(record.headers);
  ASSERT_EQ(headers.size(), 8u);
  EXPECT_THAT(headers[0], Pair("trace-id", "t-1"));  // original headers first
  EXPECT_THAT(headers[1], Pair("__streams.errors.exception", "kstreams::SerializationException"));
  EXPECT_THAT(headers[2], Pair("__streams.errors.message",
                               AllOf(StartsWith("serialization: value"), HasSubstr("int64"))));
  EXPECT_THAT(headers[3], Pair("__streams.errors.topic", "in"));
  EXPECT_THAT(headers[4], Pair("__streams.errors.partition", "0"));
  EXPECT_THAT(headers[5], Pair("__streams.errors.offset", "1"));
  EXPECT_THAT(headers[6], Pair("__streams.errors.node", "KSTREAM-SOURCE-0000000000"));
  EXPECT_THAT(headers[7], Pair("__streams.errors.time", std::to_string(kWallClockMs)));
  EXPECT_EQ(record.headers.last_value(kDlqHeaderOffset), "1");

  EXPECT_THAT(driver.produced_topic_names(), ElementsAre("in.dlq", "out"));
  EXPECT_EQ(driver.metrics().records_dead_lettered, 1u);
  EXPECT_EQ(driver.metrics().records_produced, 3u);  // two outputs and one dead letter
}

TEST(DeserializationErrorTest, DeadLetterKeepsNullsAsNulls) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to("out");
  StreamsConfig config;
  config.default_deserialization_exception_handler = error_handlers::dead_letter();
  config.errors_dead_letter_queue_topic_name = "dlq";
  TopologyTestDriver driver(build_or_die(builder), config);
  auto in = driver.create_input_topic<std::optional<std::string>, std::optional<std::string>>("in");
  in.pipe_input(std::optional<std::string>("k"), std::optional<std::string>());
  auto dlq =
      driver.create_output_topic<std::optional<std::string>, std::optional<std::string>>("dlq");
  const auto record = dlq.read_record();
  EXPECT_EQ(record.key, std::optional<std::string>("k"));
  EXPECT_EQ(record.value, std::nullopt);
}

// ---- processing ------------------------------------------------------------------------------

Topology throwing_mapper() {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .map_values(
          [](const std::string& v) -> std::string {
            if (v == "bad") throw std::runtime_error("cannot map '" + v + "'");
            return v + "!";
          },
          "mapper")
      .to("out");
  return build_or_die(builder);
}

TEST(ProcessingErrorTest, DefaultHandlerFailsWithTheExceptionAndWhereItHappened) {
  TopologyTestDriver driver(throwing_mapper());
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "ok");
  EXPECT_THAT(thrown_status([&] { in.pipe_input("k", "bad"); }),
              StatusIs(StatusCode::kProcessing,
                       AllOf(HasSubstr("'mapper'"), HasSubstr("in-0@1"),
                             HasSubstr("std::runtime_error"), HasSubstr("cannot map 'bad'"))));
  EXPECT_THAT(strings(driver, "out").read_values_to_list(), ElementsAre("ok!"));
}

TEST(ProcessingErrorTest, LogAndContinueSkipsAndGoesOn) {
  StreamsConfig config;
  config.processing_exception_handler = error_handlers::log_and_continue();
  TopologyTestDriver driver(throwing_mapper(), config);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "a");
  in.pipe_input("k", "bad");
  in.pipe_input("k", "b");
  EXPECT_THAT(strings(driver, "out").read_values_to_list(), ElementsAre("a!", "b!"));
  EXPECT_EQ(driver.metrics().records_skipped, 1u);
}

TEST(ProcessingErrorTest, DeadLetterSendsTheInputRecordWithTheExceptionClass) {
  StreamsConfig config;
  config.processing_exception_handler = error_handlers::dead_letter();
  config.errors_dead_letter_queue_topic_name = "dlq";
  TopologyTestDriver driver(throwing_mapper(), config, kWallClock);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k1", "a", 10);
  in.pipe_input("k2", "bad", Headers{{"h", std::nullopt}}, 20);
  in.pipe_input("k3", "b", 30);

  EXPECT_THAT(strings(driver, "out").read_values_to_list(), ElementsAre("a!", "b!"));
  auto dlq = strings(driver, "dlq");
  ASSERT_EQ(dlq.queue_size(), 1u);
  const auto record = dlq.read_record();
  EXPECT_EQ(record.key, "k2");
  EXPECT_EQ(record.value, "bad");
  EXPECT_EQ(record.timestamp, 20);
  EXPECT_THAT(
      header_list(record.headers),
      ElementsAre(Pair("h", "<null>"), Pair("__streams.errors.exception", "std::runtime_error"),
                  Pair("__streams.errors.message", HasSubstr("cannot map 'bad'")),
                  Pair("__streams.errors.topic", "in"), Pair("__streams.errors.partition", "0"),
                  Pair("__streams.errors.offset", "1"), Pair("__streams.errors.node", "mapper"),
                  Pair("__streams.errors.time", std::to_string(kWallClockMs))));
}

TEST(ProcessingErrorTest, NonStandardExceptionsAreHandledToo) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").peek([](const std::string&) { throw 42; },
                                                      "thrower");
  TopologyTestDriver driver(build_or_die(builder));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  EXPECT_THAT(thrown_status([&] { in.pipe_input("k", "v"); }),
              StatusIs(StatusCode::kProcessing, AllOf(HasSubstr("'thrower'"), HasSubstr("int"))));
}

struct SeenError {
  ErrorKind kind;
  std::string node;
  std::string topic;
  std::int32_t partition;
  std::int64_t offset;
  std::int64_t timestamp;
  StatusCode code;
  std::string message;
};

TEST(ProcessingErrorTest, ACustomHandlerSeesTheErrorContext) {
  auto seen = std::make_shared<std::vector<SeenError>>();
  auto recorder = [seen](ErrorAction action) {
    return [seen, action](const ErrorContext& ctx) {
      seen->push_back(SeenError{ctx.kind, std::string(ctx.node), std::string(ctx.topic),
                                ctx.partition, ctx.offset, ctx.timestamp, ctx.error->code(),
                                ctx.error->message()});
      return action;
    };
  };
  StreamsConfig config;
  config.processing_exception_handler = recorder(ErrorAction::kContinue);
  config.default_deserialization_exception_handler = recorder(ErrorAction::kContinue);
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("strings").to("out");
  builder
      .stream<std::string, std::int64_t>("longs",
                                         Consumed<std::string, std::int64_t>::as_name("longs-src"))
      .filter(
          [](const std::int64_t& v) -> bool {
            if (v < 0) throw std::invalid_argument("negative");
            return true;
          },
          "non-negative")
      .to("longs-out");
  TopologyTestDriver driver(build_or_die(builder), config);
  auto strings_in = driver.create_input_topic<std::string, std::string>("strings");
  auto longs_in = driver.create_input_topic<std::string, std::int64_t>("longs");
  auto bad_longs_in = driver.create_input_topic<std::string, std::string>("longs");
  strings_in.pipe_input("s", "x", 5);       // "strings" offset 0
  longs_in.pipe_input("a", 1, 100);         // "longs" offset 0
  longs_in.pipe_input("b", -1, 200);        // "longs" offset 1: processing error
  bad_longs_in.pipe_input("c", "??", 300);  // "longs" offset 2: deserialization error

  ASSERT_EQ(seen->size(), 2u);
  const SeenError& processing = (*seen)[0];
  EXPECT_EQ(processing.kind, ErrorKind::kProcessing);
  EXPECT_EQ(processing.node, "non-negative");
  EXPECT_EQ(processing.topic, "longs");
  EXPECT_EQ(processing.partition, 0);
  EXPECT_EQ(processing.offset, 1);
  EXPECT_EQ(processing.timestamp, 200);
  EXPECT_EQ(processing.code, StatusCode::kProcessing);
  EXPECT_THAT(processing.message, AllOf(HasSubstr("std::invalid_argument"), HasSubstr("negative")));

  const SeenError& deserialization = (*seen)[1];
  EXPECT_EQ(deserialization.kind, ErrorKind::kDeserialization);
  EXPECT_EQ(deserialization.node, "longs-src");
  EXPECT_EQ(deserialization.topic, "longs");
  EXPECT_EQ(deserialization.offset, 2);
  EXPECT_EQ(deserialization.timestamp, 300);
  EXPECT_EQ(deserialization.code, StatusCode::kSerialization);

  auto longs_out = driver.create_output_topic<std::string, std::int64_t>("longs-out");
  EXPECT_THAT(longs_out.read_values_to_list(), ElementsAre(1));
  EXPECT_EQ(driver.metrics().records_skipped, 2u);
}

TEST(ProcessingErrorTest, AHandlerAnsweringDeadLetterWithoutATopicFailsAtRuntime) {
  StreamsConfig config;  // A custom handler: validate() cannot know it answers kDeadLetter.
  config.processing_exception_handler = [](const ErrorContext&) {
    return ErrorAction::kDeadLetter;
  };
  ASSERT_THAT(config.validate(), IsOk());
  TopologyTestDriver driver(throwing_mapper(), config);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  EXPECT_THAT(thrown_status([&] { in.pipe_input("k", "bad"); }),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("errors.dead.letter.queue.topic.name is not set")));
}

TEST(ProcessingErrorTest, AHandlerThatThrowsIsFatal) {
  StreamsConfig config;
  config.processing_exception_handler = [](const ErrorContext&) -> ErrorAction {
    throw std::logic_error("handler bug");
  };
  TopologyTestDriver driver(throwing_mapper(), config);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  EXPECT_THAT(thrown_status([&] { in.pipe_input("k", "bad"); }),
              StatusIs(StatusCode::kFatal, AllOf(HasSubstr("processing exception handler threw"),
                                                 HasSubstr("handler bug"))));
}

// ---- production ------------------------------------------------------------------------------

/// Writes strings, except "poison", which it refuses.
struct PickyStringSerde {
  Status serialize(const std::string& value, Bytes& out) const {
    if (value == "poison") return serialization_error("refusing to write '" + value + "'");
    out = value;
    return {};
  }
  Result<std::string> deserialize(ByteView bytes) const { return std::string(bytes); }
};

Topology picky_sink() {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").to(
      "out",
      Produced<std::string, std::string>::with(StringSerde{}, PickyStringSerde{}).as("picky"));
  return build_or_die(builder);
}

TEST(ProductionErrorTest, DefaultHandlerFailsNamingTheSink) {
  TopologyTestDriver driver(picky_sink());
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "fine");
  EXPECT_THAT(thrown_status([&] { in.pipe_input("k", "poison"); }),
              StatusIs(StatusCode::kSerialization,
                       AllOf(HasSubstr("production error in 'picky'"), HasSubstr("in-0@1"),
                             HasSubstr("refusing to write 'poison'"))));
  EXPECT_THAT(strings(driver, "out").read_values_to_list(), ElementsAre("fine"));
}

TEST(ProductionErrorTest, ACustomProductionHandlerDecides) {
  auto kinds = std::make_shared<std::vector<std::pair<ErrorKind, std::string>>>();
  StreamsConfig config;
  config.default_production_exception_handler = [kinds](const ErrorContext& ctx) {
    kinds->emplace_back(ctx.kind, std::string(ctx.node));
    return ErrorAction::kContinue;
  };
  TopologyTestDriver driver(picky_sink(), config);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "a");
  in.pipe_input("k", "poison");
  in.pipe_input("k", "b");
  EXPECT_THAT(*kinds, ElementsAre(Pair(ErrorKind::kProduction, "picky")));
  EXPECT_THAT(strings(driver, "out").read_values_to_list(), ElementsAre("a", "b"));
  EXPECT_EQ(driver.metrics().records_skipped, 1u);
}

TEST(ProductionErrorTest, DeadLetterSendsTheInputRecord) {
  StreamsConfig config;
  config.default_production_exception_handler = error_handlers::dead_letter();
  config.errors_dead_letter_queue_topic_name = "dlq";
  TopologyTestDriver driver(picky_sink(), config);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "poison");
  in.pipe_input("k", "ok");
  auto dlq = strings(driver, "dlq");
  const auto record = dlq.read_record();
  EXPECT_EQ(record.value, "poison");
  EXPECT_EQ(record.headers.last_value(kDlqHeaderNode), "picky");
  EXPECT_EQ(record.headers.last_value(kDlqHeaderException), "kstreams::SerializationException");
  EXPECT_THAT(strings(driver, "out").read_values_to_list(), ElementsAre("ok"));
}

// ---- config validation -----------------------------------------------------------------------

TEST(StreamsConfigValidationTest, DeadLetterHandlerRequiresADeadLetterTopic) {
  for (int which = 0; which < 3; ++which) {
    StreamsConfig config;
    ErrorHandler* handler = which == 0   ? &config.default_deserialization_exception_handler
                            : which == 1 ? &config.processing_exception_handler
                                         : &config.default_production_exception_handler;
    *handler = error_handlers::dead_letter();
    EXPECT_THAT(config.validate(), StatusIs(StatusCode::kInvalidArgument,
                                            HasSubstr("errors.dead.letter.queue.topic.name")))
        << "handler " << which;
    config.errors_dead_letter_queue_topic_name = "dlq";
    EXPECT_THAT(config.validate(), IsOk()) << "handler " << which;
  }
}

TEST(StreamsConfigValidationTest, TheDriverConstructorThrowsTheValidationError) {
  StreamsConfig config;
  config.default_deserialization_exception_handler = error_handlers::dead_letter();
  const Topology topology = int64_doubler();
  EXPECT_THAT(
      thrown_status([&] { TopologyTestDriver driver(topology, config); }),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("errors.dead.letter.queue.topic.name")));
}

TEST(StreamsConfigValidationTest, EmptyHandlersAreRejectedByName) {
  StreamsConfig config;
  config.processing_exception_handler = nullptr;
  EXPECT_THAT(config.validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("processing.exception.handler")));
  StreamsConfig config2;
  config2.default_deserialization_exception_handler = nullptr;
  EXPECT_THAT(config2.validate(), StatusIs(StatusCode::kInvalidArgument,
                                           HasSubstr("default.deserialization.exception.handler")));
  StreamsConfig config3;
  config3.default_production_exception_handler = nullptr;
  EXPECT_THAT(config3.validate(), StatusIs(StatusCode::kInvalidArgument,
                                           HasSubstr("default.production.exception.handler")));
}

TEST(StreamsConfigValidationTest, DefaultsAreValidAndFailFast) {
  StreamsConfig config;
  EXPECT_THAT(config.validate(), IsOk());
  ErrorContext ctx;
  Status error = serialization_error("x");
  ctx.error = &error;
  EXPECT_EQ(config.default_deserialization_exception_handler(ctx), ErrorAction::kFail);
  EXPECT_EQ(config.processing_exception_handler(ctx), ErrorAction::kFail);
  EXPECT_EQ(config.default_production_exception_handler(ctx), ErrorAction::kFail);
  EXPECT_EQ(error_handlers::log_and_continue()(ctx), ErrorAction::kContinue);
  EXPECT_EQ(error_handlers::dead_letter()(ctx), ErrorAction::kDeadLetter);
  EXPECT_EQ(to_string(ErrorKind::kDeserialization), "deserialization");
  EXPECT_EQ(to_string(ErrorKind::kProcessing), "processing");
  EXPECT_EQ(to_string(ErrorKind::kProduction), "production");
}

}  // namespace
}  // namespace kstreams
