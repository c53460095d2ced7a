// The client side of exactly_once_v2 under injected faults, on the embedded cluster. The mock
// runs the transactional protocol but does not isolate transactions (aborted records stay
// visible), so these tests check the client paths — a failed transaction is aborted, the tasks
// rewound and the input processed again, and the thread goes on — and that nothing is lost. That
// aborted output is invisible to read_committed readers is proven against a real broker
// (tests/integration/broker/eos_scenarios.py).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <kstreams/kafka_streams.h>
#include <kstreams/kstreams.h>

#include "tests/integration/runtime/runtime_test_util.h"

namespace kstreams::runtime_testing {
namespace {

constexpr std::int16_t kProduceApi = 0;

class ExactlyOnceFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = TestCluster::start(1);
    ASSERT_NE(cluster_, nullptr);
    ASSERT_OK(cluster_->create_topic("eos-in", 2));
    ASSERT_OK(cluster_->create_topic("eos-out", 2));
  }

  std::uint64_t aborts(const KafkaStreams& app) {
    std::uint64_t n = 0;
    for (const auto& t : app.thread_metrics()) n += t.aborts;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<TestCluster> cluster_;
};

TEST_F(ExactlyOnceFaultTest, AFailedProduceAbortsTheTransactionAndTheInputIsProcessedAgain) {
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("eos-in")
      .map_values([](const std::string& v) { return v + "!"; })
      .to("eos-out");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  StreamsConfig config = fast_config("it-eos-faults", cluster_->bootstrap(), dir_.path());
  config.processing_guarantee = ProcessingGuarantee::kExactlyOnceV2;
  config.commit_interval_ms = 100;
  constexpr int kRecords = 200;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_OK(cluster_->produce("eos-in", "k" + std::to_string(i), "v" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());
  // The app's first produce requests fail with a permanent error: the records in them fail, so
  // the transaction cannot commit.
  ASSERT_OK(cluster_->cluster().push_request_errors(
      kProduceApi, {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE}));
  KafkaStreams app(topology, config);
  ASSERT_OK(app.start());
  auto reader = TopicReader::open(cluster_->bootstrap(), {"eos-out"});
  ASSERT_NE(reader, nullptr);

  ASSERT_TRUE(read_distinct_values(*reader, static_cast<std::size_t>(kRecords), 40s))
      << count_values(reader->records()).size() << " of " << kRecords << " distinct outputs; "
      << to_string(app.state()) << " " << app.error();
  EXPECT_NE(app.state(), StreamsState::kError) << app.error();
  EXPECT_GE(aborts(app), 1U) << "the failed transaction was aborted";
  const auto counts = count_values(reader->records());
  for (int i = 0; i < kRecords; ++i) {
    EXPECT_TRUE(counts.contains("v" + std::to_string(i) + "!")) << "lost v" << i;
  }
  std::printf("eos faults: %llu aborted transactions, %d records visible twice on the mock\n",
              static_cast<unsigned long long>(aborts(app)), duplicates(counts));
  ASSERT_OK(app.close());
}

// Transient errors on each request of the transaction protocol: librdkafka retries them (or the
// thread aborts and redoes the transaction); either way nothing is lost and the thread goes on.
struct ProtocolFault {
  const char* name;
  std::int16_t api_key;
  std::vector<rd_kafka_resp_err_t> errors;
};

class ExactlyOnceProtocolFaultTest : public ExactlyOnceFaultTest,
                                     public ::testing::WithParamInterface<ProtocolFault> {};

TEST_P(ExactlyOnceProtocolFaultTest, TheThreadGoesOnAndNothingIsLost) {
  const ProtocolFault& fault = GetParam();
  StreamsBuilder builder;
  builder.stream<std::string, std::string>("eos-in")
      .map_values([](const std::string& v) { return v + "!"; })
      .to("eos-out");
  ASSERT_OK_AND_ASSIGN(Topology topology, builder.build());
  StreamsConfig config =
      fast_config("it-eos-" + std::string(fault.name), cluster_->bootstrap(), dir_.path());
  config.processing_guarantee = ProcessingGuarantee::kExactlyOnceV2;
  constexpr int kRecords = 100;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_OK(cluster_->produce("eos-in", "k" + std::to_string(i), "v" + std::to_string(i)));
  }
  ASSERT_OK(cluster_->flush());
  ASSERT_OK(cluster_->cluster().push_request_errors(fault.api_key, fault.errors));
  KafkaStreams app(topology, config);
  ASSERT_OK(app.start());
  auto reader = TopicReader::open(cluster_->bootstrap(), {"eos-out"});
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(read_distinct_values(*reader, static_cast<std::size_t>(kRecords), 40s))
      << fault.name << ": " << count_values(reader->records()).size() << " of " << kRecords
      << " outputs; " << to_string(app.state()) << " " << app.error();
  EXPECT_NE(app.state(), StreamsState::kError) << app.error();
  std::printf("%s: %llu aborted transactions\n", fault.name,
              static_cast<unsigned long long>(aborts(app)));
  ASSERT_OK(app.close());
}

INSTANTIATE_TEST_SUITE_P(
    Requests, ExactlyOnceProtocolFaultTest,
    ::testing::Values(ProtocolFault{"add-partitions",
                                    24,
                                    {RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                                     RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS}},
                      ProtocolFault{
                          "txn-offset-commit",
                          28,
                          {RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT}},
                      ProtocolFault{"end-txn",
                                    26,
                                    {RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                                     RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE}},
                      ProtocolFault{"produce-timeout",
                                    0,
                                    {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                     RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS}}),
    [](const ::testing::TestParamInfo<ProtocolFault>& param) {
      std::string name = param.param.name;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

}  // namespace
}  // namespace kstreams::runtime_testing
