// State on the embedded cluster: aggregations through repartition topics, changelogs,
// checkpoints, restoration after a restart and after the local state is deleted, and the task
// directory lock. The mock keeps only ~5 MiB per partition, so the data here stays small (the
// large-restore and failover scenarios run against a real broker, tests/integration/broker).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
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
using ::testing::HasSubstr;

constexpr int kKeys = 20;

/// words (key: any, value: a word) -> group_by(word) -> count("counts") -> counts-out
Topology word_count() {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("words")
      .group_by([](const std::string& word) { return word; },
                Grouped<std::string, std::string>::as("by-word"))
      .count(Materialized<std::string, std::int64_t>::as("counts"))
      .to_stream()
      .to("counts-out");
  auto topology = builder.build();
  EXPECT_TRUE(topology.ok()) << topology.status();
  return std::move(topology).value();
}

std::int64_t big_endian_long(const std::string& bytes) {
  std::uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8U) | c;
  return static_cast<std::int64_t>(v);
}

class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = TestCluster::start(1);
    ASSERT_NE(cluster_, nullptr);
    ASSERT_OK(cluster_->create_topic("words", 3));
    ASSERT_OK(cluster_->create_topic("counts-out", 3));
    // The mock has no CreateTopics: create the internal topics the app would create itself.
    ASSERT_OK(cluster_->create_topic("it-state-by-word-repartition", 3));
    ASSERT_OK(cluster_->create_topic("it-state-counts-changelog", 3));
  }

  StreamsConfig config() {
    StreamsConfig c = fast_config("it-state", cluster_->bootstrap(), dir_.path());
    c.embedded_cluster_partitions = 3;
    c.processing_guarantee = guarantee_;
    return c;
  }

  /// `rounds` records per word "w0".."w19", keyed so they spread over every input partition.
  void produce_words(int rounds, int round_offset) {
    for (int r = 0; r < rounds; ++r) {
      for (int w = 0; w < kKeys; ++w) {
        ASSERT_OK(cluster_->produce(
            "words", "r" + std::to_string(r + round_offset) + "-" + std::to_string(w),
            "w" + std::to_string(w)));
      }
    }
    ASSERT_OK(cluster_->flush());
  }

  /// Runs the app until the latest count of every word in counts-out is `expected`.
  void run_until_counts(std::int64_t expected) {
    KafkaStreams app(word_count(), config());
    restored_ = 0;
    restorations_ = 0;
    app.set_global_state_restore_listener(StateRestoreListener{
        .on_restore_start = [this](const RestoreEvent&) { ++restorations_; },
        .on_batch_restored = {},
        .on_restore_end = [this](const RestoreEvent& e) { restored_ += e.total_restored; },
        .on_restore_suspended = {}});
    ASSERT_OK(app.start());
    auto reader = TopicReader::open(cluster_->bootstrap(), {"counts-out"});
    ASSERT_NE(reader, nullptr);
    std::map<std::string, std::int64_t> latest;
    const bool reached = wait_until(
        [&] {
          for (const auto& r : reader->read_for(std::chrono::milliseconds(100))) {
            if (r.key && r.value) latest[*r.key] = big_endian_long(*r.value);
          }
          if (latest.size() != static_cast<std::size_t>(kKeys)) return false;
          for (const auto& [word, n] : latest) {
            if (n != expected) return false;
          }
          return true;
        },
        std::chrono::seconds(60));
    EXPECT_TRUE(reached) << "latest counts never all reached " << expected << "; " << latest.size()
                         << " words seen";
    // Interactive queries see the same counts in the instance's local store.
    auto store = app.store<std::string, std::int64_t>("counts");
    ASSERT_OK(store.status());
    auto all = store->all();
    ASSERT_OK(all.status());
    EXPECT_EQ(all->size(), static_cast<std::size_t>(kKeys));
    for (const auto& kv : *all) EXPECT_EQ(kv.value, expected) << kv.key;
    auto one = store->get("w3");
    ASSERT_OK(one.status());
    EXPECT_EQ(*one, std::optional<std::int64_t>(expected));
    EXPECT_THAT((app.store<std::string, std::string>("counts").status()),
                StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT((app.store<std::string, std::int64_t>("nope").status()),
                StatusIs(StatusCode::kNotFound));
    ASSERT_OK(app.close(std::chrono::seconds(30)));
    for (const auto& [word, n] : latest) EXPECT_EQ(n, expected) << word;
  }

  std::filesystem::path app_dir() const { return dir_.path() / "it-state"; }

  /// A global table of `countries` (store "countries") beside a trivial stream.
  static Topology global_countries_topology() {
    StreamsBuilder builder;
    builder.global_table<std::string, std::string>(
        "countries", Materialized<std::string, std::string>::as("countries"));
    builder.stream<std::string, std::string>("words").to("counts-out");
    Result<Topology> topology = builder.build();
    EXPECT_TRUE(topology.ok()) << topology.status();
    return std::move(topology).value();
  }

  TempDir dir_;
  std::unique_ptr<TestCluster> cluster_;
  std::atomic<std::uint64_t> restored_{0};  // records restored in the last run
  std::atomic<int> restorations_{0};        // changelog partitions restored in the last run
  ProcessingGuarantee guarantee_ = ProcessingGuarantee::kAtLeastOnce;
};

TEST_F(StateTest, CountsSurviveARestartAndALostStateDirectory) {
  produce_words(5, 0);
  run_until_counts(5);  // through the by-word repartition topic, 3 partitions
  // A clean close leaves a checkpoint in every task directory with a store.
  int checkpoints = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(app_dir())) {
    if (entry.path().filename() == ".checkpoint") ++checkpoints;
  }
  EXPECT_EQ(checkpoints, 3) << "one per task of the counting sub-topology";

  // Restart on the same state: the checkpoints cover every changelog write, so nothing needs
  // restoring; counts go on.
  produce_words(1, 5);
  run_until_counts(6);
  EXPECT_EQ(restorations_.load(), 0);

  // Lose the local state: everything is rebuilt from the changelog, nothing is counted twice.
  std::filesystem::remove_all(app_dir());
  produce_words(1, 6);
  run_until_counts(7);
  EXPECT_EQ(restorations_.load(), 3);
  EXPECT_GE(restored_.load(), static_cast<std::uint64_t>(kKeys)) << "every word's count";

  // cleanup() (Kafka Streams' cleanUp) deletes the local state before a start.
  ASSERT_TRUE(std::filesystem::exists(app_dir()));
  KafkaStreams app(word_count(), config());
  ASSERT_OK(app.cleanup());
  EXPECT_FALSE(std::filesystem::exists(app_dir()));
}

TEST_F(StateTest, GlobalTableIsRestoredBeforeStartAndFollowsItsTopic) {
  ASSERT_OK(cluster_->create_topic("countries", 2));
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(cluster_->produce("countries", "c" + std::to_string(i), "v1-" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());
  KafkaStreams app(global_countries_topology(), config());
  // The restore listener hears of the global table's restoration, partition by partition.
  std::vector<RestoreEvent> started;
  std::vector<RestoreEvent> ended;
  std::uint64_t batched = 0;
  app.set_global_state_restore_listener(StateRestoreListener{
      .on_restore_start = [&](const RestoreEvent& e) { started.push_back(e); },
      .on_batch_restored = [&](const RestoreEvent& e) { batched += e.batch_restored; },
      .on_restore_end = [&](const RestoreEvent& e) { ended.push_back(e); },
      .on_restore_suspended = {}});
  ASSERT_OK(app.start());
  // start() restores global tables before it returns: the events are all in.
  ASSERT_FALSE(started.empty());
  EXPECT_EQ(started.size(), ended.size());
  std::uint64_t total = 0;
  for (const RestoreEvent& e : ended) {
    EXPECT_EQ(e.store, "countries");
    EXPECT_EQ(e.topic, "countries");
    EXPECT_EQ(e.start_offset, 0);
    EXPECT_EQ(e.total_restored, static_cast<std::uint64_t>(e.end_offset - e.start_offset));
    total += e.total_restored;
  }
  EXPECT_EQ(total, 50U);
  EXPECT_EQ(batched, 50U);
  ASSERT_TRUE(app.wait_for_state(StreamsState::kRunning, 30s));
  EXPECT_THAT(app.cleanup(), StatusIs(StatusCode::kIllegalState));  // not while running
  auto store = app.store<std::string, std::string>("countries");
  ASSERT_OK(store.status());
  // Everything already in the topic is there before the stream threads start.
  auto all = store->all();
  ASSERT_OK(all.status());
  EXPECT_EQ(all->size(), 50U);
  // Later updates and deletes follow.
  ASSERT_OK(cluster_->produce("countries", "c7", "v2-7"));
  ASSERT_OK(cluster_->produce("countries", "c8", std::nullopt));
  ASSERT_OK(cluster_->flush());
  EXPECT_TRUE(wait_until(
      [&] {
        auto c7 = store->get("c7");
        auto c8 = store->get("c8");
        return c7.ok() && *c7 == std::optional<std::string>("v2-7") && c8.ok() && !c8->has_value();
      },
      20s));
  ASSERT_OK(app.close());
}

// A stream joined with a global table: rows already in the topic at start are there for the
// first records; a row updated while running is what later records join with. The stream
// threads read the store while the global thread writes it.
TEST_F(StateTest, AStreamJoinsTheGlobalTableAsItIsWhenEachRecordIsProcessed) {
  ASSERT_OK(cluster_->create_topic("countries", 2));  // not co-partitioned with the words: fine
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(cluster_->produce("countries", "c" + std::to_string(i), "old-" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());
  StreamsBuilder builder;
  auto countries = builder.global_table<std::string, std::string>(
      "countries", Materialized<std::string, std::string>::as("countries"));
  builder.stream<std::string, std::string>("words")
      .join(
          countries, [](const std::string& country) { return country; },
          [](const std::string& country, const std::string& name) { return country + "=" + name; })
      .to("counts-out");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  KafkaStreams app(topology, config());
  ASSERT_OK(app.start());
  auto reader = TopicReader::open(cluster_->bootstrap(), {"counts-out"});
  ASSERT_NE(reader, nullptr);
  for (int i = 0; i < 20; ++i) ASSERT_OK(cluster_->produce("words", "w", "c" + std::to_string(i)));
  ASSERT_OK(cluster_->flush());
  auto counts = count_values(reader->read_until(20, 30s));
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(counts.contains("c" + std::to_string(i) + "=old-" + std::to_string(i))) << i;
  }
  // An update of the global topic, then a record that joins with it.
  ASSERT_OK(cluster_->produce("countries", "c3", "new-3"));
  ASSERT_OK(cluster_->flush());
  auto store = app.store<std::string, std::string>("countries");
  ASSERT_OK(store.status());
  ASSERT_TRUE(wait_until(
      [&] {
        auto c3 = store->get("c3");
        return c3.ok() && *c3 == std::optional<std::string>("new-3");
      },
      20s));
  ASSERT_OK(cluster_->produce("words", "w", "c3"));
  ASSERT_OK(cluster_->flush());
  counts = count_values(reader->read_until(21, 30s));
  EXPECT_TRUE(counts.contains("c3=new-3"));
  ASSERT_OK(app.close());
}

/// What a restore listener heard, per changelog partition; written by the stream thread.
struct Events {
  /// Records into this; `after_batch` runs after each batch is counted.
  StateRestoreListener listener(std::function<void()> after_batch = {}) {
    return StateRestoreListener{
        .on_restore_start = {},
        .on_batch_restored =
            [this, after_batch](const RestoreEvent& e) {
              {
                std::lock_guard lock(mutex);
                batched[e.partition] += e.batch_restored;
              }
              if (after_batch) after_batch();
            },
        .on_restore_end = [this](const RestoreEvent& e) { add(ended, e); },
        .on_restore_suspended = [this](const RestoreEvent& e) { add(suspended, e); }};
  }
  void add(std::map<std::int32_t, RestoreEvent>& to, const RestoreEvent& e) {
    std::lock_guard lock(mutex);
    to.emplace(e.partition, e);
  }

  std::mutex mutex;
  std::map<std::int32_t, std::uint64_t> batched;  // records per changelog partition
  std::map<std::int32_t, RestoreEvent> ended;
  std::map<std::int32_t, RestoreEvent> suspended;
};

// A task closed while its store is still being restored (here the client closes) tells the
// restore listener the restoration was suspended, not ended; the next owner of the task (here
// the same client restarted) restores it to the end.
TEST_F(StateTest, ClosingDuringRestorationReportsItSuspended) {
  constexpr int kPerPartition = 20000;  // several restore batches (10 000 records at most)
  const std::string value(8, '\1');
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < kPerPartition; ++i) {
      ASSERT_OK(cluster_->produce("it-state-counts-changelog", "k" + std::to_string(i), value, p));
    }
  }
  ASSERT_OK(cluster_->flush());

  Events first;
  std::atomic<bool> first_batch{false};
  {
    KafkaStreams app(word_count(), config());
    app.set_global_state_restore_listener(first.listener([&] {
      if (first_batch.exchange(true)) return;
      // Hold the restoration here until the client is closing, then give the stream thread a
      // moment to see the shutdown request.
      const auto deadline = std::chrono::steady_clock::now() + 30s;
      while (app.state() != StreamsState::kPendingShutdown &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
      }
      std::this_thread::sleep_for(100ms);
    }));
    ASSERT_OK(app.start());
    ASSERT_TRUE(wait_until([&] { return first_batch.load(); }, 60s)) << "restoration never began";
    ASSERT_OK(app.close(30s));
  }
  // The first client is gone: nothing writes `first` any more.
  ASSERT_FALSE(first.suspended.empty()) << first.ended.size() << " restorations ended";
  for (const auto& [partition, e] : first.suspended) {
    EXPECT_FALSE(first.ended.contains(partition)) << "partition " << partition;
    EXPECT_EQ(e.store, "counts");
    EXPECT_EQ(e.topic, "it-state-counts-changelog");
    EXPECT_EQ(e.end_offset, kPerPartition);
    EXPECT_EQ(e.total_restored, first.batched[partition]) << "partition " << partition;
    EXPECT_LT(e.total_restored, static_cast<std::uint64_t>(kPerPartition));
  }
  EXPECT_EQ(first.ended.size() + first.suspended.size(), 3U);

  // Restarted, the client restores every changelog partition to its end.
  Events second;
  KafkaStreams app(word_count(), config());
  app.set_global_state_restore_listener(second.listener());
  ASSERT_OK(app.start());
  EXPECT_TRUE(wait_until(
      [&] {
        std::lock_guard lock(second.mutex);
        return std::all_of(first.suspended.begin(), first.suspended.end(),
                           [&](const auto& s) { return second.ended.contains(s.first); });
      },
      60s));
  ASSERT_OK(app.close(30s));
  EXPECT_TRUE(second.suspended.empty());
  for (const auto& [partition, e] : second.ended) EXPECT_EQ(e.end_offset, kPerPartition);
}

// The global stream thread cannot be replaced: when it stops on an error (here its state
// directory vanishes, so its next checkpoint cannot be written) the client shuts down with that
// error instead of serving a global table that no longer follows its topic.
TEST_F(StateTest, AFailedGlobalStreamThreadShutsTheClientDown) {
  ASSERT_OK(cluster_->create_topic("countries", 1));
  ASSERT_OK(cluster_->produce("countries", "no", "Norway"));
  ASSERT_OK(cluster_->flush());
  KafkaStreams app(global_countries_topology(), config());
  ASSERT_OK(app.start());
  ASSERT_TRUE(app.wait_for_state(StreamsState::kRunning, 30s));
  const std::filesystem::path global_dir = app_dir() / "global";
  ASSERT_TRUE(std::filesystem::exists(global_dir)) << global_dir;
  std::filesystem::remove_all(global_dir);
  ASSERT_OK(cluster_->produce("countries", "it", "Italy"));
  ASSERT_OK(cluster_->flush());
  ASSERT_TRUE(app.wait_for_state(StreamsState::kError, 30s)) << to_string(app.state());
  EXPECT_THAT(app.error(), StatusIs(StatusCode::kIo, HasSubstr("global stream thread")));
  static_cast<void>(app.close());
}

// The transactional commit path (init, begin, send offsets, commit) on the mock. The mock does not
// isolate transactions, so what exactly-once guarantees is tested against a real broker
// (tests/integration/broker); this checks that the path runs and produces the right counts.
TEST_F(StateTest, ExactlyOnceCommitsTransactions) {
  guarantee_ = ProcessingGuarantee::kExactlyOnceV2;
  produce_words(3, 0);
  run_until_counts(3);
}

}  // namespace
}  // namespace kstreams::runtime_testing
