// Integration tests of src/kafka (Producer, Consumer, EmbeddedCluster) against the in-process
// embedded cluster on 127.0.0.1. Each test starts its own cluster; each is bounded in time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/test_matchers.h>

#include "src/kafka/consumer.h"
#include "src/kafka/embedded_cluster.h"
#include "src/kafka/error.h"
#include "src/kafka/message.h"
#include "src/kafka/producer.h"
#include "tests/integration/kafka/kafka_test_util.h"

namespace kstreams::kafka {
namespace {

using kstreams::testing::IsOk;
using kstreams::testing::IsOkAndHolds;
using kstreams::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;
using kafka::testing::all_from_beginning;
using kafka::testing::consume_at_least;
using kafka::testing::consumer_config;
using kafka::testing::test_config;

class KafkaClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = EmbeddedCluster::start(3);
    ASSERT_THAT(started, IsOk());
    cluster_ = std::move(*started);
    EXPECT_THAT(cluster_->bootstrap_servers(), HasSubstr("127.0.0.1:"));
  }

  std::unique_ptr<Producer> make_producer(ConfigEntries extra = {}) {
    extra.emplace_back("linger.ms", "5");
    auto producer = Producer::create(test_config(cluster_->bootstrap_servers(), std::move(extra)),
                                     [this](const DeliveryReport& report) {
                                       std::lock_guard lock(mutex_);
                                       reports_.push_back(report.status);
                                       if (report.status.ok()) ++delivered_;
                                     });
    EXPECT_THAT(producer, IsOk());
    return producer.ok() ? std::move(*producer) : nullptr;
  }

  int delivered() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  std::vector<Status> failures() {
    std::lock_guard lock(mutex_);
    std::vector<Status> out;
    for (const Status& s : reports_) {
      if (!s.ok()) out.push_back(s);
    }
    return out;
  }

  // Declared first, so destroyed last: clients must go before the cluster.
  std::unique_ptr<EmbeddedCluster> cluster_;
  std::mutex mutex_;
  std::vector<Status> reports_;
  int delivered_ = 0;
};

TEST_F(KafkaClientTest, ProduceConsumeRoundTripWithHeaders) {
  ASSERT_OK(cluster_->create_topic("round-trip", 3));
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);

  Headers headers{{"trace", Bytes("abc")}, {"empty", Bytes()}, {"null", std::nullopt}};
  headers.add("trace", Bytes("second"));
  ASSERT_OK(producer->produce({.topic = "round-trip",
                               .partition = 2,
                               .key = ByteView("k1"),
                               .value = ByteView("v1"),
                               .headers = &headers,
                               .timestamp_ms = 1'700'000'000'000}));
  ASSERT_OK(producer->produce(
      {.topic = "round-trip", .partition = 2, .key = ByteView("k2"), .value = std::nullopt}));
  ASSERT_OK(producer->produce(
      {.topic = "round-trip", .partition = 2, .key = std::nullopt, .value = ByteView("")}));
  ASSERT_OK(producer->flush(10s));
  EXPECT_EQ(delivered(), 3);
  EXPECT_THAT(failures(), ::testing::IsEmpty());
  EXPECT_EQ(producer->outstanding(), 0);

  auto consumer = Consumer::create(consumer_config(cluster_->bootstrap_servers(), "rt"));
  ASSERT_THAT(consumer, IsOk());
  ASSERT_OK((*consumer)->assign(all_from_beginning("round-trip", 3)));
  std::vector<MessagePtr> records = consume_at_least(**consumer, 3, 10s);
  ASSERT_EQ(records.size(), 3u);

  const rd_kafka_message_t& first = *records[0];
  EXPECT_EQ(message_topic(first), "round-trip");
  EXPECT_EQ(first.partition, 2);
  EXPECT_EQ(first.offset, 0);
  EXPECT_EQ(message_key(first), NullableByteView("k1"));
  EXPECT_EQ(message_value(first), NullableByteView("v1"));
  EXPECT_EQ(message_timestamp(first), std::optional<std::int64_t>(1'700'000'000'000));
  EXPECT_THAT(message_headers(first), IsOkAndHolds(headers));

  EXPECT_EQ(message_key(*records[1]), NullableByteView("k2"));
  EXPECT_EQ(message_value(*records[1]), std::nullopt) << "a tombstone stays null";
  EXPECT_THAT(message_headers(*records[1]), IsOkAndHolds(Headers()));

  EXPECT_EQ(message_key(*records[2]), std::nullopt);
  EXPECT_EQ(message_value(*records[2]), NullableByteView("")) << "empty is not null";
  EXPECT_EQ(records[2]->offset, 2);

  auto position = (*consumer)->position({{"round-trip", 2}});
  EXPECT_THAT(position, IsOkAndHolds(ElementsAre(TopicPartition{"round-trip", 2, 3})));
  records.clear();  // Messages go before their consumer.
  EXPECT_OK((*consumer)->close());
}

TEST_F(KafkaClientTest, PartitionerSpreadsKeysAndKeepsKeysTogether) {
  ASSERT_OK(cluster_->create_topic("keyed", 4));
  auto producer = make_producer({{"partitioner", "murmur2_random"}});
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 40; ++i) {
    const std::string key = "key-" + std::to_string(i % 8);
    ASSERT_OK(producer->produce({.topic = "keyed", .key = key, .value = ByteView("v")}));
  }
  ASSERT_OK(producer->flush(10s));
  ASSERT_EQ(delivered(), 40);

  auto consumer = Consumer::create(consumer_config(cluster_->bootstrap_servers(), "keyed"));
  ASSERT_THAT(consumer, IsOk());
  ASSERT_OK((*consumer)->assign(all_from_beginning("keyed", 4)));
  std::vector<MessagePtr> records = consume_at_least(**consumer, 40, 10s);
  ASSERT_EQ(records.size(), 40u);
  std::map<std::string, std::set<int>> partitions_of_key;
  std::set<int> used;
  for (const MessagePtr& m : records) {
    partitions_of_key[std::string(*message_key(*m))].insert(m->partition);
    used.insert(m->partition);
  }
  for (const auto& [key, parts] : partitions_of_key) EXPECT_EQ(parts.size(), 1u) << key;
  EXPECT_GT(used.size(), 1u);
}

TEST_F(KafkaClientTest, CreatedTopicHasRequestedPartitionCount) {
  ASSERT_OK(cluster_->create_topic("seven", 7));
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  EXPECT_THAT(producer->partition_count("seven", 5s), IsOkAndHolds(7));
  // Asking about a topic that does not exist must not create it.
  EXPECT_THAT(producer->partition_count("missing", 5s),
              StatusIs(StatusCode::kNotFound, HasSubstr("'missing'")));
  EXPECT_THAT(producer->partition_count("missing", 5s), StatusIs(StatusCode::kNotFound));

  auto consumer = Consumer::create(consumer_config(cluster_->bootstrap_servers(), "pc"));
  ASSERT_THAT(consumer, IsOk());
  EXPECT_THAT((*consumer)->partition_count("seven", 5s), IsOkAndHolds(7));
}

TEST_F(KafkaClientTest, CreateTopicRejectsBadArguments) {
  EXPECT_THAT(cluster_->create_topic("", 1), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(cluster_->create_topic("t", 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(cluster_->create_topic("t", 1, 4),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("replication")));
  EXPECT_THAT(cluster_->set_broker_down(0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(cluster_->set_broker_up(4), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(KafkaClientTest, CommitAndCommittedRoundTripInGroup) {
  ASSERT_OK(cluster_->create_topic("orders", 2));
  auto producer = make_producer();
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(producer->produce(
        {.topic = "orders", .partition = i % 2, .key = ByteView("k"), .value = ByteView("v")}));
  }
  ASSERT_OK(producer->flush(10s));

  std::vector<std::pair<RebalanceEvent, std::vector<TopicPartition>>> events;
  auto consumer = Consumer::create(
      consumer_config(cluster_->bootstrap_servers(), "commit-group"),
      [&events](RebalanceEvent event, const std::vector<TopicPartition>& partitions) {
        events.emplace_back(event, partitions);
      });
  ASSERT_THAT(consumer, IsOk());
  ASSERT_OK((*consumer)->subscribe({"orders"}));
  std::vector<MessagePtr> records = consume_at_least(**consumer, 10, 15s);
  ASSERT_EQ(records.size(), 10u);
  ASSERT_GE(events.size(), 1u);
  EXPECT_EQ(events[0].first, RebalanceEvent::kAssigned);
  EXPECT_EQ(events[0].second.size(), 2u);
  EXPECT_THAT((*consumer)->assignment(), IsOkAndHolds(::testing::SizeIs(2)));

  // Nothing committed yet.
  const std::vector<TopicPartition> both = {{"orders", 0}, {"orders", 1}};
  EXPECT_THAT((*consumer)->committed(both, 5s),
              IsOkAndHolds(ElementsAre(TopicPartition{"orders", 0, kInvalidOffset},
                                       TopicPartition{"orders", 1, kInvalidOffset})));

  // Commit the current positions synchronously...
  ASSERT_OK((*consumer)->commit({}, CommitMode::kSync));
  EXPECT_THAT(
      (*consumer)->committed(both, 5s),
      IsOkAndHolds(ElementsAre(TopicPartition{"orders", 0, 5}, TopicPartition{"orders", 1, 5})));
  // ... and explicit offsets asynchronously (served by the next polls).
  ASSERT_OK((*consumer)->commit({{"orders", 0, 3}}, CommitMode::kAsync));
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    ASSERT_THAT((*consumer)->poll_batch(10, 20ms), IsOk());
    auto committed = (*consumer)->committed({{"orders", 0}}, 5s);
    ASSERT_THAT(committed, IsOk());
    seen = (*committed)[0].offset == 3;
  }
  EXPECT_TRUE(seen) << "async commit of offset 3 never became visible";

  // Pause/resume are accepted for assigned partitions.
  EXPECT_OK((*consumer)->pause({{"orders", 0}}));
  EXPECT_OK((*consumer)->resume({{"orders", 0}}));

  GroupMetadataPtr metadata = (*consumer)->group_metadata();
  EXPECT_NE(metadata, nullptr);

  records.clear();
  ASSERT_OK((*consumer)->close());
  EXPECT_OK((*consumer)->close()) << "close is idempotent";
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back().first, RebalanceEvent::kRevoked);

  // Another member of the group sees the offsets without joining.
  auto reader = Consumer::create(consumer_config(cluster_->bootstrap_servers(), "commit-group"));
  ASSERT_THAT(reader, IsOk());
  EXPECT_THAT(
      (*reader)->committed(both, 5s),
      IsOkAndHolds(ElementsAre(TopicPartition{"orders", 0, 3}, TopicPartition{"orders", 1, 5})));
}

TEST_F(KafkaClientTest, IdempotentProducerDeliversEverythingAcrossBrokerOutage) {
  constexpr int kPartitions = 3;
  constexpr int kRecords = 300;
  ASSERT_OK(cluster_->create_topic("outage", kPartitions));
  auto producer = make_producer({{"enable.idempotence", "true"},
                                 {"message.timeout.ms", "25000"},
                                 {"retry.backoff.ms", "50"},
                                 {"reconnect.backoff.ms", "50"},
                                 {"reconnect.backoff.max.ms", "200"}});
  ASSERT_NE(producer, nullptr);
  auto produce_range = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      const std::string key = std::to_string(i);
      ASSERT_OK(producer->produce(
          {.topic = "outage", .partition = i % kPartitions, .key = key, .value = key}));
    }
  };

  produce_range(0, 100);
  ASSERT_OK(producer->flush(10s));

  // Every partition leader goes down while records are in flight, and the first Produce
  // requests afterwards fail.
  for (int broker = 1; broker <= 3; ++broker) ASSERT_OK(cluster_->set_broker_down(broker));
  produce_range(100, 200);
  for (int i = 0; i < 10; ++i) producer->poll(50ms);
  for (int broker = 1; broker <= 3; ++broker) ASSERT_OK(cluster_->set_broker_up(broker));
  ASSERT_OK(cluster_->push_request_errors(
      0, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR__TRANSPORT,
          RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS}));
  produce_range(200, kRecords);
  ASSERT_OK(producer->flush(20s));
  EXPECT_EQ(delivered(), kRecords);
  EXPECT_THAT(failures(), ::testing::IsEmpty());
  EXPECT_OK(producer->fatal_error());

  auto consumer = Consumer::create(consumer_config(cluster_->bootstrap_servers(), "outage"));
  ASSERT_THAT(consumer, IsOk());
  ASSERT_OK((*consumer)->assign(all_from_beginning("outage", kPartitions)));
  std::vector<MessagePtr> records = consume_at_least(**consumer, kRecords, 10s);
  std::set<int> seen;
  std::map<int, int> last_in_partition;
  for (const MessagePtr& m : records) {
    const int i = std::stoi(std::string(*message_key(*m)));
    EXPECT_EQ(i % kPartitions, m->partition);
    // Order within a partition is kept (idempotence); the mock does not de-duplicate retries of
    // a non-transactional producer, so a repeat of the previous record is tolerated.
    auto last = last_in_partition.find(m->partition);
    if (last != last_in_partition.end()) {
      EXPECT_GE(i, last->second - kPartitions) << i;
    }
    last_in_partition[m->partition] = i;
    seen.insert(i);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRecords));
}

TEST_F(KafkaClientTest, BrokerRttDelaysResponses) {
  ASSERT_OK(cluster_->create_topic("slow", 1));
  auto producer = make_producer({{"linger.ms", "0"}});
  ASSERT_NE(producer, nullptr);
  ASSERT_OK(producer->produce({.topic = "slow", .partition = 0, .value = ByteView("warm")}));
  ASSERT_OK(producer->flush(10s));
  for (int broker = 1; broker <= 3; ++broker) ASSERT_OK(cluster_->set_broker_rtt(broker, 300ms));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK(producer->produce({.topic = "slow", .partition = 0, .value = ByteView("slow")}));
  ASSERT_OK(producer->flush(10s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_THAT(producer->flush(0ms), IsOk()) << "nothing outstanding";
}

TEST_F(KafkaClientTest, FlushTimesOutWhenAllBrokersAreDown) {
  ASSERT_OK(cluster_->create_topic("down", 1));
  auto producer = make_producer({{"message.timeout.ms", "20000"}});
  ASSERT_NE(producer, nullptr);
  ASSERT_THAT(producer->partition_count("down", 5s), IsOkAndHolds(1));
  for (int broker = 1; broker <= 3; ++broker) ASSERT_OK(cluster_->set_broker_down(broker));
  ASSERT_OK(producer->produce({.topic = "down", .partition = 0, .value = ByteView("x")}));
  EXPECT_THAT(producer->flush(300ms), StatusIs(StatusCode::kTimeout, HasSubstr("1 records")));
  for (int broker = 1; broker <= 3; ++broker) ASSERT_OK(cluster_->set_broker_up(broker));
  EXPECT_OK(producer->flush(15s));
  EXPECT_EQ(delivered(), 1);
}

// The transactional API raises error objects with the fatal / txn_requires_abort flags; check
// that error.h classifies what the mock's injected errors produce.
TEST_F(KafkaClientTest, TransactionalErrorsAreClassified) {
  ASSERT_OK(cluster_->create_topic("txn", 1));
  auto producer =
      make_producer({{"transactional.id", "txn-1"}, {"transaction.timeout.ms", "10000"}});
  ASSERT_NE(producer, nullptr);
  rd_kafka_t* rk = producer->native_handle();
  ASSERT_OK(to_status(ErrorPtr(rd_kafka_init_transactions(rk, 10000)), "init"));

  // A record the broker rejects for good: the transaction must be aborted.
  ASSERT_OK(to_status(ErrorPtr(rd_kafka_begin_transaction(rk)), "begin"));
  ASSERT_OK(cluster_->push_request_errors(0, {RD_KAFKA_RESP_ERR_INVALID_RECORD}));
  ASSERT_OK(producer->produce({.topic = "txn", .partition = 0, .value = ByteView("bad")}));
  producer->flush(10s).ignore_error();  // Its delivery fails; the commit below says how.
  EXPECT_THAT(to_status(ErrorPtr(rd_kafka_commit_transaction(rk, 10000)), "commit"),
              StatusIs(StatusCode::kTransactionAbortable, HasSubstr("txn_requires_abort")));
  ASSERT_OK(to_status(ErrorPtr(rd_kafka_abort_transaction(rk, 10000)), "abort"));

  // Fenced at commit: fatal for the producer, task migration for the runtime. (A fresh producer:
  // after the failed record the mock wants an epoch bump from the first one.)
  auto fenced = make_producer({{"transactional.id", "txn-2"}, {"transaction.timeout.ms", "10000"}});
  ASSERT_NE(fenced, nullptr);
  rk = fenced->native_handle();
  ASSERT_OK(to_status(ErrorPtr(rd_kafka_init_transactions(rk, 10000)), "init"));
  ASSERT_OK(to_status(ErrorPtr(rd_kafka_begin_transaction(rk)), "begin"));
  ASSERT_OK(fenced->produce({.topic = "txn", .partition = 0, .value = ByteView("ok")}));
  ASSERT_OK(fenced->flush(10s));
  ASSERT_OK(cluster_->push_request_errors(26 /* EndTxn */, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED}));
  EXPECT_THAT(to_status(ErrorPtr(rd_kafka_commit_transaction(rk, 10000)), "commit"),
              StatusIs(StatusCode::kTaskMigrated, HasSubstr("fatal")));
  EXPECT_THAT(fenced->fatal_error(), StatusIs(StatusCode::kTaskMigrated));
}

}  // namespace
}  // namespace kstreams::kafka
