// The Processor API: forwarding (to all children or one), record metadata, stream-time and
// wall-clock punctuation with Kafka Streams' scheduling rules, cancellation, lifecycle.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
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
using testing::StatusIs;
using testing::TestRecord;
using testing::TopologyTestDriver;
using namespace std::chrono_literals;

constexpr std::int64_t kWallClockMs = 1'000'000;
const std::chrono::system_clock::time_point kWallClock{std::chrono::milliseconds(kWallClockMs)};

/// Upper-cases values and appends the length, changing the value type.
class Shout final : public Processor<std::string, std::string, std::string, std::int64_t> {
 public:
  void init(ProcessorContext<std::string, std::int64_t>& context) override { context_ = &context; }
  void process(Record<std::string, std::string> record) override {
    auto size = static_cast<std::int64_t>(record.value.size());
    context_->forward(std::move(record).with_value(size));
    context_->forward(Record<std::string, std::int64_t>{"extra", -1, 5, {}});
  }

 private:
  ProcessorContext<std::string, std::int64_t>* context_ = nullptr;
};

/// Keeps every record it is given, moved out of the stream, and forwards nothing.
class Keeper final : public Processor<std::string, std::string> {
 public:
  explicit Keeper(std::shared_ptr<std::vector<Record<std::string, std::string>>> kept)
      : kept_(std::move(kept)) {}
  void process(Record<std::string, std::string> record) override {
    kept_->push_back(std::move(record));
  }

 private:
  std::shared_ptr<std::vector<Record<std::string, std::string>>> kept_;
};

TEST(ProcessorApiTest, EachRecordIsReadWholeWhateverTheRecordBeforeItWasOrBecame) {
  // A source reads every record into storage it reuses. Neither what the previous record held
  // (a longer key or value, headers) nor a processor that moved it away may leak into the next.
  StreamsBuilder builder;
  auto kept = std::make_shared<std::vector<Record<std::string, std::string>>>();
  auto in = builder.stream<std::string, std::string>("in");
  in.to("out");
  in.process([kept] { return std::make_unique<Keeper>(kept); });
  TopologyTestDriver driver(build_or_die(builder));
  auto input = driver.create_input_topic<std::string, std::string>("in");
  const Headers traced{{"trace-id", Bytes("abc")}};
  input.pipe_input("a-rather-long-key", "a value longer than the next one", traced, 10);
  input.pipe_input("k", "v", Headers{}, 11);
  input.pipe_input("", "", Headers{}, 12);

  auto out = strings(driver, "out").read_records_to_list();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].key, "a-rather-long-key");
  EXPECT_EQ(out[0].headers, traced);
  EXPECT_EQ(out[1].key, "k");
  EXPECT_EQ(out[1].value, "v");
  EXPECT_TRUE(out[1].headers.empty());
  EXPECT_EQ(out[1].timestamp, 11);
  EXPECT_EQ(out[2].key, "");
  EXPECT_EQ(out[2].value, "");
  ASSERT_EQ(kept->size(), 3u);
  EXPECT_EQ((*kept)[0], (Record<std::string, std::string>{
                            "a-rather-long-key", "a value longer than the next one", 10, traced}));
  EXPECT_EQ((*kept)[1], (Record<std::string, std::string>{"k", "v", 11, {}}));
  EXPECT_EQ((*kept)[2], (Record<std::string, std::string>{"", "", 12, {}}));
}

TEST(ProcessorApiTest, AProcessorForwardsTransformedRecords) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .process([] { return std::make_unique<Shout>(); }, "shout")
      .to("out");
  TopologyTestDriver driver(build_or_die(builder));
  Headers headers{{"h", Bytes("1")}};
  driver.create_input_topic<std::string, std::string>("in").pipe_input("k", "hello", headers, 42);

  auto out = driver.create_output_topic<std::string, std::int64_t>("out");
  EXPECT_THAT(out.read_records_to_list(),
              ElementsAre(TestRecord<std::string, std::int64_t>{"k", 5, headers, 42},
                          TestRecord<std::string, std::int64_t>{"extra", -1, {}, 5}));
}

TEST(ProcessorApiTest, TheProcessorNodeHasAGeneratedNameWhenUnnamed) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .process([] { return std::make_unique<Shout>(); })
      .to("out");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  EXPECT_THAT(topology.describe().to_string(),
              HasSubstr("Processor: KSTREAM-PROCESSOR-0000000001"));
}

struct Seen {
  std::string topic;
  std::int32_t partition;
  std::int64_t offset;
  std::int64_t stream_time;
  std::string application_id;
  std::string task;
};

class MetadataRecorder final : public Processor<std::string, std::string> {
 public:
  explicit MetadataRecorder(std::shared_ptr<std::vector<Seen>> seen) : seen_(std::move(seen)) {}
  void init(ProcessorContext<Void, Void>& context) override { context_ = &context; }
  void process(Record<std::string, std::string>) override {
    const RecordMetadata* metadata = context_->record_metadata();
    ASSERT_NE(metadata, nullptr);
    seen_->push_back(Seen{metadata->topic, metadata->partition, metadata->offset,
                          context_->current_stream_time_ms(), context_->application_id(),
                          context_->task_id().to_string()});
  }

 private:
  std::shared_ptr<std::vector<Seen>> seen_;
  ProcessorContext<Void, Void>* context_ = nullptr;
};

TEST(ProcessorApiTest, RecordMetadataGivesTopicPartitionAndOffset) {
  auto seen = std::make_shared<std::vector<Seen>>();
  StreamsBuilder builder;
  auto a = builder.stream<std::string, std::string>("a");
  auto b = builder.stream<std::string, std::string>("b");
  a.merge(b).process([seen] { return std::make_unique<MetadataRecorder>(seen); });
  StreamsConfig config;
  config.application_id = "meta-app";
  TopologyTestDriver driver(build_or_die(builder), config);
  auto in_a = driver.create_input_topic<std::string, std::string>("a");
  auto in_b = driver.create_input_topic<std::string, std::string>("b");
  in_a.pipe_input("k", "1", 100);
  in_a.pipe_input("k", "2", 50);  // out of order: stream time stays at 100
  in_b.pipe_input("k", "3", 300);
  in_a.pipe_input("k", "4", 200);

  ASSERT_EQ(seen->size(), 4u);
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"a", 0}, {"a", 1}, {"b", 0}, {"a", 2}};
  const std::vector<std::int64_t> stream_times = {100, 100, 300, 300};
  for (std::size_t i = 0; i < seen->size(); ++i) {
    EXPECT_EQ((*seen)[i].topic, expected[i].first) << i;
    EXPECT_EQ((*seen)[i].partition, 0) << i;
    EXPECT_EQ((*seen)[i].offset, expected[i].second) << i;
    EXPECT_EQ((*seen)[i].stream_time, stream_times[i]) << i;
    EXPECT_EQ((*seen)[i].application_id, "meta-app");
    EXPECT_EQ((*seen)[i].task, "0_0");
  }
}

/// Sends records with value "left"/"right" to the child of that name, others to every child, and
/// "nowhere" to a child that does not exist.
class Router final : public Processor<std::string, std::string, std::string, std::string> {
 public:
  void init(ProcessorContext<std::string, std::string>& context) override { context_ = &context; }
  void process(Record<std::string, std::string> record) override {
    if (record.value == "left" || record.value == "right") {
      const std::string child = "sink-" + record.value;
      context_->forward(std::move(record), child);
    } else if (record.value == "nowhere") {
      context_->forward(std::move(record), "sink-missing");
    } else {
      context_->forward(std::move(record));
    }
  }

 private:
  ProcessorContext<std::string, std::string>* context_ = nullptr;
};

Topology router_topology() {
  StreamsBuilder builder;
  auto routed = builder.stream<std::string, std::string>("in").process(
      [] { return std::make_unique<Router>(); }, "router");
  routed.to("left", Produced<std::string, std::string>::as_name("sink-left"));
  routed.to("right", Produced<std::string, std::string>::as_name("sink-right"));
  return build_or_die(builder);
}

TEST(ProcessorApiTest, ForwardToANamedChildReachesOnlyThatChild) {
  TopologyTestDriver driver(router_topology());
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "left");
  in.pipe_input("k", "right");
  in.pipe_input("k", "both");
  EXPECT_THAT(strings(driver, "left").read_values_to_list(), ElementsAre("left", "both"));
  EXPECT_THAT(strings(driver, "right").read_values_to_list(), ElementsAre("right", "both"));
}

TEST(ProcessorApiTest, ForwardToAnUnknownChildGoesToTheProcessingHandler) {
  {
    TopologyTestDriver driver(router_topology());
    auto in = driver.create_input_topic<std::string, std::string>("in");
    EXPECT_THAT(thrown_status([&] { in.pipe_input("k", "nowhere"); }),
                StatusIs(StatusCode::kNotFound,
                         AllOf(HasSubstr("'router'"), HasSubstr("no child named 'sink-missing'"))));
  }
  {
    auto kinds = std::make_shared<std::vector<StatusCode>>();
    StreamsConfig config;
    config.processing_exception_handler = [kinds](const ErrorContext& ctx) {
      kinds->push_back(ctx.error->code());
      return ErrorAction::kContinue;
    };
    TopologyTestDriver driver(router_topology(), config);
    auto in = driver.create_input_topic<std::string, std::string>("in");
    in.pipe_input("k", "nowhere");
    in.pipe_input("k", "left");
    EXPECT_THAT(*kinds, ElementsAre(StatusCode::kNotFound));
    EXPECT_THAT(strings(driver, "left").read_values_to_list(), ElementsAre("left"));
  }
}

/// Schedules a punctuator at init and records its calls as (time, stream time, has metadata).
class Punctuated final : public Processor<std::string, std::string, std::string, std::string> {
 public:
  struct Options {
    std::chrono::milliseconds interval = 1000ms;
    PunctuationType type = PunctuationType::kStreamTime;
    bool forward_from_punctuator = false;
    std::optional<std::string> cancel_on_value = {};
  };
  Punctuated(Options options, std::shared_ptr<std::vector<std::int64_t>> calls)
      : options_(std::move(options)), calls_(std::move(calls)) {}

  void init(ProcessorContext<std::string, std::string>& context) override {
    context_ = &context;
    schedule_ = context.schedule(options_.interval, options_.type, [this](std::int64_t time) {
      calls_->push_back(time);
      EXPECT_EQ(context_->record_metadata(), nullptr);  // no input record inside a punctuator
      if (options_.forward_from_punctuator) {
        context_->forward(
            Record<std::string, std::string>{"tick", std::to_string(time), time + 1, {}});
      }
    });
  }
  void process(Record<std::string, std::string> record) override {
    if (options_.cancel_on_value && record.value == *options_.cancel_on_value) schedule_.cancel();
    context_->forward(std::move(record));
  }

 private:
  Options options_;
  std::shared_ptr<std::vector<std::int64_t>> calls_;
  ProcessorContext<std::string, std::string>* context_ = nullptr;
  Cancellable schedule_;
};

Topology punctuated(Punctuated::Options options, std::shared_ptr<std::vector<std::int64_t>> calls) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in")
      .process([options, calls] { return std::make_unique<Punctuated>(options, calls); }, "p")
      .to("out");
  return build_or_die(builder);
}

TEST(PunctuationTest, StreamTimePunctuationIsAlignedToZeroAndSkipsMissedIntervals) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  TopologyTestDriver driver(punctuated({}, calls), {}, kWallClock);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "a", 0);     // due at 0: fires at 0, next due 1000
  in.pipe_input("k", "b", 500);   // not due
  in.pipe_input("k", "c", 1500);  // fires at 1500, next due 2000
  in.pipe_input("k", "d", 4100);  // fires once at 4100 (2000, 3000, 4000 missed), next due 5000
  in.pipe_input("k", "e", 4999);
  EXPECT_THAT(*calls, ElementsAre(0, 1500, 4100));
  in.pipe_input("k", "f", 5000);
  EXPECT_THAT(*calls, ElementsAre(0, 1500, 4100, 5000));
  EXPECT_EQ(driver.metrics().punctuations, 4u);
}

TEST(PunctuationTest, StreamTimeDoesNotGoBackwards) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  TopologyTestDriver driver(punctuated({}, calls));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "a", 2500);  // fires at 2500, next due 3000
  in.pipe_input("k", "b", 100);   // late record: stream time stays 2500
  in.pipe_input("k", "c", 2999);
  EXPECT_THAT(*calls, ElementsAre(2500));
  in.pipe_input("k", "d", 3000);
  EXPECT_THAT(*calls, ElementsAre(2500, 3000));
}

TEST(PunctuationTest, StreamTimePunctuatorsIgnoreTheWallClock) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  TopologyTestDriver driver(punctuated({}, calls), {}, kWallClock);
  driver.advance_wall_clock_time(10s);
  EXPECT_THAT(*calls, IsEmpty());
}

TEST(PunctuationTest, WallClockPunctuationFiresOnlyWhenTheWallClockAdvances) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  TopologyTestDriver driver(
      punctuated({.interval = 1000ms, .type = PunctuationType::kWallClockTime}, calls), {},
      kWallClock);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "a", kWallClockMs + 50'000);  // records do not trigger wall-clock punctuation
  EXPECT_THAT(*calls, IsEmpty());
  driver.advance_wall_clock_time(999ms);
  EXPECT_THAT(*calls, IsEmpty());
  driver.advance_wall_clock_time(1ms);  // one interval after scheduling
  EXPECT_THAT(*calls, ElementsAre(kWallClockMs + 1000));
  driver.advance_wall_clock_time(2500ms);  // fires once; 2000 and 3000 are skipped, next 4000
  EXPECT_THAT(*calls, ElementsAre(kWallClockMs + 1000, kWallClockMs + 3500));
  driver.advance_wall_clock_time(499ms);
  EXPECT_EQ(calls->size(), 2u);
  driver.advance_wall_clock_time(1ms);
  EXPECT_THAT(*calls, ElementsAre(kWallClockMs + 1000, kWallClockMs + 3500, kWallClockMs + 4000));
}

TEST(PunctuationTest, CancelStopsFurtherCalls) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  TopologyTestDriver driver(punctuated({.cancel_on_value = "stop"}, calls));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "a", 1000);
  in.pipe_input("k", "stop", 2000);  // cancelled before this record's punctuation check
  in.pipe_input("k", "c", 3000);
  EXPECT_THAT(*calls, ElementsAre(1000));
  EXPECT_THAT(strings(driver, "out").read_values_to_list(), ElementsAre("a", "stop", "c"));
}

TEST(PunctuationTest, CancelStopsWallClockPunctuationToo) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  TopologyTestDriver driver(
      punctuated({.type = PunctuationType::kWallClockTime, .cancel_on_value = "stop"}, calls), {},
      kWallClock);
  auto in = driver.create_input_topic<std::string, std::string>("in");
  driver.advance_wall_clock_time(1s);
  in.pipe_input("k", "stop");
  driver.advance_wall_clock_time(5s);
  EXPECT_THAT(*calls, ElementsAre(kWallClockMs + 1000));
}

TEST(PunctuationTest, APunctuatorCanForwardRecordsWithItsOwnTimestamp) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  TopologyTestDriver driver(punctuated({.interval = 10s,
                                        .type = PunctuationType::kWallClockTime,
                                        .forward_from_punctuator = true},
                                       calls),
                            {}, kWallClock);
  driver.advance_wall_clock_time(10s);
  const std::int64_t fired = kWallClockMs + 10'000;
  EXPECT_THAT(strings(driver, "out").read_records_to_list(),
              ElementsAre(TestRecord<std::string, std::string>{
                  "tick", std::to_string(fired), {}, fired + 1}));
}

TEST(PunctuationTest, StreamTimePunctuatorForwardsAfterTheRecordThatTriggeredIt) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  TopologyTestDriver driver(punctuated({.forward_from_punctuator = true}, calls));
  auto in = driver.create_input_topic<std::string, std::string>("in");
  in.pipe_input("k", "a", 1200);
  EXPECT_THAT(strings(driver, "out").read_records_to_list(),
              ElementsAre(TestRecord<std::string, std::string>{"k", "a", {}, 1200},
                          TestRecord<std::string, std::string>{"tick", "1200", {}, 1201}));
}

TEST(PunctuationTest, ANonPositiveIntervalFailsAtInit) {
  auto calls = std::make_shared<std::vector<std::int64_t>>();
  const Topology topology = punctuated({.interval = 0ms}, calls);
  EXPECT_THAT(
      thrown_status([&] { TopologyTestDriver driver(topology); }),
      StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("'p'"), HasSubstr("must be > 0 ms"))));
}

TEST(PunctuationTest, APunctuatorThatThrowsGoesToTheProcessingHandler) {
  StreamsBuilder builder;
  class Throwing final : public Processor<std::string, std::string> {
   public:
    void init(ProcessorContext<Void, Void>& context) override {
      context.schedule(1s, PunctuationType::kWallClockTime,
                       [](std::int64_t) { throw std::runtime_error("tick failed"); });
    }
    void process(Record<std::string, std::string>) override {}
  };
  builder.stream<std::string, std::string>("in").process(
      [] { return std::make_unique<Throwing>(); }, "throwing");
  const Topology topology = build_or_die(builder);
  {
    TopologyTestDriver driver(topology);
    EXPECT_THAT(
        thrown_status([&] { driver.advance_wall_clock_time(1s); }),
        StatusIs(StatusCode::kProcessing, AllOf(HasSubstr("'throwing'"), HasSubstr("punctuation"),
                                                HasSubstr("tick failed"))));
  }
  {
    auto contexts = std::make_shared<std::vector<std::pair<std::string, std::int64_t>>>();
    StreamsConfig config;
    config.processing_exception_handler = [contexts](const ErrorContext& ctx) {
      contexts->emplace_back(std::string(ctx.topic), ctx.offset);
      return ErrorAction::kContinue;
    };
    TopologyTestDriver driver(topology, config);
    driver.advance_wall_clock_time(1s);
    driver.advance_wall_clock_time(1s);
    EXPECT_THAT(*contexts, ElementsAre(std::pair<std::string, std::int64_t>{"", -1},
                                       std::pair<std::string, std::int64_t>{"", -1}));
  }
  {  // Nothing to dead-letter inside a punctuator: skipped.
    StreamsConfig config;
    config.processing_exception_handler = error_handlers::dead_letter();
    config.errors_dead_letter_queue_topic_name = "dlq";
    TopologyTestDriver driver(topology, config);
    driver.advance_wall_clock_time(1s);
    EXPECT_EQ(driver.metrics().records_skipped, 1u);
    EXPECT_THAT(driver.produced_topic_names(), IsEmpty());
  }
}

// ---- lifecycle -------------------------------------------------------------------------------

struct Lifecycle {
  std::atomic<int> supplied{0};
  std::atomic<int> inits{0};
  std::atomic<int> processed{0};
  std::atomic<int> closes{0};
};

class Counted final : public Processor<std::string, std::string> {
 public:
  explicit Counted(std::shared_ptr<Lifecycle> life) : life_(std::move(life)) {}
  void init(ProcessorContext<Void, Void>&) override { ++life_->inits; }
  void process(Record<std::string, std::string>) override { ++life_->processed; }
  void close() override { ++life_->closes; }

 private:
  std::shared_ptr<Lifecycle> life_;
};

TEST(ProcessorLifecycleTest, SupplierIsCalledOncePerDriverAndInitCloseOnce) {
  auto life = std::make_shared<Lifecycle>();
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").process([life] {
    ++life->supplied;
    return std::make_unique<Counted>(life);
  });
  const Topology topology = build_or_die(builder);
  EXPECT_EQ(life->supplied, 0);  // building does not instantiate processors
  {
    TopologyTestDriver driver(topology);
    EXPECT_EQ(life->supplied, 1);
    EXPECT_EQ(life->inits, 1);
    EXPECT_EQ(life->closes, 0);
    auto in = driver.create_input_topic<std::string, std::string>("in");
    in.pipe_input("k", "1");
    in.pipe_input("k", "2");
    EXPECT_EQ(life->processed, 2);
    {
      TopologyTestDriver second(topology);
      EXPECT_EQ(life->supplied, 2);
      EXPECT_EQ(life->inits, 2);
    }
    EXPECT_EQ(life->closes, 1);
  }
  EXPECT_EQ(life->supplied, 2);
  EXPECT_EQ(life->inits, 2);
  EXPECT_EQ(life->closes, 2);
}

TEST(ProcessorLifecycleTest, ASupplierReturningNullFailsTheDriver) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").process([] { return std::unique_ptr<Counted>(); },
                                                         "null-supplier");
  const Topology topology = build_or_die(builder);
  EXPECT_THAT(thrown_status([&] { TopologyTestDriver driver(topology); }),
              StatusIs(StatusCode::kTopology, HasSubstr("'null-supplier' returned null")));
}

TEST(ProcessorLifecycleTest, AnInitThatThrowsGoesToTheProcessingHandler) {
  class BadInit final : public Processor<std::string, std::string> {
   public:
    void init(ProcessorContext<Void, Void>&) override { throw std::runtime_error("init failed"); }
    void process(Record<std::string, std::string>) override {}
  };
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("in").process([] { return std::make_unique<BadInit>(); },
                                                         "bad-init");
  const Topology topology = build_or_die(builder);
  EXPECT_THAT(
      thrown_status([&] { TopologyTestDriver driver(topology); }),
      StatusIs(StatusCode::kProcessing, AllOf(HasSubstr("'bad-init'"), HasSubstr("init failed"))));
}

}  // namespace
}  // namespace kstreams
