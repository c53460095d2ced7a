// The address router end to end on the Kafka runtime: generated input (with incomplete and
// undecodable records) produced by a plain client, routed by KafkaStreams, read back by a plain
// client, every record checked against where the generator says it belongs. On the embedded
// cluster: routing needs no broker semantics (scale-out and failover run against a real broker,
// tests/integration/broker/router_scenarios.py).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kafka_streams.h>
#include <kstreams/kstreams.h>

#include "examples/address_router/address_generator.h"
#include "examples/address_router/address_router.h"
#include "examples/address_router/sample_input.h"
#include "tests/integration/runtime/runtime_test_util.h"

namespace kstreams::runtime_testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = TestCluster::start(1);
    ASSERT_NE(cluster_, nullptr);
  }
  void TearDown() override { cluster_.reset(); }

  TempDir dir_;
  std::unique_ptr<TestCluster> cluster_;
};

TEST_F(RouterTest, EveryGeneratedRecordLandsWhereItBelongs) {
  using address_router::Route;
  const std::string input(address_router::kInputTopic);
  const std::map<Route, std::string> topic_of = {
      {Route::kShipping, std::string(address_router::kShippingTopic)},
      {Route::kBilling, std::string(address_router::kBillingTopic)},
      {Route::kInvalid, std::string(address_router::kInvalidTopic)},
      {Route::kDeadLetter, std::string(address_router::kDeadLetterTopic)}};
  ASSERT_OK(cluster_->create_topic(input, 4));
  for (const auto& [route, topic] : topic_of) ASSERT_OK(cluster_->create_topic(topic, 4));

  StreamsBuilder builder;
  address_router::build(builder);
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  StreamsConfig config = fast_config("it-router", cluster_->bootstrap(), dir_.path());
  address_router::configure(config);
  KafkaStreams app(topology, config);
  ASSERT_OK(app.start());

  // What the generator says: per output topic, the address ids (or, for the dead-letter topic,
  // the undecodable bytes) that must arrive there.
  constexpr int kRecords = 2000;
  address_router::AddressGenerator generator(7, 0.2);
  std::map<std::string, std::multiset<std::string>> expected;
  std::map<std::string, std::string> dlq_key_by_value;
  for (int i = 0; i < kRecords; ++i) {
    address_router::GeneratedRecord record = generator.next();
    const std::string& topic = topic_of.at(record.expected);
    if (record.expected == Route::kDeadLetter) {
      expected[topic].insert(record.value);
      dlq_key_by_value[record.value] = record.key;
    } else {
      address_router::Address address;
      ASSERT_TRUE(address.ParseFromString(record.value));
      expected[topic].insert(address.address_id());
    }
    ASSERT_OK(cluster_->produce(input, record.key, record.value));
  }
  ASSERT_OK(cluster_->flush());
  for (const auto& [route, topic] : topic_of) {
    ASSERT_FALSE(expected[topic].empty()) << "the generator should produce some " << topic;
  }

  std::vector<std::string> outputs;
  for (const auto& [route, topic] : topic_of) outputs.push_back(topic);
  outputs.push_back(input);  // to resolve the dead letters' partition/offset headers
  auto reader = TopicReader::open(cluster_->bootstrap(), outputs);
  ASSERT_NE(reader, nullptr);
  reader->read_until(2 * kRecords, 40s);
  reader->read_for(500ms);  // nothing more may arrive
  ASSERT_OK(app.close());
  EXPECT_EQ(app.state(), StreamsState::kNotRunning);

  for (const auto& [route, topic] : topic_of) {
    const std::vector<ConsumedRecord> got = reader->of(topic);
    std::multiset<std::string> ids;
    for (const ConsumedRecord& r : got) {
      ASSERT_TRUE(r.value.has_value()) << topic;
      if (route == Route::kDeadLetter) {
        ids.insert(*r.value);
        continue;
      }
      address_router::Address address;
      ASSERT_TRUE(address.ParseFromString(*r.value)) << topic << " holds undecodable bytes";
      EXPECT_EQ(r.key, address.customer_id()) << "the key stays the customer id";
      ids.insert(address.address_id());
    }
    EXPECT_EQ(got.size(), expected[topic].size()) << topic;
    EXPECT_TRUE(ids == expected[topic]) << topic << ": the routed records differ from the expected";
  }

  // Dead letters: the original key and bytes, and headers that say what failed and where.
  std::map<std::pair<std::int32_t, std::int64_t>, std::string> input_at;
  for (const ConsumedRecord& r : reader->of(input)) {
    input_at[{r.partition, r.offset}] = r.value.value_or("");
  }
  ASSERT_EQ(input_at.size(), static_cast<std::size_t>(kRecords));
  for (const ConsumedRecord& r : reader->of(std::string(address_router::kDeadLetterTopic))) {
    const std::string value = r.value.value_or("");
    EXPECT_EQ(r.key, dlq_key_by_value[value]);
    EXPECT_THAT(r.headers.last_value(kDlqHeaderException),
                Optional(std::string("kstreams::SerializationException")));
    EXPECT_THAT(r.headers.last_value(kDlqHeaderMessage), Optional(::testing::Not("")));
    EXPECT_THAT(r.headers.last_value(kDlqHeaderTopic), Optional(input));
    EXPECT_TRUE(r.headers.last_value(kDlqHeaderNode).has_value());
    EXPECT_TRUE(r.headers.last_value(kDlqHeaderTime).has_value());
    const auto partition = r.headers.last_value(kDlqHeaderPartition);
    const auto offset = r.headers.last_value(kDlqHeaderOffset);
    ASSERT_TRUE(partition.has_value() && offset.has_value());
    const auto it = input_at.find({std::stoi(*partition), std::stoll(*offset)});
    ASSERT_NE(it, input_at.end()) << "headers point at " << *partition << "@" << *offset;
    EXPECT_EQ(it->second, value) << "the headers point at the original record";
  }

  const ProcessingMetrics m = app.metrics();
  EXPECT_EQ(m.records_processed, static_cast<std::uint64_t>(kRecords));
  EXPECT_EQ(m.records_dead_lettered,
            expected[std::string(address_router::kDeadLetterTopic)].size());
  EXPECT_EQ(m.records_produced, static_cast<std::uint64_t>(kRecords));
}

TEST_F(RouterTest, SampleInputStopsWhenAskedAndDeliversWhatItProduced) {
  const std::string input(address_router::kInputTopic);
  ASSERT_OK(cluster_->create_topic(input, 4));
  const StreamsConfig config = fast_config("it-router-sample", cluster_->bootstrap(), dir_.path());
  constexpr std::int64_t kAsked = 1'000'000;
  int stop_checks = 0;
  auto produced = address_router::produce_sample_input(
      address_router::sample_client_properties(config, cluster_->bootstrap()),
      {.topic = input, .count = kAsked, .seed = 7, .invalid_share = 0.2},
      [&] { return ++stop_checks > 3; });
  ASSERT_OK(produced.status());

  std::int64_t total = 0;
  for (const auto& [route, count] : *produced) total += count;
  EXPECT_EQ(total, 3 * 1000) << "asked every 1000 records: the 4th answer stops it";
  auto counts = address_router::count_records(
      address_router::sample_client_properties(config, cluster_->bootstrap()), {input});
  ASSERT_OK(counts.status());
  EXPECT_EQ((*counts)[input], total) << "every record produced before the stop is delivered";
}

}  // namespace
}  // namespace kstreams::runtime_testing
