// KafkaStreams' life cycle on the embedded cluster: start errors, the state machine, resuming
// from committed offsets, several threads, and two instances sharing one application.id. The
// mock is enough here (groups, commits and rebalances work on it, if slowly) and fast to start.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kafka_streams.h>
#include <kstreams/kstreams.h>

#include "tests/integration/runtime/runtime_test_util.h"

namespace kstreams::runtime_testing {
namespace {

using kstreams::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

/// in -> map_values(v + "!") -> out
Topology pass_through(const std::string& in, const std::string& out) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>(in)
      .map_values([](const std::string& v) { return v + "!"; }, "mark")
      .to(out);
  auto topology = builder.build();
  EXPECT_TRUE(topology.ok()) << topology.status();
  return std::move(topology).value();
}

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = TestCluster::start(1);
    ASSERT_NE(cluster_, nullptr);
  }
  void TearDown() override { cluster_.reset(); }

  StreamsConfig config(const std::string& application_id) {
    return fast_config(application_id, cluster_->bootstrap(), dir_.path());
  }

  /// Produces "<prefix><i>" for i in [from, to), keyed "k<i>".
  void produce_range(const std::string& topic, int from, int to, const std::string& prefix = "v") {
    for (int i = from; i < to; ++i) {
      ASSERT_OK(cluster_->produce(topic, "k" + std::to_string(i), prefix + std::to_string(i)));
    }
    ASSERT_OK(cluster_->flush());
  }

  /// Asserts that `records` hold "<prefix><i>!" for every i in [0, n) and returns the number of
  /// duplicates (extra copies).
  static int expect_all_processed(const std::vector<ConsumedRecord>& records, int n,
                                  const std::string& prefix = "v") {
    const auto counts = count_values(records);
    int missing = 0;
    for (int i = 0; i < n; ++i) {
      if (!counts.contains(prefix + std::to_string(i) + "!")) ++missing;
    }
    EXPECT_EQ(missing, 0) << "records lost";
    EXPECT_EQ(counts.size(), static_cast<std::size_t>(n)) << "unexpected values in the output";
    return duplicates(counts);
  }

  TempDir dir_;
  std::unique_ptr<TestCluster> cluster_;
};

std::uint64_t total_active_tasks(const KafkaStreams& app) {
  std::uint64_t tasks = 0;
  for (const ThreadMetrics& t : app.thread_metrics()) tasks += t.active_tasks;
  return tasks;
}

/// The names of this process's threads, as `top -H` shows them.
std::multiset<std::string> thread_names() {
  std::multiset<std::string> names;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) names.insert(name);
  }
  return names;
}

// --- 4. Errors at start --------------------------------------------------------------------

TEST_F(LifecycleTest, KstreamsThreadsCarryNamesForTopAndPerf) {
  ASSERT_OK(cluster_->create_topic("named-in", 2));
  ASSERT_OK(cluster_->create_topic("named-out", 2));
  StreamsConfig cfg = config("it-named");
  cfg.num_stream_threads = 2;
  cfg.metrics_port = 0;
  cfg.metrics_host = "127.0.0.1";
  KafkaStreams app(pass_through("named-in", "named-out"), cfg);
  ASSERT_OK(app.start());
  const std::multiset<std::string> names = thread_names();
  EXPECT_EQ(names.count("ks:stream-1"), 1U);
  EXPECT_EQ(names.count("ks:stream-2"), 1U);
  EXPECT_EQ(names.count("ks:supervisor"), 1U);
  EXPECT_EQ(names.count("ks:metrics"), 1U);
  ASSERT_OK(app.close(10s));
  EXPECT_EQ(thread_names().count("ks:stream-1"), 0U) << "joined at close";
}

TEST_F(LifecycleTest, MissingSourceTopicIsNotFoundAndEndsInError) {
  ASSERT_OK(cluster_->create_topic("present-out", 1));
  KafkaStreams app(pass_through("no-such-input", "present-out"), config("it-missing"));
  StateRecorder states;
  app.set_state_listener(states.listener());
  EXPECT_THAT(app.start(), StatusIs(StatusCode::kNotFound, HasSubstr("'no-such-input'")));
  EXPECT_EQ(app.state(), StreamsState::kError);
  EXPECT_THAT(app.error(), StatusIs(StatusCode::kNotFound, HasSubstr("no-such-input")));
  EXPECT_THAT(states.transitions(),
              ElementsAre(Pair(StreamsState::kCreated, StreamsState::kError)));
  EXPECT_OK(app.close(5s));
  EXPECT_EQ(app.state(), StreamsState::kError);
}

TEST_F(LifecycleTest, MergingTopicsWithDifferentPartitionCountsIsATopologyError) {
  ASSERT_OK(cluster_->create_topic("four-partitions", 4));
  ASSERT_OK(cluster_->create_topic("three-partitions", 3));
  ASSERT_OK(cluster_->create_topic("merged-out", 4));
  StreamsBuilder builder;
  auto a = builder.stream<std::string, std::string>("four-partitions");
  auto b = builder.stream<std::string, std::string>("three-partitions");
  a.merge(b).to("merged-out");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  KafkaStreams app(topology, config("it-copartition"));
  EXPECT_THAT(app.start(), StatusIs(StatusCode::kTopology, AllOf(HasSubstr("'four-partitions'"),
                                                                 HasSubstr("'three-partitions'"),
                                                                 HasSubstr("co-partitioned"))));
  EXPECT_EQ(app.state(), StreamsState::kError);
}

/// orders joined with customers (a table): "<item> for <name>".
Topology orders_with_names() {
  StreamsBuilder builder;
  auto customers = builder.table<std::string, std::string>(
      "customers", Materialized<std::string, std::string>::as("customer-rows"));
  builder.stream<std::string, std::string>("orders")
      .join(customers,
            [](const std::string& item, const std::string& name) { return item + " for " + name; })
      .to("enriched");
  auto topology = builder.build();
  EXPECT_TRUE(topology.ok()) << topology.status();
  return std::move(topology).value();
}

// The table's input was written before the orders: the task (partition p of both topics) reads
// the table up to where it has caught up before it takes orders with later timestamps
// (max.task.idle.ms = 0), so every order finds its customer, also right after the start.
TEST_F(LifecycleTest, AStreamTableJoinFindsTheRowsWrittenBeforeItsRecords) {
  ASSERT_OK(cluster_->create_topic("customers", 3));
  ASSERT_OK(cluster_->create_topic("orders", 3));
  ASSERT_OK(cluster_->create_topic("enriched", 3));
  ASSERT_OK(cluster_->create_topic("it-join-customer-rows-changelog", 3));  // no Admin API here
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK(cluster_->produce("customers", "c" + std::to_string(i), "name" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());
  std::this_thread::sleep_for(20ms);  // the orders' timestamps come after the customers'
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK(cluster_->produce("orders", "c" + std::to_string(i), "item" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());

  KafkaStreams app(orders_with_names(), config("it-join"));
  ASSERT_OK(app.start());
  auto reader = TopicReader::open(cluster_->bootstrap(), {"enriched"});
  ASSERT_NE(reader, nullptr);
  const auto counts = count_values(reader->read_until(30, 30s));
  for (int i = 0; i < 30; ++i) {
    EXPECT_TRUE(counts.contains("item" + std::to_string(i) + " for name" + std::to_string(i)))
        << "order " << i << " did not join";
  }
  EXPECT_EQ(counts.size(), 30U);
  ASSERT_OK(app.close(10s));
}

// A re-keyed stream joined with a table of more partitions: its repartition topic takes the
// table topic's count (the internal topics are made here with that count, as the mock has no
// Admin API; kstreams checks them against what it needs).
TEST_F(LifecycleTest, ARekeyedStreamJoinsATableOfMorePartitions) {
  ASSERT_OK(cluster_->create_topic("customers", 4));
  ASSERT_OK(cluster_->create_topic("clicks", 2));
  ASSERT_OK(cluster_->create_topic("enriched", 4));
  ASSERT_OK(cluster_->create_topic("it-rekeyed-join-customer-rows-changelog", 4));
  ASSERT_OK(cluster_->create_topic("it-rekeyed-join-by-customer-repartition", 4));
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(cluster_->produce("customers", "c" + std::to_string(i), "name" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());
  std::this_thread::sleep_for(20ms);
  for (int i = 0; i < 20; ++i) {  // keyed by click id; the customer is in the value
    ASSERT_OK(cluster_->produce("clicks", "click" + std::to_string(i), "c" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());
  StreamsBuilder builder;
  auto customers = builder.table<std::string, std::string>(
      "customers", Materialized<std::string, std::string>::as("customer-rows"));
  builder.stream<std::string, std::string>("clicks")
      .select_key([](const std::string& customer) { return customer; })
      .join(
          customers,
          [](const std::string& customer, const std::string& name) {
            return customer + " is " + name;
          },
          Named("by-customer"))
      .to("enriched");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  KafkaStreams app(topology, config("it-rekeyed-join"));
  ASSERT_OK(app.start());
  auto reader = TopicReader::open(cluster_->bootstrap(), {"enriched"});
  ASSERT_NE(reader, nullptr);
  const auto counts = count_values(reader->read_until(20, 30s));
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(counts.contains("c" + std::to_string(i) + " is name" + std::to_string(i))) << i;
  }
  // 20 table rows, 20 clicks, and the 20 clicks again from the repartition topic.
  EXPECT_TRUE(wait_until([&] { return app.metrics().records_processed == 60; }, 10s))
      << app.metrics().records_processed;
  ASSERT_OK(app.close(10s));
}

// Found before anything is created: the table's changelog topic is not (the mock has no Admin
// API, so trying would time out instead).
TEST_F(LifecycleTest, JoiningTopicsWithDifferentPartitionCountsIsATopologyError) {
  ASSERT_OK(cluster_->create_topic("customers", 2));
  ASSERT_OK(cluster_->create_topic("orders", 3));
  ASSERT_OK(cluster_->create_topic("enriched", 3));
  KafkaStreams app(orders_with_names(), config("it-join-copartition"));
  EXPECT_THAT(app.start(),
              StatusIs(StatusCode::kTopology, AllOf(HasSubstr("'customers'"), HasSubstr("'orders'"),
                                                    HasSubstr("co-partitioned"))));
  EXPECT_EQ(app.state(), StreamsState::kError);
}

/// in-a, in-b (merged: one task reads partition p of both) -> map_values(v + "!") -> out
Topology merged(const std::string& a, const std::string& b, const std::string& out) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>(a)
      .merge(builder.stream<std::string, std::string>(b))
      .map_values([](const std::string& v) { return v + "!"; }, "mark")
      .to(out);
  auto topology = builder.build();
  EXPECT_TRUE(topology.ok()) << topology.status();
  return std::move(topology).value();
}

// max.task.idle.ms with one input of a two-partition task empty (and known to be at its end):
// -1 (Kafka Streams' "disabled") and 0 process the other input at once; a positive value holds
// it back that long.
TEST_F(LifecycleTest, MaxTaskIdleMsDecidesHowLongATaskWaitsForAnEmptyInput) {
  for (const std::int64_t idle_ms : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{2500}}) {
    SCOPED_TRACE("max.task.idle.ms=" + std::to_string(idle_ms));
    const std::string suffix = idle_ms < 0 ? "minus1" : std::to_string(idle_ms);
    const std::string a = "idle-a-" + suffix;
    const std::string b = "idle-b-" + suffix;
    const std::string out = "idle-out-" + suffix;
    for (const auto& topic : {a, b, out}) ASSERT_OK(cluster_->create_topic(topic, 1));
    produce_range(a, 0, 10);  // nothing in b

    StreamsConfig cfg = config("it-idle-" + suffix);
    cfg.max_task_idle_ms = idle_ms;
    KafkaStreams app(merged(a, b, out), cfg);
    auto reader = TopicReader::open(cluster_->bootstrap(), {out});
    ASSERT_NE(reader, nullptr);
    ASSERT_OK(app.start());
    // The task exists from RUNNING on (observed within one 20 ms step); it sees a's records at
    // its first poll.
    ASSERT_TRUE(wait_until([&] { return app.state() == StreamsState::kRunning; }, 20s));
    const auto running = std::chrono::steady_clock::now();
    ASSERT_TRUE(wait_until([&] { return app.metrics().records_processed > 0; }, 20s))
        << "the task never processed the input it had";
    const auto waited = std::chrono::steady_clock::now() - running;
    EXPECT_EQ(expect_all_processed(reader->read_until(10, 20s), 10), 0);
    // Every record went with b empty: enforced processing, as Kafka Streams counts it (not
    // with -1, where the task never waits).
    std::vector<ThreadMetrics> threads;
    EXPECT_TRUE(wait_until(
        [&] {
          threads = app.thread_metrics();
          return threads.size() == 1 && threads.front().tasks.size() == 1 &&
                 threads.front().tasks.front().processing.records_processed == 10;
        },
        20s));
    ASSERT_EQ(threads.size(), 1U);
    ASSERT_EQ(threads.front().tasks.size(), 1U);
    EXPECT_EQ(threads.front().tasks.front().enforced_processing, idle_ms < 0 ? 0U : 10U);
    ASSERT_OK(app.close(10s));
    if (idle_ms > 0) {
      EXPECT_GE(waited, std::chrono::milliseconds(idle_ms - 100)) << "processed too early";
    }
  }
}

// consumer_lag counts every partition of the thread, also one that was not in the last commit:
// here the merge task waits (max.task.idle.ms) with a backlog of lag-a while commits go on for
// what it processed of lag-b.
TEST_F(LifecycleTest, ConsumerLagCountsAPartitionLeftOutOfTheLastCommit) {
  for (const auto& topic : {"lag-a", "lag-b", "lag-out"}) {
    ASSERT_OK(cluster_->create_topic(topic, 1));
  }
  StreamsConfig cfg = config("it-lag");
  cfg.max_task_idle_ms = 60'000;  // the task waits a minute whenever one input is empty
  KafkaStreams app(merged("lag-a", "lag-b", "lag-out"), cfg);
  auto lag = [&app] {
    const auto threads = app.thread_metrics();
    return threads.empty() ? std::int64_t{-1} : threads.front().consumer_lag;
  };

  // Timestamps: a0 < b0 < b1. a0 is processed and committed; then lag-a is empty and the task
  // waits with b0 and b1 buffered: they are the lag.
  produce_range("lag-a", 0, 1);
  std::this_thread::sleep_for(20ms);
  produce_range("lag-b", 0, 2);
  ASSERT_OK(app.start());
  ASSERT_TRUE(wait_until([&] { return app.metrics().records_processed == 1 && lag() == 2; }, 20s))
      << "processed " << app.metrics().records_processed << ", lag " << lag();

  // 50 later records for lag-a: b0 and b1 go first, then lag-b is empty and the task waits with
  // a's backlog; the commit after b1 holds only lag-b.
  produce_range("lag-a", 1, 51);
  EXPECT_TRUE(wait_until([&] { return app.metrics().records_processed == 3 && lag() >= 50; }, 20s))
      << "processed " << app.metrics().records_processed << ", lag " << lag();
  // The task says the same of itself: what it took in, its backlog, and its lag.
  std::vector<ThreadMetrics> threads;
  EXPECT_TRUE(wait_until(
      [&] {
        threads = app.thread_metrics();
        return threads.size() == 1 && threads.front().tasks.size() == 1 &&
               threads.front().tasks.front().records_consumed == 53 &&
               threads.front().tasks.front().buffered_records == 50;
      },
      20s));
  ASSERT_EQ(threads.size(), 1U);
  ASSERT_EQ(threads.front().tasks.size(), 1U);
  EXPECT_EQ(threads.front().tasks.front().consumer_lag, 50) << "lag-a 50, lag-b 0";
  EXPECT_EQ(threads.front().consumer_lag, 50);
  ASSERT_OK(app.close(10s));
}

// A task that waits (max.task.idle.ms) before processing anything commits nothing; its lag still
// shows the backlog it holds, counted from the first record it buffered.
TEST_F(LifecycleTest, ConsumerLagCountsATaskThatHasProcessedNothingYet) {
  for (const auto& topic : {"wait-a", "wait-b", "wait-out"}) {
    ASSERT_OK(cluster_->create_topic(topic, 1));
  }
  produce_range("wait-a", 0, 30);  // wait-b stays empty: the merge task waits a minute
  StreamsConfig cfg = config("it-wait-lag");
  cfg.max_task_idle_ms = 60'000;
  KafkaStreams app(merged("wait-a", "wait-b", "wait-out"), cfg);
  ASSERT_OK(app.start());
  std::vector<ThreadMetrics> threads;
  const bool lag_shown = wait_until(
      [&] {
        threads = app.thread_metrics();
        return threads.size() == 1 && threads.front().tasks.size() == 1 &&
               threads.front().tasks.front().records_consumed == 30 &&
               threads.front().tasks.front().consumer_lag == 30 &&
               threads.front().consumer_lag == 30;
      },
      20s);
  ASSERT_EQ(threads.size(), 1U);
  ASSERT_EQ(threads.front().tasks.size(), 1U);
  EXPECT_TRUE(lag_shown) << "consumed " << threads.front().tasks.front().records_consumed
                         << ", task lag " << threads.front().tasks.front().consumer_lag
                         << ", thread lag " << threads.front().consumer_lag;
  EXPECT_EQ(app.metrics().records_processed, 0U);
  ASSERT_OK(app.close(10s));
}

// With the default max.task.idle.ms (0), a task waits for the records its empty inputs have on
// the broker: the merged output follows the input timestamps across both topics.
TEST_F(LifecycleTest, ByDefaultATaskTakesItsInputsInTimestampOrder) {
  for (const auto& topic : {"order-a", "order-b", "order-out"}) {
    ASSERT_OK(cluster_->create_topic(topic, 1));
  }
  produce_range("order-b", 0, 20, "early");  // CreateTime: before every record of order-a
  std::this_thread::sleep_for(20ms);
  produce_range("order-a", 0, 20, "late");
  KafkaStreams app(merged("order-a", "order-b", "order-out"), config("it-order"));
  auto reader = TopicReader::open(cluster_->bootstrap(), {"order-out"});
  ASSERT_NE(reader, nullptr);
  ASSERT_OK(app.start());
  const std::vector<ConsumedRecord>& out = reader->read_until(40, 30s);
  ASSERT_OK(app.close(10s));
  ASSERT_EQ(out.size(), 40U);
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_THAT(out[i].value.value_or(""), StartsWith(i < 20 ? "early" : "late")) << i;
  }
}

TEST_F(LifecycleTest, InvalidConfigIsInvalidArgumentNamingTheProperty) {
  ASSERT_OK(cluster_->create_topic("cfg-in", 1));
  ASSERT_OK(cluster_->create_topic("cfg-out", 1));
  const Topology topology = pass_through("cfg-in", "cfg-out");

  // Refused when the client is made: ERROR at once, and the error names the property.
  StreamsConfig no_threads = config("it-config");
  no_threads.num_stream_threads = 0;
  KafkaStreams a(topology, no_threads);
  EXPECT_EQ(a.state(), StreamsState::kError);
  EXPECT_THAT(a.error(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("num.stream.threads")));
  EXPECT_THAT(a.start(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("num.stream.threads")));
  EXPECT_THAT(a.start(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("num.stream.threads")))
      << "every start says why";
  EXPECT_OK(a.close(5s));
  EXPECT_EQ(a.state(), StreamsState::kError);

  StreamsConfig unknown = config("it-config");
  unknown.client_properties["no.such.property"] = "1";
  KafkaStreams b(topology, unknown);
  EXPECT_THAT(b.start(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("no.such.property")));
  EXPECT_EQ(b.state(), StreamsState::kError);

  EXPECT_THAT(StreamsConfig::from_properties({{"application.id", "x"}, {"no.such.property", "1"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no.such.property")));
  EXPECT_THAT(StreamsConfig::from_properties({{"num.stream.threads", "two"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("num.stream.threads")));

  StreamsConfig dlq = config("it-config");
  dlq.default_deserialization_exception_handler = error_handlers::dead_letter();
  KafkaStreams c(topology, dlq);
  EXPECT_THAT(c.start(), StatusIs(StatusCode::kInvalidArgument,
                                  HasSubstr("errors.dead.letter.queue.topic.name")));
  EXPECT_EQ(c.state(), StreamsState::kError);

  StreamsConfig no_id = config("");
  KafkaStreams d(topology, no_id);
  EXPECT_THAT(d.start(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("application.id")));
}

// cleanup() removes <state.dir>/<application.id>: an id that names another directory is refused
// before anything is touched.
TEST_F(LifecycleTest, CleanupRefusesAnApplicationIdThatIsNotADirectoryName) {
  KafkaStreams app(pass_through("cleanup-in", "cleanup-out"), config(".."));
  EXPECT_THAT(app.cleanup(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("application.id must not be '..'")));
  EXPECT_TRUE(std::filesystem::exists(dir_.path()));
}

TEST_F(LifecycleTest, StartTwiceIsIllegalState) {
  ASSERT_OK(cluster_->create_topic("twice-in", 1));
  ASSERT_OK(cluster_->create_topic("twice-out", 1));
  KafkaStreams app(pass_through("twice-in", "twice-out"), config("it-twice"));
  ASSERT_OK(app.start());
  EXPECT_THAT(app.start(), StatusIs(StatusCode::kIllegalState,
                                    HasSubstr("only a CREATED client can start; this one is "
                                              "REBALANCING")));
  EXPECT_EQ(app.state(), StreamsState::kRebalancing) << "the failed second start changes nothing";
  EXPECT_OK(app.close(10s));
  EXPECT_EQ(app.state(), StreamsState::kNotRunning);
  EXPECT_THAT(app.start(), StatusIs(StatusCode::kIllegalState));
}

TEST_F(LifecycleTest, ClosingAnUnstartedClientWalksThroughPendingShutdownOnce) {
  KafkaStreams app(pass_through("never-in", "never-out"), config("it-never-started"));
  StateRecorder states;
  app.set_state_listener(states.listener());
  EXPECT_OK(app.close(10s));
  EXPECT_OK(app.close(10s)) << "a second close is a no-op";
  EXPECT_EQ(app.state(), StreamsState::kNotRunning);
  EXPECT_THAT(states.transitions(),
              ElementsAre(Pair(StreamsState::kCreated, StreamsState::kPendingShutdown),
                          Pair(StreamsState::kPendingShutdown, StreamsState::kNotRunning)))
      << states.to_string();
  EXPECT_THAT(app.start(), StatusIs(StatusCode::kIllegalState, HasSubstr("NOT_RUNNING")));
}

// close() from another thread while start() is still under way waits for start() to finish,
// then stops everything it started: no stream thread or supervisor is left behind.
TEST_F(LifecycleTest, CloseDuringStartWaitsForItAndStopsWhatItStarted) {
  ASSERT_OK(cluster_->create_topic("racing-in", 2));
  ASSERT_OK(cluster_->create_topic("racing-out", 2));
  StreamsConfig cfg = config("it-racing");
  cfg.num_stream_threads = 2;
  KafkaStreams app(pass_through("racing-in", "racing-out"), cfg);
  StateRecorder states;
  std::promise<void> starting;
  std::promise<void> closing;
  std::shared_future<void> closing_called = closing.get_future().share();
  const StateListener record = states.listener();
  // Runs inside start(), on its thread: the stream threads exist, the supervisor not yet. It
  // holds start() until close() has been called, and a little longer.
  app.set_state_listener([&](StreamsState now, StreamsState before) {
    record(now, before);
    if (before == StreamsState::kCreated && now == StreamsState::kRebalancing) {
      starting.set_value();
      closing_called.wait_for(30s);
      std::this_thread::sleep_for(200ms);
    }
  });
  std::atomic<bool> start_returned = false;
  Status started;
  std::thread starter([&] {
    started = app.start();
    start_returned = true;
  });
  ASSERT_EQ(starting.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_FALSE(start_returned) << "start() is still in its listener call";
  closing.set_value();
  EXPECT_OK(app.close(20s));
  EXPECT_TRUE(start_returned) << "close() waited for start()";
  starter.join();
  EXPECT_OK(started);
  EXPECT_EQ(app.state(), StreamsState::kNotRunning);
  EXPECT_THAT(states.transitions(),
              ElementsAre(Pair(StreamsState::kCreated, StreamsState::kRebalancing),
                          Pair(StreamsState::kRebalancing, StreamsState::kPendingShutdown),
                          Pair(StreamsState::kPendingShutdown, StreamsState::kNotRunning)))
      << states.to_string();
  const std::multiset<std::string> names = thread_names();
  EXPECT_EQ(names.count("ks:stream-1") + names.count("ks:stream-2"), 0U);
  EXPECT_EQ(names.count("ks:supervisor"), 0U);
}

// --- 3. Embedded mode -----------------------------------------------------------------------

TEST_F(LifecycleTest, EmbeddedModeStartsItsOwnClusterAndWalksTheStateMachine) {
  StreamsConfig config{
      .application_id = "it-embedded",
      .bootstrap_servers = "",
      .commit_interval_ms = 200,
      .state_dir = dir_.path().string(),
      .poll_ms = 50,
      .metrics_log_interval_ms = 0,
      .embedded_cluster_brokers = 2,
      .embedded_cluster_partitions = 3,
  };
  KafkaStreams app(pass_through("emb-in", "emb-out"), config);
  StateRecorder states;
  app.set_state_listener(states.listener());
  EXPECT_EQ(app.state(), StreamsState::kCreated);
  EXPECT_EQ(app.bootstrap_servers(), "");
  ASSERT_OK(app.start());

  const std::string bootstrap = app.bootstrap_servers();
  ASSERT_FALSE(bootstrap.empty());
  int brokers = 0;
  for (std::size_t pos = 0; pos != std::string::npos;) {
    const std::size_t comma = bootstrap.find(',', pos);
    const std::string address =
        bootstrap.substr(pos, comma == std::string::npos ? comma : comma - pos);
    EXPECT_THAT(address, StartsWith("127.0.0.1:"));
    ++brokers;
    pos = comma == std::string::npos ? comma : comma + 1;
  }
  EXPECT_EQ(brokers, 2);

  // The topology's topics exist with the configured partition count.
  {
    ASSERT_OK_AND_ASSIGN(auto probe, kafka::Producer::create(client_config(bootstrap)));
    EXPECT_THAT(probe->partition_count("emb-in", 10s), kstreams::testing::IsOkAndHolds(3));
    EXPECT_THAT(probe->partition_count("emb-out", 10s), kstreams::testing::IsOkAndHolds(3));
    for (int i = 0; i < 30; ++i) {
      const std::string key = "k" + std::to_string(i);
      const std::string value = "v" + std::to_string(i);
      ASSERT_OK(
          probe->produce({.topic = "emb-in", .key = ByteView(key), .value = ByteView(value)}));
    }
    ASSERT_OK(probe->flush(10s));
  }
  ASSERT_TRUE(app.wait_for_state(StreamsState::kRunning, 20s)) << to_string(app.state());
  {
    auto reader = TopicReader::open(bootstrap, {"emb-out"});
    ASSERT_NE(reader, nullptr);
    EXPECT_EQ(expect_all_processed(reader->read_until(30, 20s), 30), 0);
  }
  ASSERT_OK(app.close());
  EXPECT_EQ(app.state(), StreamsState::kNotRunning);
  EXPECT_THAT(states.transitions(),
              ElementsAre(Pair(StreamsState::kCreated, StreamsState::kRebalancing),
                          Pair(StreamsState::kRebalancing, StreamsState::kRunning),
                          Pair(StreamsState::kRunning, StreamsState::kPendingShutdown),
                          Pair(StreamsState::kPendingShutdown, StreamsState::kNotRunning)))
      << states.to_string();
  EXPECT_OK(app.close()) << "close is idempotent";
}

// --- 2. Resume from committed offsets -------------------------------------------------------

TEST_F(LifecycleTest, RestartedApplicationResumesFromCommittedOffsets) {
  ASSERT_OK(cluster_->create_topic("resume-in", 2));
  ASSERT_OK(cluster_->create_topic("resume-out", 2));
  const Topology topology = pass_through("resume-in", "resume-out");
  constexpr int kFirst = 300;
  constexpr int kSecond = 200;
  auto reader = TopicReader::open(cluster_->bootstrap(), {"resume-out"});
  ASSERT_NE(reader, nullptr);

  {
    KafkaStreams first(topology, config("it-resume"));
    ASSERT_OK(first.start());
    produce_range("resume-in", 0, kFirst);
    ASSERT_EQ(reader->read_until(kFirst, 20s).size(), static_cast<std::size_t>(kFirst));
    ASSERT_OK(first.close());
    EXPECT_EQ(first.metrics().records_processed, static_cast<std::uint64_t>(kFirst));
  }

  // The consumer outage: more input arrives while no instance runs.
  produce_range("resume-in", kFirst, kFirst + kSecond);
  KafkaStreams second(topology, config("it-resume"));
  ASSERT_OK(second.start());
  reader->read_until(kFirst + kSecond, 20s);
  ASSERT_TRUE(wait_until([&] { return second.metrics().records_processed >= kSecond; }, 10s));
  reader->read_for(500ms);
  ASSERT_OK(second.close());
  EXPECT_EQ(second.metrics().records_processed, static_cast<std::uint64_t>(kSecond))
      << "the restarted instance reads exactly the records after the committed offsets";
  EXPECT_EQ(expect_all_processed(reader->records(), kFirst + kSecond), 0);
  EXPECT_EQ(reader->records().size(), static_cast<std::size_t>(kFirst + kSecond));
}

// --- 6. Several stream threads --------------------------------------------------------------

// Two limits of librdkafka 2.0.2's mock shape the multi-member tests below:
//  * It refuses OffsetCommit while a rebalance is in progress (REBALANCE_IN_PROGRESS; a real
//    broker accepts commits of the current generation until the new one forms), so the commit
//    before a revocation fails and what was processed since the last periodic commit is processed
//    again by the partition's next owner. The tests let the group settle, and the commits catch
//    up, before the membership changes; then a clean run has no duplicates.
//  * It completes a SyncGroup round as soon as the leader's SyncGroup (which carries every
//    member's assignment) arrives, and answers a follower's SyncGroup that arrives after that
//    with INVALID_REQUEST; the follower rejoins and the group needs another 3 s round. Who wins
//    that race is chance, so a two-member group takes 1 to several rounds to settle: the waits
//    for it are long (kSettle), and the time it took is printed.
constexpr auto kSettle = 45s;

TEST_F(LifecycleTest, TwoThreadsSplitFourPartitions) {
  ASSERT_OK(cluster_->create_topic("threads-in", 4));
  ASSERT_OK(cluster_->create_topic("threads-out", 4));
  StreamsConfig cfg = config("it-threads");
  cfg.num_stream_threads = 2;
  KafkaStreams app(pass_through("threads-in", "threads-out"), cfg);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_OK(app.start());

  ASSERT_TRUE(wait_until(
      [&] {
        const auto threads = app.thread_metrics();
        return app.state() == StreamsState::kRunning && threads.size() == 2 &&
               threads[0].active_tasks > 0 && threads[1].active_tasks > 0 &&
               threads[0].active_tasks + threads[1].active_tasks == 4;
      },
      kSettle))
      << "state " << to_string(app.state());
  std::printf("two threads: group settled %.1f s after start\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  const auto settled = app.thread_metrics();
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_NE(settled[0].name, settled[1].name);
  EXPECT_EQ(settled[0].assigned_partitions + settled[1].assigned_partitions, 4u);

  constexpr int kRecords = 1000;
  produce_range("threads-in", 0, kRecords);
  auto reader = TopicReader::open(cluster_->bootstrap(), {"threads-out"});
  ASSERT_NE(reader, nullptr);
  reader->read_until(kRecords, 20s);
  reader->read_for(300ms);

  // Per-task counters: four tasks in all, whose processed counts add up to the input.
  std::set<std::string> task_ids;
  std::uint64_t per_task_processed = 0;
  for (const ThreadMetrics& t : app.thread_metrics()) {
    EXPECT_EQ(t.tasks.size(), t.active_tasks);
    for (const TaskMetrics& task : t.tasks) {
      task_ids.insert(task.id.to_string());
      per_task_processed += task.processing.records_processed;
    }
  }
  EXPECT_THAT(task_ids, ElementsAre("0_0", "0_1", "0_2", "0_3"));
  EXPECT_EQ(per_task_processed, static_cast<std::uint64_t>(kRecords));
  ASSERT_OK(app.close());

  const auto closed = app.thread_metrics();
  ASSERT_EQ(closed.size(), 2u);
  const std::uint64_t rebalances = closed[0].rebalances + closed[1].rebalances;
  const int dup = expect_all_processed(reader->records(), kRecords);
  std::printf("two threads: processed %llu + %llu, %d duplicates, %llu rebalance callbacks\n",
              static_cast<unsigned long long>(closed[0].processing.records_processed),
              static_cast<unsigned long long>(closed[1].processing.records_processed), dup,
              static_cast<unsigned long long>(rebalances));
  EXPECT_EQ(dup, 0);
  EXPECT_EQ(reader->records().size(), static_cast<std::size_t>(kRecords));
  EXPECT_EQ(closed[0].processing.records_processed + closed[1].processing.records_processed,
            static_cast<std::uint64_t>(kRecords));
  EXPECT_GT(closed[0].processing.records_processed, 0u);
  EXPECT_GT(closed[1].processing.records_processed, 0u);
}

// Kafka Streams' addStreamThread / removeStreamThread on a running client: an added thread
// joins the group and takes tasks, a removed one leaves and the others take its partitions, a
// freed thread number is taken again, and every record is processed on the way.
TEST_F(LifecycleTest, StreamThreadsAreAddedAndRemovedWhileRunning) {
  ASSERT_OK(cluster_->create_topic("scale-in", 4));
  ASSERT_OK(cluster_->create_topic("scale-out", 4));
  KafkaStreams app(pass_through("scale-in", "scale-out"), config("it-scale"));
  EXPECT_THAT(app.add_stream_thread().status(),
              StatusIs(StatusCode::kIllegalState, HasSubstr("CREATED")));
  EXPECT_THAT(app.remove_stream_thread().status(), StatusIs(StatusCode::kIllegalState));
  ASSERT_OK(app.start());
  auto reader = TopicReader::open(cluster_->bootstrap(), {"scale-out"});
  ASSERT_NE(reader, nullptr);
  // Settled: `threads` threads, each with tasks, all four tasks owned, the client RUNNING.
  auto settled = [&](std::size_t threads) {
    return wait_until(
        [&] {
          const auto metrics = app.thread_metrics();
          return app.state() == StreamsState::kRunning && metrics.size() == threads &&
                 std::all_of(metrics.begin(), metrics.end(),
                             [](const ThreadMetrics& t) { return t.active_tasks > 0; }) &&
                 total_active_tasks(app) == 4;
        },
        kSettle);
  };
  // Everything up to `n` processed and its offsets committed. Waiting for the commits before
  // each membership change keeps the mock's refused commits (see above) from re-processing.
  auto processed = [&](int n) {
    return read_distinct_values(*reader, static_cast<std::size_t>(n), 20s) &&
           wait_for_commits(cluster_->bootstrap(), "it-scale", "scale-in", 4, n, 20s);
  };
  // Settled with `threads` threads, then records [from, to) processed.
  auto settle_then_process = [&](std::size_t threads, int from, int to) {
    ASSERT_TRUE(settled(threads)) << "state " << to_string(app.state());
    produce_range("scale-in", from, to);
    ASSERT_TRUE(processed(to));
  };
  ASSERT_NO_FATAL_FAILURE(settle_then_process(1, 0, 200));
  const std::string first = app.thread_metrics().front().name;
  EXPECT_THAT(first, EndsWith("-StreamThread-1"));

  Result<std::string> added = app.add_stream_thread();
  ASSERT_OK(added.status());
  EXPECT_THAT(*added, EndsWith("-StreamThread-2"));
  ASSERT_NO_FATAL_FAILURE(settle_then_process(2, 200, 400));

  // The highest number goes; the first thread takes all four tasks back.
  Result<std::string> removed = app.remove_stream_thread(30s);
  ASSERT_OK(removed.status());
  EXPECT_EQ(*removed, *added);
  ASSERT_NO_FATAL_FAILURE(settle_then_process(1, 400, 600));
  EXPECT_EQ(app.thread_metrics().front().name, first);

  // Its number is free again.
  Result<std::string> again = app.add_stream_thread();
  ASSERT_OK(again.status());
  EXPECT_EQ(*again, *added);
  ASSERT_NO_FATAL_FAILURE(settle_then_process(2, 600, 800));

  // Down to no thread at all, and no further.
  Result<std::string> second_removed = app.remove_stream_thread(30s);
  ASSERT_OK(second_removed.status());
  EXPECT_EQ(*second_removed, *added);
  Result<std::string> last_removed = app.remove_stream_thread(30s);
  ASSERT_OK(last_removed.status());
  EXPECT_EQ(*last_removed, first);
  EXPECT_TRUE(app.thread_metrics().empty());
  EXPECT_THAT(app.remove_stream_thread(30s).status(),
              StatusIs(StatusCode::kNotFound, HasSubstr("no stream thread")));
  // What the removed threads processed still counts.
  EXPECT_GE(app.metrics().records_processed, 800U);
  // A number is free as soon as remove_stream_thread() returns; the smallest is taken first.
  Result<std::string> readded = app.add_stream_thread();
  ASSERT_OK(readded.status());
  EXPECT_EQ(*readded, first);

  ASSERT_OK(app.close());
  EXPECT_THAT(app.add_stream_thread().status(),
              StatusIs(StatusCode::kIllegalState, HasSubstr("NOT_RUNNING")));
  reader->read_for(300ms);
  EXPECT_EQ(expect_all_processed(reader->records(), 800), 0) << "duplicates";
}

// --- 7. Two instances of one application ----------------------------------------------------

// A partition paused for backpressure is resumed when its task closes: librdkafka keeps the pause
// across a reassignment, so the thread that gets it back would otherwise never read it again.
// The task waits (max.task.idle.ms) while pause-a fills its buffer and is paused; a thread is
// added and removed (two rebalances), and the first thread ends up with the task again.
TEST_F(LifecycleTest, APausedPartitionIsReadAgainAfterItsTaskComesBack) {
  for (const auto& topic : {"pause-a", "pause-b", "pause-out"}) {
    ASSERT_OK(cluster_->create_topic(topic, 1));
  }
  produce_range("pause-a", 0, 20);
  StreamsConfig cfg = config("it-pause");
  cfg.max_task_idle_ms = 60'000;  // pause-b is empty: the task waits, pause-a's buffer fills
  cfg.buffered_records_per_partition = 4;
  KafkaStreams app(merged("pause-a", "pause-b", "pause-out"), cfg);
  // The first thread's rebalance events (each revocation and each assignment counts one).
  auto first_rebalances = [&] {
    const auto threads = app.thread_metrics();
    return threads.empty() ? std::uint64_t{0} : threads.front().rebalances;
  };
  // `threads` threads, the task owned, and the first thread through `events` more rebalance
  // events than `before`.
  auto settled = [&](std::size_t threads, std::uint64_t before, std::uint64_t events) {
    return wait_until(
        [&] {
          return app.state() == StreamsState::kRunning && app.thread_metrics().size() == threads &&
                 total_active_tasks(app) == 1 && first_rebalances() >= before + events;
        },
        30s);
  };
  ASSERT_OK(app.start());
  ASSERT_TRUE(settled(1, 0, 1));
  std::this_thread::sleep_for(1s);  // pause-a fetched, buffered and paused
  ASSERT_EQ(app.metrics().records_processed, 0u);

  std::uint64_t before = first_rebalances();
  ASSERT_OK(app.add_stream_thread().status());
  ASSERT_TRUE(settled(2, before, 2)) << "rebalance events " << first_rebalances();
  std::this_thread::sleep_for(1s);  // whichever thread owns it: pause-a paused again
  before = first_rebalances();
  ASSERT_OK(app.remove_stream_thread(30s).status());
  ASSERT_TRUE(settled(1, before, 2)) << "rebalance events " << first_rebalances();

  // pause-b's records come after pause-a's: the task takes all of pause-a first, if it reads it.
  std::this_thread::sleep_for(20ms);
  produce_range("pause-b", 0, 20, "b");
  EXPECT_TRUE(wait_until([&] { return app.metrics().records_processed >= 20; }, 20s))
      << "processed " << app.metrics().records_processed;
  ASSERT_OK(app.close(10s));
}

TEST_F(LifecycleTest, TwoInstancesShareTheWorkAndTakeOverOnClose) {
  ASSERT_OK(cluster_->create_topic("pair-in", 4));
  ASSERT_OK(cluster_->create_topic("pair-out", 4));
  const Topology topology = pass_through("pair-in", "pair-out");
  const std::string& bs = cluster_->bootstrap();
  auto reader = TopicReader::open(bs, {"pair-out"});
  ASSERT_NE(reader, nullptr);

  KafkaStreams a(topology, config("it-pair"));
  ASSERT_OK(a.start());
  produce_range("pair-in", 0, 400);
  ASSERT_TRUE(a.wait_for_state(StreamsState::kRunning, 15s));
  ASSERT_TRUE(wait_until([&] { return total_active_tasks(a) == 4; }, 5s));
  ASSERT_EQ(reader->read_until(400, 15s).size(), 400u);
  ASSERT_TRUE(wait_for_commits(bs, "it-pair", "pair-in", 4, 400, 10s));

  // b joins: the partitions are split between the two instances.
  auto b = std::make_unique<KafkaStreams>(topology, config("it-pair"));
  const auto b_started = std::chrono::steady_clock::now();
  ASSERT_OK(b->start());
  ASSERT_TRUE(wait_until(
      [&] {
        return a.state() == StreamsState::kRunning && b->state() == StreamsState::kRunning &&
               total_active_tasks(a) > 0 && total_active_tasks(*b) > 0 &&
               total_active_tasks(a) + total_active_tasks(*b) == 4;
      },
      kSettle))
      << "a: " << to_string(a.state()) << " " << total_active_tasks(a)
      << " tasks; b: " << to_string(b->state()) << " " << total_active_tasks(*b) << " tasks";
  std::printf("two instances: group settled %.1f s after b started\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - b_started).count());
  produce_range("pair-in", 400, 800);
  ASSERT_EQ(reader->read_until(800, 20s).size(), 800u);
  EXPECT_GT(b->metrics().records_processed, 0u) << "b processed part of the input";
  EXPECT_GT(a.metrics().records_processed, 400u) << "a processed part of the input";
  ASSERT_TRUE(wait_for_commits(bs, "it-pair", "pair-in", 4, 800, 10s));

  // b leaves cleanly (commits, leaves the group): a takes over all partitions.
  ASSERT_OK(b->close());
  const std::uint64_t processed_by_b = b->metrics().records_processed;
  b.reset();
  ASSERT_TRUE(wait_until([&] { return total_active_tasks(a) == 4; }, 20s))
      << total_active_tasks(a) << " tasks";
  produce_range("pair-in", 800, 1200);
  reader->read_until(1200, 20s);
  reader->read_for(500ms);
  ASSERT_OK(a.close());

  const int dup = expect_all_processed(reader->records(), 1200);
  std::printf("two instances: a processed %llu, b processed %llu, %d duplicates in the output\n",
              static_cast<unsigned long long>(a.metrics().records_processed),
              static_cast<unsigned long long>(processed_by_b), dup);
  EXPECT_EQ(dup, 0) << "clean closes and settled commits: no record is processed twice";
  EXPECT_EQ(a.metrics().records_processed + processed_by_b, 1200u);
  EXPECT_EQ(committed_total(bs, "it-pair", "pair-in", 4), 1200);
}

// Static members (group.instance.id) close without leaving the group. An instance that closes
// while another's join rebalances the group has a revocation handed over around its close: the
// close must neither hang (librdkafka 2.0.2's close race, upstream #4884, which the close path of
// a static member must not reopen) nor lose records. The closed member sends no LeaveGroup, so
// the mock (which otherwise ignores group.instance.id) holds its partitions until its session
// times out (4 s here), then hands them to the survivor.
TEST_F(LifecycleTest, StaticMembersCloseDuringARebalanceWithoutHangingOrLoss) {
  ASSERT_OK(cluster_->create_topic("static-in", 4));
  ASSERT_OK(cluster_->create_topic("static-out", 4));
  const Topology topology = pass_through("static-in", "static-out");
  auto reader = TopicReader::open(cluster_->bootstrap(), {"static-out"});
  ASSERT_NE(reader, nullptr);
  auto instance = [&](const std::string& id) {
    StreamsConfig cfg = config("it-static");
    cfg.num_stream_threads = 2;
    cfg.client_properties["group.instance.id"] = id;
    return std::make_unique<KafkaStreams>(topology, cfg);
  };

  auto running = instance("static-a");
  ASSERT_OK(running->start());
  ASSERT_TRUE(wait_until(
      [&] {
        return running->state() == StreamsState::kRunning && total_active_tasks(*running) == 4;
      },
      kSettle));
  produce_range("static-in", 0, 200);
  const char* ids[] = {"static-b", "static-a"};
  for (int round = 0; round < 2; ++round) {
    // Everything so far is committed: whoever owns the partitions next starts after it.
    ASSERT_TRUE(wait_for_commits(cluster_->bootstrap(), "it-static", "static-in", 4,
                                 200 * (round + 1), 20s))
        << "round " << round;
    auto joining = instance(ids[round]);
    ASSERT_OK(joining->start());
    // Close while the join is under way (the mock's rebalance takes a few seconds).
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + 700 * round));
    const auto closing = std::chrono::steady_clock::now();
    const Status closed = running->close(CloseOptions{.timeout = 20s});
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - closing).count();
    std::printf("static members, round %d: closed in %.2f s during the rebalance\n", round, took);
    if (!closed.ok()) {
      // Its threads are stuck: destroying it would wait for them forever.
      static_cast<void>(running.release());
      FAIL() << "round " << round << ": " << closed;
    }
    running.reset();
    running = std::move(joining);
    ASSERT_TRUE(wait_until(
        [&] {
          return running->state() == StreamsState::kRunning && total_active_tasks(*running) == 4;
        },
        kSettle))
        << "round " << round << ": " << total_active_tasks(*running) << " tasks";
    produce_range("static-in", 200 * (round + 1), 200 * (round + 2));
  }
  reader->read_until(600, 30s);
  reader->read_for(300ms);
  ASSERT_OK(running->close());
  // Duplicates are allowed (at-least-once): the mock refuses commits while a rebalance is under
  // way, and a loaded machine can stretch one over records being processed.
  const int dup = expect_all_processed(reader->records(), 600);
  std::printf("static members: %d duplicates in the output\n", dup);
}

}  // namespace
}  // namespace kstreams::runtime_testing

namespace kstreams::runtime_testing {
namespace {

// --- Explicit stream partitioner ------------------------------------------------------------

TEST_F(LifecycleTest, StreamPartitionerChoosesTheOutputPartition) {
  ASSERT_OK(cluster_->create_topic("part-in", 2));
  ASSERT_OK(cluster_->create_topic("part-out", 4));
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("part-in").to(
      "part-out", Produced<std::string, std::string>{}.with_stream_partitioner(
                      [](const std::string& topic, const std::string&, const std::string& value,
                         std::int32_t partitions) -> std::optional<std::int32_t> {
                        EXPECT_EQ(topic, "part-out");
                        EXPECT_EQ(partitions, 4);
                        // "v<i>": records with an even i go to partition 3, odd ones to the
                        // default.
                        const int i = std::stoi(value.substr(1));
                        if (i % 2 == 0) return 3;
                        return std::nullopt;
                      }));
  auto topology = builder.build();
  ASSERT_OK(topology.status());
  produce_range("part-in", 0, 40);

  KafkaStreams app(*topology, config("partitioner-app"));
  ASSERT_OK(app.start());
  auto reader = TopicReader::open(cluster_->bootstrap(), {"part-out"});
  ASSERT_NE(reader, nullptr);
  const auto& records = reader->read_until(40, 30s);
  ASSERT_OK(app.close(30s));

  ASSERT_EQ(records.size(), 40u);
  int even_on_3 = 0;
  for (const auto& r : records) {
    const int i = std::stoi(r.value->substr(1));
    if (i % 2 == 0) {
      EXPECT_EQ(r.partition, 3) << *r.value;
      ++even_on_3;
    }
  }
  EXPECT_EQ(even_on_3, 20);
}

}  // namespace
}  // namespace kstreams::runtime_testing
