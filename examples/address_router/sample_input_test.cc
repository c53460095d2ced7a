// The sample input client without a cluster: which properties it gets (those of the
// application's producer, so --generate reaches a SASL/SSL cluster), and how it stops when asked.
#include "examples/address_router/sample_input.h"

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace address_router {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr char kUnreachable[] = "127.0.0.1:1";

SampleInput sample(std::int64_t count) {
  return {.topic = "addresses", .count = count, .seed = 42, .invalid_share = 0.1};
}

TEST(SampleInputTest, ItsClientGetsTheApplicationProducersProperties) {
  const kstreams::StreamsConfig config{
      .client_properties = {{"security.protocol", "SASL_SSL"},
                            {"kafka.sasl.mechanism", "PLAIN"},
                            {"linger.ms", "1"},
                            {"producer.linger.ms", "50"},
                            {"consumer.session.timeout.ms", "6000"},
                            {"group.instance.id", "router-1"}}};
  EXPECT_THAT(sample_client_properties(config, "broker-1:9093"),
              ElementsAre(Pair("bootstrap.servers", "broker-1:9093"),
                          Pair("sasl.mechanism", "PLAIN"), Pair("linger.ms", "1"),
                          Pair("security.protocol", "SASL_SSL"), Pair("linger.ms", "50")));
}

TEST(SampleInputTest, TheClientPropertiesReachTheProducer) {
  // An SSL producer whose CA file does not exist cannot be created: proof that the security
  // settings are applied (before, only bootstrap.servers was).
  const kstreams::StreamsConfig config{
      .client_properties = {{"security.protocol", "SSL"},
                            {"ssl.ca.location", "/nonexistent/ca.pem"}}};
  auto produced = produce_sample_input(sample_client_properties(config, kUnreachable), sample(10));
  ASSERT_FALSE(produced.ok());
  EXPECT_EQ(produced.status().code(), kstreams::StatusCode::kIo);
  EXPECT_THAT(produced.status().message(), HasSubstr("ssl.ca.location failed"));
}

TEST(SampleInputTest, APropertyLibrdkafkaDoesNotKnowIsRejected) {
  auto produced = produce_sample_input(
      {{"bootstrap.servers", kUnreachable}, {"no.such.property", "1"}}, sample(10));
  ASSERT_FALSE(produced.ok());
  EXPECT_EQ(produced.status().code(), kstreams::StatusCode::kInvalidArgument);
  EXPECT_THAT(produced.status().message(), HasSubstr("unknown client property 'no.such.property'"));
}

TEST(SampleInputTest, AStopRequestedAtOnceProducesNothing) {
  auto produced = produce_sample_input({{"bootstrap.servers", kUnreachable}}, sample(1'000'000),
                                       [] { return true; });
  ASSERT_TRUE(produced.ok()) << produced.status();
  EXPECT_TRUE(produced->empty());
}

TEST(SampleInputTest, AStopEndsTheWaitForAFullQueueAndBoundsTheDelivery) {
  // Nothing can be delivered to an unreachable broker, so the 10-record queue fills at once.
  int asked = 0;
  const auto start = std::chrono::steady_clock::now();
  auto produced = produce_sample_input(
      {{"bootstrap.servers", kUnreachable}, {"queue.buffering.max.messages", "10"}}, sample(1'000),
      [&] { return ++asked > 3; });
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(produced.ok());
  EXPECT_EQ(produced.status().code(), kstreams::StatusCode::kTimeout);
  EXPECT_THAT(produced.status().message(),
              HasSubstr("10 sample input records not delivered within 5 s"));
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST(SampleInputTest, AnInvalidValueIsRejectedWithoutShowingIt) {
  auto produced = produce_sample_input(
      {{"bootstrap.servers", kUnreachable}, {"security.protocol", "secret-looking-value"}},
      sample(10));
  ASSERT_FALSE(produced.ok());
  EXPECT_EQ(produced.status().code(), kstreams::StatusCode::kInvalidArgument);
  EXPECT_THAT(produced.status().message(),
              HasSubstr("invalid value for client property 'security.protocol'"));
  EXPECT_THAT(produced.status().message(), Not(HasSubstr("secret-looking-value")));
}

}  // namespace
}  // namespace address_router
