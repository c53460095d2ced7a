// File: tests/integration/runtime/runtime_test_util.h
//
// Helpers for integration tests of the Kafka runtime (KafkaStreams, stream threads) against the
// embedded cluster: a per-test cluster with topics, a StreamsConfig tuned for the librdkafka mock,
// and input/output clients that do not go through kstreams' runtime (plain src/kafka clients), so
// what they see is what any Kafka client would see. Every wait is bounded in time and rounds.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <kstreams/headers.h>
#include <kstreams/kafka_streams.h>
#include <kstreams/streams_config.h>
#include <kstreams/test_matchers.h>

#include "src/kafka/client_config.h"
#include "src/kafka/consumer.h"
#include "src/kafka/embedded_cluster.h"
#include "src/kafka/message.h"
#include "src/kafka/producer.h"

namespace kstreams::runtime_testing {

using namespace std::chrono_literals;

/// Polls `condition` every `step` until it holds or `limit` passes; true when it held.
template <class Condition>
bool wait_until(Condition condition, std::chrono::milliseconds limit,
                std::chrono::milliseconds step = 20ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (int round = 0; round < 100000; ++round) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
  return false;
}

/// Client settings for the test's own clients: 127.0.0.1 only, short timeouts.
inline kafka::ConfigEntries client_config(const std::string& bootstrap,
                                          kafka::ConfigEntries extra = {}) {
  kafka::ConfigEntries entries = {
      {"bootstrap.servers", bootstrap},
      {"broker.address.family", "v4"},
      {"socket.timeout.ms", "5000"},
      {"reconnect.backoff.max.ms", "500"},
  };
  for (auto& entry : extra) entries.push_back(std::move(entry));
  return entries;
}

/// A StreamsConfig for `bootstrap` tuned for the mock (the runtime applies these itself only
/// when it starts the embedded cluster): 3 s rebalances, 10 ms empty fetches, commits every
/// 200 ms, no periodic metrics log line.
inline StreamsConfig fast_config(const std::string& application_id, const std::string& bootstrap,
                                 const std::filesystem::path& state_dir) {
  return StreamsConfig{
      .application_id = application_id,
      .bootstrap_servers = bootstrap,
      .commit_interval_ms = 200,
      .state_dir = state_dir.string(),
      .poll_ms = 50,
      .metrics_log_interval_ms = 0,
      .client_properties =
          {
              {"consumer.session.timeout.ms", "4000"},
              {"consumer.heartbeat.interval.ms", "300"},
              {"consumer.fetch.wait.max.ms", "10"},
              {"broker.address.family", "v4"},
              {"reconnect.backoff.max.ms", "500"},
          },
  };
}

/// One consumed record, owned.
struct ConsumedRecord {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  Headers headers;
};

/// An embedded cluster owned by one test, plus the test's own producer.
class TestCluster {
 public:
  /// Starts a cluster of `brokers` brokers; nullptr (with a test failure) if it cannot.
  static std::unique_ptr<TestCluster> start(int brokers = 1) {
    auto cluster = kafka::EmbeddedCluster::start(brokers);
    if (!cluster.ok()) {
      ADD_FAILURE() << "EmbeddedCluster::start: " << cluster.status();
      return nullptr;
    }
    std::unique_ptr<TestCluster> out(new TestCluster());
    out->cluster_ = std::move(cluster).value();
    return out;
  }

  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;
  ~TestCluster() {
    // Clients before the cluster they are connected to.
    producer_.reset();
    cluster_.reset();
  }

  [[nodiscard]] const std::string& bootstrap() const { return cluster_->bootstrap_servers(); }
  kafka::EmbeddedCluster& cluster() { return *cluster_; }

  Status create_topic(const std::string& name, int partitions) {
    return cluster_->create_topic(name, partitions);
  }

  /// Enqueues one record (the key picks the partition unless `partition` is given).
  Status produce(const std::string& topic, std::optional<std::string> key,
                 std::optional<std::string> value, std::optional<std::int32_t> partition = {},
                 const Headers* headers = nullptr) {
    KSTREAMS_RETURN_IF_ERROR(ensure_producer());
    kafka::ProducerRecord record;
    record.topic = topic;
    record.partition = partition;
    if (key) record.key = ByteView(*key);
    if (value) record.value = ByteView(*value);
    record.headers = headers;
    for (int round = 0; round < 1000; ++round) {
      Status status = producer_->produce(record);
      if (status.code() != StatusCode::kRetriable) return status;
      producer_->poll(10ms);
    }
    return Status(StatusCode::kTimeout, "producer queue stayed full");
  }

  /// Waits until everything produced is acknowledged (fails on a delivery error).
  Status flush(std::chrono::milliseconds limit = 30s) {
    if (!producer_) return {};
    KSTREAMS_RETURN_IF_ERROR(producer_->flush(limit));
    return std::exchange(delivery_error_, Status());
  }

 private:
  TestCluster() = default;

  Status ensure_producer() {
    if (producer_) return {};
    KSTREAMS_ASSIGN_OR_RETURN(
        producer_,
        kafka::Producer::create(
            client_config(bootstrap(), {{"linger.ms", "5"}, {"partitioner", "murmur2_random"}}),
            [this](const kafka::DeliveryReport& report) {
              if (!report.status.ok() && delivery_error_.ok()) {
                delivery_error_ = report.status;
              }
            }));
    return {};
  }

  // Destruction order is handled by the destructor: producer first.
  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<kafka::Producer> producer_;
  Status delivery_error_;
};

/// Reads topics from the beginning without a consumer group (assign, no commits), accumulating
/// everything it has seen.
class TopicReader {
 public:
  static std::unique_ptr<TopicReader> open(const std::string& bootstrap,
                                           const std::vector<std::string>& topics) {
    auto consumer =
        kafka::Consumer::create(client_config(bootstrap, {{"group.id", "kstreams-test-reader"},
                                                          {"enable.auto.commit", "false"},
                                                          {"fetch.wait.max.ms", "10"},
                                                          {"queued.min.messages", "1000000"}}));
    if (!consumer.ok()) {
      ADD_FAILURE() << "reader consumer: " << consumer.status();
      return nullptr;
    }
    std::vector<kafka::TopicPartition> partitions;
    for (const std::string& topic : topics) {
      auto count = (*consumer)->partition_count(topic, 10s);
      if (!count.ok()) {
        ADD_FAILURE() << "partition count of " << topic << ": " << count.status();
        return nullptr;
      }
      for (int p = 0; p < *count; ++p) {
        partitions.push_back({topic, p, -2 /* RD_KAFKA_OFFSET_BEGINNING */});
      }
    }
    if (Status s = (*consumer)->assign(partitions); !s.ok()) {
      ADD_FAILURE() << "assign: " << s;
      return nullptr;
    }
    std::unique_ptr<TopicReader> reader(new TopicReader());
    reader->consumer_ = std::move(consumer).value();
    return reader;
  }

  /// Polls until `total` records have been read in all, or `limit` passes.
  const std::vector<ConsumedRecord>& read_until(std::size_t total,
                                                std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (int round = 0;
         round < 100000 && records_.size() < total && std::chrono::steady_clock::now() < deadline;
         ++round) {
      poll_once(50ms);
    }
    return records_;
  }

  /// Polls for `quiet` more (to catch duplicates or strays after the expected count).
  const std::vector<ConsumedRecord>& read_for(std::chrono::milliseconds quiet) {
    const auto deadline = std::chrono::steady_clock::now() + quiet;
    for (int round = 0; round < 100000 && std::chrono::steady_clock::now() < deadline; ++round) {
      poll_once(50ms);
    }
    return records_;
  }

  [[nodiscard]] const std::vector<ConsumedRecord>& records() const { return records_; }

  /// The records read from `topic`.
  [[nodiscard]] std::vector<ConsumedRecord> of(const std::string& topic) const {
    std::vector<ConsumedRecord> out;
    for (const auto& r : records_) {
      if (r.topic == topic) out.push_back(r);
    }
    return out;
  }

 private:
  TopicReader() = default;

  void poll_once(std::chrono::milliseconds timeout) {
    auto batch = consumer_->poll_batch(10000, timeout);
    if (!batch.ok()) {
      ADD_FAILURE() << "reader poll: " << batch.status();
      return;
    }
    for (const kafka::MessagePtr& m : *batch) {
      ConsumedRecord r;
      r.topic = std::string(kafka::message_topic(*m));
      r.partition = m->partition;
      r.offset = m->offset;
      if (auto k = kafka::message_key(*m)) r.key = std::string(*k);
      if (auto v = kafka::message_value(*m)) r.value = std::string(*v);
      if (auto h = kafka::message_headers(*m); h.ok()) r.headers = std::move(h).value();
      records_.push_back(std::move(r));
    }
  }

  std::unique_ptr<kafka::Consumer> consumer_;
  std::vector<ConsumedRecord> records_;
};

/// The sum over `topic`'s partitions of the offsets group `group` has committed (partitions
/// without a commit count 0), read with OffsetFetch by a client that does not join the group;
/// -1 on error. With partitions starting at offset 0, this is the number of records committed.
inline std::int64_t committed_total(const std::string& bootstrap, const std::string& group,
                                    const std::string& topic, int partitions) {
  auto consumer = kafka::Consumer::create(
      client_config(bootstrap, {{"group.id", group}, {"enable.auto.commit", "false"}}));
  if (!consumer.ok()) return -1;
  std::vector<kafka::TopicPartition> query;
  for (int p = 0; p < partitions; ++p) query.push_back({topic, p});
  auto committed = (*consumer)->committed(query, 5s);
  if (!committed.ok()) return -1;
  std::int64_t total = 0;
  for (const auto& tp : *committed) total += tp.offset >= 0 ? tp.offset : 0;
  return total;
}

/// Waits until `group` has committed `expected` records of `topic` (see committed_total).
inline bool wait_for_commits(const std::string& bootstrap, const std::string& group,
                             const std::string& topic, int partitions, std::int64_t expected,
                             std::chrono::milliseconds limit) {
  return wait_until(
      [&] { return committed_total(bootstrap, group, topic, partitions) == expected; }, limit,
      100ms);
}

/// Counts how often each value occurs (to find duplicates and losses).
inline std::map<std::string, int> count_values(const std::vector<ConsumedRecord>& records) {
  std::map<std::string, int> out;
  for (const auto& r : records) ++out[r.value.value_or("<null>")];
  return out;
}

/// Reads until `reader` has seen at least `n` distinct values; false if `limit` passes first.
inline bool read_distinct_values(TopicReader& reader, std::size_t n,
                                 std::chrono::milliseconds limit) {
  return wait_until(
      [&] {
        reader.read_for(50ms);
        return count_values(reader.records()).size() >= n;
      },
      limit);
}

/// Records seen more than once (sum of the extra copies).
inline int duplicates(const std::map<std::string, int>& counts) {
  int extra = 0;
  for (const auto& [value, n] : counts) extra += n > 1 ? n - 1 : 0;
  return extra;
}

/// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kstreams-runtime-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Records every state transition of a KafkaStreams instance (thread-safe).
class StateRecorder {
 public:
  StateListener listener() {
    return [this](StreamsState now, StreamsState before) {
      std::lock_guard lock(mutex_);
      transitions_.emplace_back(before, now);
    };
  }
  [[nodiscard]] std::vector<std::pair<StreamsState, StreamsState>> transitions() const {
    std::lock_guard lock(mutex_);
    return transitions_;
  }
  /// "CREATED->REBALANCING, REBALANCING->RUNNING, ..." for messages.
  [[nodiscard]] std::string to_string() const {
    std::string out;
    for (const auto& [from, to] : transitions()) {
      if (!out.empty()) out += ", ";
      out += std::string(kstreams::to_string(from)) + "->" + std::string(kstreams::to_string(to));
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<StreamsState, StreamsState>> transitions_;
};

}  // namespace kstreams::runtime_testing
